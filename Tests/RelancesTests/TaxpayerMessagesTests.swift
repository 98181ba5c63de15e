import Channels
import Foundation
import Gateway
import ProviderSandbox
@testable import Relances
import Testing
import TestKit

/// What the taxpayer receives: amounts as people write them, texts that name the
/// taxpayer and the tax, one message per taxpayer per run, nothing at night or on a
/// holiday, nothing for a debt not yet due unless the operator asks.
@Suite struct TaxpayerMessagesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var shipped: String { root.appendingPathComponent("channels/routing.json").path }

    @Test(arguments: [("45000", "45 000"), ("1234567.89", "1 234 567,89"), ("0.05", "0,05"), ("500", "500"), ("1000", "1 000"),
                      ("100000.5", "100 000,50"), ("0", "0")])
    func amountsAreWrittenAsPeopleWriteThem(_ raw: String, _ written: String) throws {
        let montant = try #require(Montant(raw))
        #expect(montant.texte == written)
        #expect(SMSText.analyze(montant.texte + " FCFA").encoding == .gsm7)   // a plain space: GSM-7 carries it
        // The API's contract does not move.
        #expect(montant.description.contains(".") && !montant.description.contains(" "))
    }

    /// The shipped config gives each sendable type its texts; the SMS ones fit one SMS
    /// for a long name and the longest tax name, in GSM-7.
    @Test func theShippedConfigHasTextsForEveryTypeAndTheSMSFitsOne() throws {
        let config = try GatewaySetup.config(configFile: Self.shipped, dryRun: true, environment: Environment([:]))
        for type in RelanceType.sendable {
            #expect(config.templates[type] != nil, "\(type)")
            #expect(config.groupTemplates[type] != nil, "\(type)")
            #expect(!config.ungroupedTypes.contains(type))
        }
        let sms = MessageTemplate(try #require(config.templates[.sms]))
        let text = try #require(RelanceGenerator.message(sms, contribuable: Contribuable(nom: "MOUSSAVOU-BOUSSOUGOU", prenom: "Éléonore"),
                                                         montant: Montant("145000")!, dateDebut: "2026-08-01", periodicite: "mensuelle",
                                                         taxe: "Taxe sur les enseignes"))
        #expect(text == "Éléonore MOUSSAVOU-BOUSSOUGOU, votre taxe sur les enseignes de 145 000 FCFA (échéance 31/08/2026) reste à payer. Merci de la régler à la mairie.")
        #expect(SMSText.analyze(text).encoding == .gsm7 && SMSText.segments(text) == 1, "\(SMSText.analyze(text))")
        let grouped = MessageTemplate(try #require(config.groupTemplates[.sms]))
            .render(MessageValues.values(nom: "MOUSSAVOU-BOUSSOUGOU", prenom: "Éléonore", montant: Montant("1250000")!, echeance: "", taxe: "", nombre: 12))
        #expect(SMSText.analyze(grouped).encoding == .gsm7 && SMSText.segments(grouped) == 1, "\(grouped)")
        // A name with a diaeresis (Joëlle, Aïcha) would make it UCS-2, two or three SMS:
        // the shipped SMS channel transliterates, and the longest tax name still fits one.
        let joelle = try #require(RelanceGenerator.message(sms, contribuable: Contribuable(nom: "MOUELE", prenom: "Joëlle"),
                                                           montant: Montant("45000")!, dateDebut: "2026-08-01", periodicite: "trimestrielle",
                                                           taxe: "Taxe d'occupation du domaine public"))
        #expect(SMSText.segments(joelle) > 1)
        let lenient = try RoutingConfigLoader(table: BuiltinChannels.table, environment: Environment([:]), lenient: true).load(file: Self.shipped)
        #expect(lenient.channels["ventis"]?.settings.values["transliterate"] == "true")
        #expect(SMSText.segments(SMSText.transliterate(joelle)) == 1, "\(SMSText.transliterate(joelle))")
        // No title is invented: the data has none.
        #expect(!text.contains("M.") && !text.contains("Mme"))
    }

    /// The shipped window: Monday to Saturday, 07:30 to 19:00 in Libreville, shut on
    /// Gabon's fixed holidays every year.
    @Test func theShippedWindowKeepsNightsSundaysAndHolidaysQuiet() throws {
        // Lenient: the channels' credentials are not what this checks.
        let config = try RoutingConfigLoader(table: BuiltinChannels.table, environment: Environment([:]), lenient: true).load(file: Self.shipped)
        for name in ["ventis", "courriel"] {
            let window = try #require(config.channels[name]?.policy.window, "\(name) has no send window")
            func at(_ s: String) -> Date { ISO8601.date(from: s)! }
            #expect(!window.isOpen(at: at("2026-11-25T02:00:00Z")))   // Wednesday 03:00 in Libreville
            #expect(window.isOpen(at: at("2026-11-25T06:30:00Z")))    // 07:30
            #expect(!window.isOpen(at: at("2026-11-25T18:00:00Z")))   // 19:00, closing excluded
            #expect(window.isOpen(at: at("2026-11-28T10:00:00Z")))    // Saturday
            #expect(!window.isOpen(at: at("2026-11-29T10:00:00Z")))   // Sunday
            for holiday in ["2026-12-25", "2027-01-01", "2027-04-17", "2027-05-01", "2027-08-16", "2027-08-17", "2030-11-01"] {
                #expect(!window.isOpen(at: at(holiday + "T10:00:00Z")), "\(holiday)")
            }
            // The scheduler's 03:00 waits for 07:30, and Christmas Eve's evening for the 26th.
            #expect(window.nextOpening(from: at("2026-11-25T02:00:00Z")) == at("2026-11-25T06:30:00Z"))
            #expect(window.nextOpening(from: at("2026-12-24T18:30:00Z")) == at("2026-12-26T06:30:00Z"))
        }
    }

    @Test func aHolidayIsAMonthDayOrADateAndNothingElse() throws {
        func load(_ holidays: String) throws(ConfigError) -> RoutingConfig {
            let json = #"{"channels": {"out": {"kind": "file-sink", "path": "/tmp/x", "window": {"holidays": \#(holidays)}}}, "routes": {"sms": {"channels": ["out"]}}}"#
            return try RoutingConfigLoader(table: BuiltinChannels.table, environment: Environment([:])).parse(Data(json.utf8), file: "routing.json")
        }
        #expect(try load(#"["02-29", "2027-03-29"]"#).channels["out"]?.policy.window?.holidays == ["02-29", "2027-03-29"])
        for bad in [#"["13-01"]"#, #"["04-31"]"#, #"["1-1"]"#, #"["Noël"]"#] {
            #expect(throws: ConfigError.self) { try load(bad) }
        }
    }

    /// The office's lateness rule made relances for debts whose échéance is weeks
    /// ahead; now only those due are reminded, unless the operator includes the others.
    @Test func aDebtNotYetDueIsRemindedOnlyWhenTheOperatorAsks() throws {
        let (store, _) = try temporaryStore()
        let voirie = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066 12 34 56"))
        let due = try store.add(AffectationTaxe(contribuableID: who, taxeID: voirie, dateDebut: day(-30)))     // due today
        let notYet = try store.add(AffectationTaxe(contribuableID: who, taxeID: voirie, dateDebut: day(-10)))  // due in 20 days
        let generator = RelanceGenerator(store: store, clock: ManualClock(fixedNow))
        let first = try generator.generate(.init(type: .sms))
        #expect(try first.created.map { try store.relance($0)?.affectationTaxeID } == [due])
        var options = RelanceGenerator.Options(type: .sms)
        options.inclureEcheancesAVenir = true
        let second = try generator.generate(options)
        #expect(try second.created.map { try store.relance($0)?.affectationTaxeID } == [notYet])
    }

    /// Two debts of one taxpayer in one run: one SMS with the total and the count,
    /// through the real ventis-sms channel to the sandbox; both relances `envoyee`,
    /// with the same provider id. `"grouper": false` sends one per debt.
    @Test(arguments: [true, false])
    func twoDebtsOfOneTaxpayerGoAsOneSMS(grouped: Bool) async throws {
        let (store, folder) = try temporaryStore()
        let sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }
        let file = folder.appendingPathComponent("routing.json")
        try Data(#"""
            { "channels": { "ventis": { "kind": "ventis-sms" } }, "routes": { "sms": { "channels": ["ventis"] } },
              "templates": { "sms": { "text": "{nom_complet} : {taxe}, {montant} FCFA", "grouper": \#(grouped) } } }
            """#.utf8).write(to: file)
        let config = try GatewaySetup.config(configFile: file.path, environment: Environment(sandbox.environment))
        let dispatcher = try config.makeDispatcher(context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        let voirie = try store.add(Taxe(nom: "Taxe de voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        let marche = try store.add(Taxe(nom: "Taxe de marché", montant: Montant("40000")!, periodicite: .mensuelle))
        let nze = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066 12 34 56"))
        let mba = try store.add(Contribuable(nom: "MBA", prenom: "Paul", telephone: "077123456"))
        for (who, taxe) in [(nze, voirie), (mba, voirie), (nze, marche)] {
            _ = try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-40)))
        }
        var options = RelanceGenerator.Options(type: .sms, limite: 10)
        options.template = MessageTemplate(try #require(config.templates[.sms]))
        let created = try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(options).created
        #expect(created.count == 3)   // one relance per debt in the store

        let summary = await RelanceSender(store: store, runtime: SendRuntime(config: config, dispatcher: dispatcher), logger: Logger(sink: MemoryLogSink())).send(created)
        #expect(summary.sent == 3 && summary.failed == 0, "\(summary)")
        let toNze = sandbox.received.filter { $0.to == "24166123456" }.map(\.message)
        if grouped {
            #expect(toNze == ["Jean NZE, vous avez 2 taxes impayées pour un total de 45 000 FCFA. Merci de les régler à la mairie."])
        } else {
            #expect(toNze.sorted() == ["Jean NZE : taxe de marché, 40 000 FCFA", "Jean NZE : taxe de voirie, 5 000 FCFA"])
        }
        #expect(sandbox.received.filter { $0.to == "24177123456" }.map(\.message) == ["Paul MBA : taxe de voirie, 5 000 FCFA"])
        let nzes = try created.compactMap { try store.relance($0) }.filter { $0.contribuableID == nze }
        #expect(nzes.count == 2 && nzes.allSatisfy { $0.statut == .envoyee })
        let providerIDs = try nzes.map { try store.attempts(relanceID: $0.id).compactMap(\.providerID) }
        #expect(providerIDs.allSatisfy { $0.count == 1 })
        #expect(Set(providerIDs.flatMap { $0 }).count == (grouped ? 1 : 2))
        // The ledger holds one entry per relance, and still verifies.
        let entries = try store.ledgerEntries(from: "2000-01-01", to: "2100-01-01")
        #expect(Set(entries.map(\.relanceID)) == Set(created))
    }

    /// A taxpayer's letters of one run print on consecutive pages, in the batch's order,
    /// though ten other taxpayers' letters go out at the same time: the debts' letter
    /// (one, merged, or one per debt with `"grouper": false`) and an operator's manual
    /// letter, so the office posts them in one envelope.
    @Test(arguments: [true, false])
    func aTaxpayersLettersOfOneRunPrintOnConsecutivePages(grouped: Bool) async throws {
        let (store, folder) = try temporaryStore()
        let letters = folder.appendingPathComponent("courriers")
        let file = folder.appendingPathComponent("routing.json")
        try Data(#"""
            { "channels": { "lettres": { "kind": "letters-pdf", "directory": "\#(letters.path)", "run_idle_seconds": 600 } },
              "routes": { "courrier": { "channels": ["lettres"] } },
              "templates": { "courrier": { "text": "{nom_complet} : {taxe}, {montant} FCFA", "grouper": \#(grouped) } } }
            """#.utf8).write(to: file)
        let config = try GatewaySetup.config(configFile: file.path, environment: Environment([:]))
        let dispatcher = try config.makeDispatcher(context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        let voirie = try store.add(Taxe(nom: "Taxe de voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        let marche = try store.add(Taxe(nom: "Taxe de marché", montant: Montant("40000")!, periodicite: .mensuelle))
        let nze = try store.add(Contribuable(nom: "NZÉ", prenom: "Jean", adresse: "Quartier Louis, BP 12, Libreville"))
        // Generation takes the oldest debt first: NZÉ's two stand first and last.
        _ = try store.add(AffectationTaxe(contribuableID: nze, taxeID: voirie, dateDebut: day(-90)))
        for n in 0..<10 {
            let other = try store.add(Contribuable(nom: "AUTRE\(n)", prenom: "Paul", adresse: "BP \(100 + n), Libreville"))
            _ = try store.add(AffectationTaxe(contribuableID: other, taxeID: voirie, dateDebut: day(-60 + n)))
        }
        _ = try store.add(AffectationTaxe(contribuableID: nze, taxeID: marche, dateDebut: day(-30)))
        var options = RelanceGenerator.Options(type: .courrier, limite: 20)
        options.template = MessageTemplate(try #require(config.templates[.courrier]))
        var ids = try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(options).created
        #expect(ids.count == 12)
        ids.append(try store.create(NewRelance(contribuableID: nze, type: .courrier, montantDue: Montant("1000")!, datePlanifiee: fixedNow,
                                               message: "Merci de passer au guichet avec votre reçu.")).id)

        let sender = RelanceSender(store: store, runtime: SendRuntime(config: config, dispatcher: dispatcher), logger: Logger(sink: MemoryLogSink()))
        let summary = await sender.send(ids, maxInFlight: 8)
        await dispatcher.close()
        #expect(summary.sent == 13, "\(summary)")
        func page(_ relance: Relance) throws -> Int {
            let note = try #require(relance.notes)
            let number = note.split(separator: " ").last.flatMap { Int($0) }
            return try #require(number, "\(note)")
        }
        let all = try ids.compactMap { try store.relance($0) }
        let theirs = all.filter { $0.contribuableID == nze }
        let pages = try theirs.map(page)
        // In the batch's order: the debts' letter(s), then the manual one.
        let expected = grouped ? [1, 1, 2] : [1, 2, 3]
        let first = try #require(pages.min())
        #expect(pages.map { $0 - first + 1 } == expected, "\(pages)")
        let pdf = try #require(try FileManager.default.contentsOfDirectory(atPath: letters.path).first { $0.hasSuffix(".pdf") })
        let last = try #require(pages.max())
        let reader = try Spawned("pdftotext", ["-f", String(last), "-l", String(last), letters.appendingPathComponent(pdf).path, "-"],
                                 output: .pipe, error: .null)
        let text = String(decoding: try #require(reader.output).readDataToEndOfFile(), as: UTF8.self)
        await reader.exited()
        #expect(text.contains("NZÉ") && text.contains("guichet"))
        #expect(Set(try all.map(page)).count == (grouped ? 12 : 13))
    }

    /// Stopping (a shutdown) between two letters of one envelope: the letter in the
    /// channel ends as it does, the ones after it go back as they were, for the next run.
    @Test(.timeLimit(.minutes(1)))
    func stoppingMidEnvelopePutsItsLaterLettersBack() async throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZÉ", prenom: "Jean", adresse: "BP 12, Libreville"))
        let ids = try (0..<3).map { n in
            try store.create(NewRelance(contribuableID: who, type: .courrier, montantDue: Montant("1000")!, datePlanifiee: fixedNow,
                                        message: "Lettre \(n)")).id
        }
        let gate = GateChannel()
        let dispatcher = Dispatcher(routes: [.courrier: Route(channels: [gate.name])], channels: [gate.name: gate], logger: Logger(sink: MemoryLogSink()))
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: Logger(sink: MemoryLogSink()))
        let batch = Task { await sender.send(ids, maxInFlight: 8) }
        #expect(await eventually { gate.entered == 1 })   // one letter at a time: an envelope
        sender.stopClaiming()
        gate.open()
        let summary = await batch.value
        #expect(summary.sent == 1 && summary.skipped == 2, "\(summary)")
        #expect(try ids.map { try store.relance($0)?.statut } == [.envoyee, .enAttente, .enAttente])
        #expect(gate.entered == 1)
    }
}
