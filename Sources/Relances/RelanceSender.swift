import Foundation
import Gateway

/// Sends relances through the gateway: claim (so nobody else sends it), build the
/// delivery, dispatch (routes, retries, fallback), record every attempt, write the
/// outcome. Safe to call from many tasks at once.
public final class RelanceSender: Sendable {
    public let store: SQLiteRelanceStore
    public let dispatcher: Dispatcher
    let clock: any GatewayClock
    let logger: Logger

    public init(store: SQLiteRelanceStore, dispatcher: Dispatcher, clock: any GatewayClock = SystemClock(), logger: Logger = Logger()) {
        self.store = store
        self.dispatcher = dispatcher
        self.clock = clock
        self.logger = logger.labelled("sender")
    }

    /// How one send ended.
    public enum Report: Sendable {
        /// Sent or failed: the relance as now stored (its statut says which).
        case done(Relance)
        /// Nothing was sent, and why (French, for the API's `detail`).
        case refused(String)
        case notFound
        /// Outside the channel's send window: back to `en_attente`, planned for the opening.
        case deferred(Relance)
    }

    public func send(_ id: Int64) async -> Report {
        do {
            return try await attempt(id)
        } catch {
            logger.error("send failed in the store", ["relance": id, "error": error.description])
            return .refused("Erreur de la base de données : \(error)")
        }
    }

    private func attempt(_ id: Int64) async throws(StoreError) -> Report {
        guard let current = try store.relance(id) else { return .notFound }
        if current.statut == .envoyee { return .refused("Cette relance a déjà été envoyée") }
        guard dispatcher.route(for: current.type) != nil else {
            return .refused(current.type.address == nil
                ? "Les relances de type « \(current.type.rawValue) » se font à la main : aucun canal ne les envoie"
                : "Aucun canal n'est configuré pour les relances de type « \(current.type.rawValue) »")
        }
        let relance: Relance
        switch try store.claim(id, now: clock.now()) {
        case .claimed(let r): relance = r
        case .notFound: return .notFound
        case .alreadySent: return .refused("Cette relance a déjà été envoyée")
        case .inProgress: return .refused("Cette relance est déjà en cours d'envoi")
        case .cancelled: return .refused("Cette relance est annulée")
        }
        let recipient = relance.canalEnvoi.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            ?? relance.contribuable?.address(for: relance.type)
        guard let recipient else {
            let what = relance.type == .sms ? "téléphone" : relance.type == .email ? "adresse e-mail" : "adresse postale"
            try store.finish(id, outcome: .failed(note: "Aucun(e) \(what) pour ce contribuable : relance non envoyée"), now: clock.now())
            return .done(try store.relance(id) ?? relance)
        }
        let delivery = Delivery(id: "relance-\(id)", type: relance.type, recipient: recipient,
                                subject: "Rappel de paiement - Mairie de Libreville", body: relance.message,
                                metadata: ["relance_id": String(id), "contribuable_id": String(relance.contribuableID)])
        let store = self.store, logger = self.logger
        let result = await dispatcher.send(delivery) { attempt in
            do { try store.record(attempt, relanceID: id) } catch {
                logger.error("could not record an attempt", ["relance": id, "error": "\(error)"])
            }
        }
        switch result {
        case .delivered(let receipt, _):
            try store.finish(id, outcome: .sent(channel: receipt.channel, recipient: receipt.recipient, note: note(for: receipt),
                                                at: receipt.acceptedAt), now: clock.now())
        case .failed(let error, _):
            try store.finish(id, outcome: .failed(note: error.description), now: clock.now())
        case .noRoute(let type):
            try store.release(id, to: relance.statut == .envoiEnCours ? .enAttente : relance.statut, datePlanifiee: nil, now: clock.now())
            return .refused("Aucun canal n'est configuré pour les relances de type « \(type.rawValue) »")
        case .deferred(let until):
            try store.release(id, to: .enAttente, datePlanifiee: until, now: clock.now())
            return .deferred(try store.relance(id) ?? relance)
        }
        return .done(try store.relance(id) ?? relance)
    }

    /// The note the office reads: the provider's id, in the words it knows. The kind
    /// comes from the config, or from the receipt for a dispatcher built without one.
    func note(for receipt: Receipt) -> String {
        let kind = dispatcher.config?.channels[receipt.channel]?.kind.kind
        if kind == "ventis-sms" || receipt.details["provider"] == "ventis" {
            return "SMS envoyé via Ventis. UUID: \(receipt.messageID)"
        }
        switch kind {
        case "email-stub": return "E-mail déposé dans le dossier d'envoi (\(receipt.channel)). Message-ID: \(receipt.messageID)"
        case "file-sink": return "Ajouté au fichier \(receipt.details["file"] ?? receipt.channel). ID: \(receipt.messageID)"
        default: return "Envoyé via \(receipt.channel). ID: \(receipt.messageID)"
        }
    }

    /// What a batch did.
    public struct Summary: Sendable, Equatable {
        public var sent = 0
        public var failed = 0
        public var skipped = 0
        /// Failure notes with their counts, most frequent first.
        public var reasons: [String: Int] = [:]
        /// Sent per channel.
        public var byChannel: [String: Int] = [:]
    }

    /// Sends every id with at most `maxInFlight` at once; answers the summary.
    public func send(_ ids: [Int64], maxInFlight: Int = 32, progress: BatchProgress? = nil) async -> Summary {
        let summary = SummaryBox()
        await forEachConcurrently(ids, limit: max(1, maxInFlight)) { [self] id in
            let report = await send(id)
            summary.add(report)
            switch report {
            case .done(let r) where r.statut == .envoyee: progress?.sent()
            case .done: progress?.failed()
            default: progress?.skipped()
            }
        }
        return summary.value
    }
}

import Synchronization

final class SummaryBox: Sendable {
    private let state = Mutex(RelanceSender.Summary())
    func add(_ report: RelanceSender.Report) {
        state.withLock { s in
            switch report {
            case .done(let r) where r.statut == .envoyee:
                s.sent += 1
                s.byChannel[r.canal ?? "?", default: 0] += 1
            case .done(let r):
                s.failed += 1
                s.reasons[r.notes ?? "?", default: 0] += 1
            case .refused, .notFound, .deferred:
                s.skipped += 1
            }
        }
    }
    var value: RelanceSender.Summary { state.withLock { $0 } }
}
