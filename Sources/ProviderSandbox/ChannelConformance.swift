import Foundation
import Gateway

/// What every channel kind must do, checked the same way for all: the suite takes a
/// kind and its `sample.json`, builds the channel against a ``ConformanceWorld``, and
/// answers every broken promise (empty: the kind conforms). Driven by the channel
/// table, so a kind added to it is checked without anyone writing a test for it.
///
/// - `init` makes no network contact, nor does `check(_:)`;
/// - `check(_:)` and `send(_:)` agree on refused recipients (refused before any contact,
///   never retried);
/// - a success gives a receipt naming the channel, with a provider id and a note;
/// - a provider failing for a while gives a retryable error (or a success, for a kind
///   that needs no provider), one failing for good a final one;
/// - retries carry the same delivery id;
/// - the password never shows in logs (even at debug level), errors, receipts or a dump.
public enum ChannelConformance {
    /// A delivery for the kind's address, with what any kind may need (a letter's name,
    /// tax, amount, due date, reference).
    public static func delivery(for accepts: AddressKind, id: String = "relance-4242", recipient: String? = nil) -> Delivery {
        let address: String = switch accepts {
        case .phone: "066 12 34 56"
        case .email: "jean.ndong@example.ga"
        case .postal: "Quartier Louis, BP 1234, Libreville"
        case .any: "066 12 34 56"
        }
        let type: RelanceType = switch accepts {
        case .phone, .any: .sms
        case .email: .email
        case .postal: .courrier
        }
        return Delivery(id: id, type: type, recipient: recipient ?? address, subject: "Rappel de paiement - Mairie de Libreville",
                        body: "Bonjour M. Ndong, votre taxe de marché de 45 000 FCFA est échue depuis le 25/11/2026.",
                        metadata: ["relance_id": "4242", "contribuable_id": "7", "contribuable_nom": "Jean Ndong Éyéghé",
                                   "taxe": "Taxe de marché", "montant": "45000.00", "date_echeance": "2026-11-25",
                                   "reference": "REL-4242"])
    }

    /// An address the kind must refuse, or nil when it takes any.
    static func badRecipient(for accepts: AddressKind) -> String? {
        switch accepts {
        case .phone: "06 6O 12 34 AB"
        case .email: "pas-une-adresse"
        case .postal: "   "
        case .any: nil
        }
    }

    public static func run(_ kind: ChannelKind, sample: URL, world: ConformanceWorld) async -> [String] {
        var problems: [String] = []
        let log = MemoryLogSink()
        let context = ChannelContext(logger: Logger(level: .debug, sink: log), environment: world.environment, baseDirectory: world.folder)
        defer { context.resources.close() }
        let config: RoutingConfig
        do {
            config = try RoutingConfigLoader(table: ChannelTable([kind]), environment: Environment(world.environment)).load(file: sample.path)
        } catch {
            return ["\(kind.kind): its sample.json does not load: \(error)"]
        }
        guard let settings = config.channels.values.first(where: { $0.kind.kind == kind.kind })?.settings else {
            return ["\(kind.kind): its sample.json declares no channel of the kind"]
        }
        var seen: [String] = []   // everything printed, for the secret check

        let before = world.providerContacts
        let channel: any Channel
        do { channel = try kind.make(settings, context) } catch {
            return ["\(kind.kind): cannot be built from its sample with the world's variables: \(error)"]
        }
        if world.providerContacts != before { problems.append("\(kind.kind): init contacted a provider") }

        // check(_:) and send(_:) agree on a refused recipient, before any contact.
        let good = delivery(for: kind.accepts)
        if let problem = channel.check(good).problem { problems.append("\(kind.kind): check refuses a good recipient: \(problem)") }
        if let bad = badRecipient(for: kind.accepts) {
            let refused = delivery(for: kind.accepts, id: "relance-bad", recipient: bad)
            let verdict = channel.check(refused)
            if verdict.problem == nil { problems.append("\(kind.kind): check accepts the bad recipient «\(bad)»") }
            if world.providerContacts != before { problems.append("\(kind.kind): check contacted a provider") }
            do {
                let receipt = try await channel.send(refused)
                problems.append("\(kind.kind): send accepted «\(bad)» that check refused (\(receipt.messageID))")
            } catch {
                seen.append(error.description)
                if error.isRetryable || error.underlying.code != "invalid_recipient" {
                    problems.append("\(kind.kind): a refused recipient gave \(error.code) (retryable: \(error.isRetryable)), not a final invalid_recipient")
                }
            }
            if world.providerContacts != before { problems.append("\(kind.kind): a refused recipient reached a provider") }
        }

        // A success: a receipt with the channel's name, a provider id and a note.
        do {
            let receipt = try await channel.send(good)
            seen.append("\(receipt)")
            if receipt.channel != settings.name { problems.append("\(kind.kind): the receipt names channel \(receipt.channel), not \(settings.name)") }
            if receipt.messageID.isEmpty { problems.append("\(kind.kind): the receipt has no provider id") }
            if receipt.note.isEmpty { problems.append("\(kind.kind): the receipt has no note for the office") }
        } catch {
            problems.append("\(kind.kind): a good delivery failed with every provider well: \(error)")
        }

        // Failure classes: temporary → retryable (or sent), permanent → final (or sent).
        for (label, fail, wantRetryable) in [("temporary", world.failTemporarily, true), ("permanent", world.failPermanently, false)] {
            fail()
            do {
                let receipt = try await channel.send(delivery(for: kind.accepts, id: "relance-\(label)"))
                seen.append("\(receipt)")
            } catch {
                seen.append(error.description)
                if error.isRetryable != wantRetryable {
                    problems.append("\(kind.kind): a \(label) provider failure gave \(error.code) with retryable \(error.isRetryable)")
                }
            }
            world.heal()
        }

        // Retries carry the same delivery id: a first attempt fails for a while, the next passes.
        world.failTemporarily()
        let dispatcher = Dispatcher(routes: [good.type: Route(channels: [settings.name])], channels: [settings.name: channel],
                                    policies: [settings.name: DeliveryPolicy(maxAttempts: 3, initialDelay: 0.001, maxDelay: 0.01)],
                                    logger: context.logger)
        let retried = delivery(for: kind.accepts, id: "relance-retry")
        let result = await dispatcher.send(retried) { _ in world.heal() }
        world.heal()
        switch result {
        case .delivered(let receipt, let attempts):
            seen.append("\(receipt)")
            if !attempts.allSatisfy({ $0.deliveryID == retried.id }) { problems.append("\(kind.kind): attempts changed the delivery id") }
        case .failed(let error, _):
            problems.append("\(kind.kind): not delivered after a passing failure: \(error)")
        default:
            problems.append("\(kind.kind): unexpected dispatch result \(result)")
        }
        await channel.close()

        // The password never shows.
        var dumped = ""
        dump(channel, to: &dumped)
        seen += log.lines + [dumped, "\(channel)", String(reflecting: channel)]
        if seen.contains(where: { $0.contains(ConformanceWorld.secret) }) {
            problems.append("\(kind.kind): the password was printed")
        }
        return problems
    }
}
