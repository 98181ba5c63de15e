import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing

/// The pre-flight's figures must be the real run's: same data, same config, then the
/// real generation and sending through ventis-sms to the sandbox.
@Suite struct PreflightTests {
    static let config = #"""
        {
          "channels": { "ventis": { "kind": "ventis-sms", "price": { "per_segment": 25 } } },
          "routes": { "sms": { "channels": ["ventis"] } },
          "templates": { "sms": { "text": "Bonjour {prenom} {nom} : {montant} FCFA dus pour « {taxe} », échéance {echeance}.", "max_segments": 2 } }
        }
        """#

    @Test func preflightFiguresAreWhatTheRealRunDoes() async throws {
        let (store, folder) = try temporaryStore()
        let sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }
        let file = folder.appendingPathComponent("routing.json")
        try Data(Self.config.utf8).write(to: file)
        let config = try GatewaySetup.config(configFile: file.path, environment: Environment(sandbox.environment))
        let dispatcher = try config.makeDispatcher(context: ChannelContext(logger: Logger(sink: MemoryLogSink())))

        let voirie = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        let people: [(String, String?)] = [
            ("NZE", "0661234567"), ("SANS", nil), ("LETTRE-O", "06612O4567"), ("MBOUMBA-NDONG-ESSONO-OBIANG-MINTSA-NGUEMA-ONDO-MBA-NZAMBA", "077123456"),
            ("COURT", "+241 66 12 34 56"), ("VIDE", "   "), ("ÉKOGHA", "074 00 00 00"),
        ]
        for (i, (nom, phone)) in people.enumerated() {
            let who = try store.add(Contribuable(nom: nom, prenom: "Marie-Thérèse", telephone: phone))
            _ = try store.add(AffectationTaxe(contribuableID: who, taxeID: voirie, dateDebut: day(-35 - i), montantCustom: Montant("\(1000 + i).50")))
        }
        var options = RelanceGenerator.Options(type: .sms, limite: 4)
        options.template = MessageTemplate(try #require(config.templates[.sms]))

        let report = try CampaignPreflight(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), clock: ManualClock(fixedNow)).run(options, examples: 10)
        #expect(try store.list(.init()).total == 0)   // nothing written
        #expect(sandbox.messageRequests == 0)          // nothing sent

        let generated = try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(options)
        let summary = await RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: Logger(sink: MemoryLogSink())).send(generated.created)
        let accepted = sandbox.received.filter { $0.answer.hasPrefix("+SUCCESS") }

        #expect(report.canal == "ventis")
        #expect(report.dettesEnRetard == people.count)
        #expect(report.relancesACreer == generated.created.count && report.relancesACreer == 4)
        #expect(report.sansAdresse == generated.withoutAddress && report.sansAdresse == 2)
        // The send enforces the budget: what the pre-flight counts over it fails, unsent.
        let overBudget = summary.reasons.filter { $0.key.hasPrefix("Message trop long") }.values.reduce(0, +)
        #expect(report.destinatairesInvalides + overBudget == summary.failed && report.destinatairesInvalides == 1)
        #expect(report.envoyables == summary.sent + overBudget && summary.sent == accepted.count)
        let stored = try generated.created.map { try #require(try store.relance($0)) }
        #expect(report.exemples.map(\.message) == stored.map(\.message))
        let refused = stored.filter { $0.notes?.hasPrefix("Message trop long") == true }.map { SMSText.segments($0.message) }
        let segments = accepted.map { SMSText.segments($0.message) } + refused
        let sms = try #require(report.sms)
        #expect(sms.segments == segments.reduce(0, +) && sms.ucs2 == segments.count && sms.gsm7 == 0)
        #expect(sms.budget == 2 && sms.horsBudget == overBudget && sms.horsBudget == segments.filter { $0 > 2 }.count && sms.horsBudget > 0)
        #expect(sms.caracteresUCS2["«"] == segments.count)
        #expect(report.coutEstime == Double(25 * segments.reduce(0, +)))
        let motifs = Dictionary(uniqueKeysWithValues: report.motifs.map { ($0.motif, $0.nombre) })
        #expect(motifs["Pas de numéro de téléphone"] == 2)
        let refusal = try #require(summary.reasons.keys.first { !$0.hasPrefix("Message trop long") })
        #expect(motifs[refusal] == 1)   // the channel's own words, as the failed relance's note says
    }

    /// Gabon's numbering plan: a number that cannot be made 241 and 8 digits is named
    /// with its contribuable before anything is sent, and fails before any network call.
    @Test func numbersThatCannotBeMadeValidAreListedWithTheirTaxpayer() async throws {
        let (store, folder) = try temporaryStore()
        let sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }
        let file = folder.appendingPathComponent("routing.json")
        try Data(#"{ "channels": { "ventis": { "kind": "ventis-sms" } }, "routes": { "sms": { "channels": ["ventis"] } } }"#.utf8).write(to: file)
        let config = try GatewaySetup.config(configFile: file.path, environment: Environment(sandbox.environment))
        let dispatcher = try config.makeDispatcher(context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        let voirie = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        var ids: [Int64] = []
        for (i, phone) in ["06 61 23 45 67", "077 12 34 56", "+241 066 12 34 56", "0661234567", "06 03 12 34"].enumerated() {
            ids.append(try store.add(Contribuable(nom: "C\(i)", prenom: "P", telephone: phone)))
            _ = try store.add(AffectationTaxe(contribuableID: ids[i], taxeID: voirie, dateDebut: day(-40 + i)))
        }
        let report = try CampaignPreflight(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), clock: ManualClock(fixedNow)).run(.init(type: .sms))
        #expect(report.destinatairesRefuses.map(\.contribuableID) == [ids[0], ids[3]])
        #expect(report.destinatairesRefuses.map(\.destinataire) == ["06 61 23 45 67", "0661234567"])
        #expect(report.destinatairesRefuses.map(\.nom) == ["C0 P", "C3 P"])
        #expect(report.destinatairesRefuses.allSatisfy { $0.motif.contains("10 chiffres") && $0.motif.contains("« 077 12 34 56 »") })

        // The real run: the same two fail before any request, the others reach the provider as 241 and 8 digits.
        let generated = try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(.init(type: .sms))
        let summary = await RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: Logger(sink: MemoryLogSink())).send(generated.created)
        #expect(summary.failed == 2 && summary.sent == 3)
        #expect(Set(sandbox.received.map(\.to)) == ["24177123456", "24166123456", "24106031234"])
        #expect(sandbox.received.allSatisfy { $0.answer.hasPrefix("+SUCCESS") })
        for id in generated.created {
            let relance = try #require(try store.relance(id))
            guard [ids[0], ids[3]].contains(relance.contribuableID) else { continue }
            #expect(relance.statut == .echec && relance.notes?.contains("« 077 12 34 56 »") == true, "\(relance.notes ?? "")")
        }
    }

    @Test func aTemplateBudgetAndPricesAreCheckedAtLoad() throws {
        let (_, folder) = try temporaryStore()
        let file = folder.appendingPathComponent("bad.json")
        try Data(#"""
            { "channels": { "s": { "kind": "file-sink", "path": "x", "price": { "per_segment": -1, "per_page": 2 } } },
              "routes": { "sms": { "channels": ["s"] } },
              "templates": { "sms": { "text": "{nom}", "max_segments": 0, "limit": 3 }, "email": { "max_segments": 2 } } }
            """#.utf8).write(to: file)
        do {
            _ = try GatewaySetup.config(configFile: file.path, environment: Environment())
            Issue.record("a bad config loaded")
        } catch {
            let text = error.description
            #expect(text.contains("channels.s.price.per_segment: must be a positive number"))
            #expect(text.contains("channels.s.price.per_page: unknown key; valid keys: per_message, per_segment"))
            #expect(text.contains("templates.sms.max_segments: must be a whole number of SMS segments from 1 to 20"))
            #expect(text.contains("templates.sms.limit: unknown key; valid keys: text, max_segments"))
            #expect(text.contains("templates.email.text: must be the template's text (a string)"))
        }
    }
}
