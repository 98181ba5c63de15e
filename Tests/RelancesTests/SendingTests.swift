import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing

@Suite struct SendingTests {
    struct World {
        let store: SQLiteRelanceStore
        let who: Int64
        let debt: Int64
        let taxe: Int64
        /// A relance on `debt`, or on a debt of its own (a debt gets one relance of a
        /// type a week: the business key).
        func relance(_ type: RelanceType = .sms, canal: String? = nil, debt: Int64? = nil) throws -> Int64 {
            let affectation = try debt ?? store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-30)))
            return try store.create(NewRelance(contribuableID: who, affectationTaxeID: affectation, type: type, montantDue: Montant("5000")!,
                                               datePlanifiee: fixedNow, message: "Rappel : 5000.00 FCFA. Échéance : 24/12/2026", canalEnvoi: canal)).id
        }
    }

    func world(phone: String? = "0661234567") throws -> World {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: phone, email: "jean@exemple.ga", adresse: "BP 1, Akébé"))
        let taxe = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        let debt = try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-30)))
        try store.openDossier(affectationID: debt, now: fixedNow)
        return World(store: store, who: who, debt: debt, taxe: taxe)
    }

    func sender(_ w: World, _ d: Dispatcher) -> RelanceSender {
        RelanceSender(store: w.store, runtime: SendRuntime(dispatcher: d, rehearsal: false), clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
    }

    /// The office's note is the channel's own words, from its receipt: the sender knows
    /// no channel by name, and a channel without words gets the generic note.
    @Test func theNoteOfASentRelanceComesFromTheChannelsReceipt() async throws {
        let w = try world()
        let letters = RecordingChannel("courrier-pdf", accepts: .phone, note: "Lettre prête à imprimer : lot.pdf, page 3")
        let id = try w.relance(debt: w.debt)
        guard case .done(let r) = await sender(w, dispatcher([.sms: Route(channels: ["courrier-pdf"])], [letters])).send(id) else {
            Issue.record("not done"); return
        }
        #expect(r.notes == "Lettre prête à imprimer : lot.pdf, page 3")
    }

    /// A letter needs the taxpayer's name, the tax, the amount and a reference: the
    /// delivery carries them, whether the relance is sent alone or in a batch.
    @Test func aDeliveryCarriesWhatALetterPrints() async throws {
        let w = try world()
        let letters = RecordingChannel("lettres", accepts: .postal)
        let d = dispatcher([.courrier: Route(channels: ["lettres"])], [letters])
        let alone = try w.relance(.courrier, debt: w.debt)
        let batched = try w.relance(.courrier)
        _ = await sender(w, d).send(alone)
        _ = await sender(w, d).send([batched], maxInFlight: 1)
        #expect(letters.deliveries.count == 2)
        for (delivery, id) in zip(letters.deliveries, [alone, batched]) {
            #expect(delivery.recipient == "BP 1, Akébé")
            #expect(delivery.metadata["contribuable_nom"] == "Jean NZE" && delivery.metadata["taxe"] == "Voirie")
            #expect(delivery.metadata["montant"] == "5000.00" && delivery.metadata["reference"] == "REL-\(id)")
        }
    }

    @Test func aSentRelanceRecordsItsOutcomeTheAttemptAndBumpsTheDossier() async throws {
        let w = try world()
        let sms = RecordingChannel("ventis", accepts: .phone)
        let id = try w.relance(debt: w.debt)
        guard case .done(let r) = await sender(w, dispatcher([.sms: Route(channels: ["ventis"])], [sms])).send(id) else { Issue.record("not done"); return }
        #expect(r.statut == .envoyee && r.dateEnvoi == fixedNow && r.canal == "ventis")
        #expect(r.notes == "Envoyé via ventis. ID: ventis-relance-\(id)")
        #expect(sms.deliveries.map(\.recipient) == ["0661234567"])
        #expect(sms.deliveries[0].body == "Rappel : 5000.00 FCFA. Échéance : 24/12/2026")   // the stored text, nothing appended
        #expect(try w.store.attempts(relanceID: id).map(\.outcome) == ["sent"])
        let dossier = try #require(try w.store.dossier(affectationID: w.debt))
        #expect(dossier.nombreRelances == 1 && dossier.dernierContact == ISO8601.string(from: fixedNow))
    }

    /// A send whose attempt was recorded as accepted but whose outcome was lost (the
    /// process died, the disk filled): recovery marks it `envoyee` from the attempt and
    /// never lets it go again; one whose last attempt failed, or none, is left alone.
    @Test func aRelanceWhoseAcceptedAttemptWasRecordedIsSettledAsSent() throws {
        let w = try world()
        let accepted = try w.relance(debt: w.debt), failed = try w.relance(), unknown = try w.relance()
        for id in [accepted, failed, unknown] {
            guard case .claimed = try w.store.claim(id, now: fixedNow) else { Issue.record("not claimed"); return }
        }
        let receipt = Receipt(channel: "ventis", messageID: "uuid-42", acceptedAt: fixedNow, recipient: "2410661234567")
        try w.store.record(DeliveryAttempt(deliveryID: "relance-\(accepted)", number: 1, channel: "ventis", startedAt: fixedNow, finishedAt: fixedNow,
                                           result: .success(receipt)), relanceID: accepted)
        try w.store.record(DeliveryAttempt(deliveryID: "relance-\(failed)", number: 1, channel: "ventis", startedAt: fixedNow, finishedAt: fixedNow,
                                           result: .failure(.timeout(seconds: 30))), relanceID: failed)
        #expect(try w.store.settleFromLastAttempt(accepted, now: fixedNow))
        #expect(try !w.store.settleFromLastAttempt(failed, now: fixedNow))
        #expect(try !w.store.settleFromLastAttempt(unknown, now: fixedNow))
        let r = try #require(try w.store.relance(accepted))
        #expect(r.statut == .envoyee && r.canal == "ventis" && r.canalEnvoi == "0661234567" && r.notes?.contains("uuid-42") == true)
        #expect(try w.store.dossier(affectationID: w.debt)?.nombreRelances == 1)
        #expect(try !w.store.settleFromLastAttempt(accepted, now: fixedNow))   // once only
        #expect(try w.store.inProgress() == [failed, unknown])
    }

    @Test func theOperatorsOverrideIsTheRecipient() async throws {
        let w = try world()
        let mail = RecordingChannel("mail", accepts: .email)
        let id = try w.relance(.email, canal: "autre@exemple.ga")
        _ = await sender(w, dispatcher([.email: Route(channels: ["mail"])], [mail])).send(id)
        #expect(mail.deliveries.map(\.recipient) == ["autre@exemple.ga"])
    }

    @Test func aFailureIsEchecWithTheReasonAndCanBeSentAgain() async throws {
        let w = try world()
        let sms = RecordingChannel("ventis", failures: [.refused(code: "21", message: "Numéro invalide")])
        let s = sender(w, dispatcher([.sms: Route(channels: ["ventis"])], [sms]))
        let id = try w.relance(debt: w.debt)
        guard case .done(let failed) = await s.send(id) else { Issue.record("not done"); return }
        #expect(failed.statut == .echec && failed.notes == "Refusé par le fournisseur (21) : Numéro invalide")
        #expect(try w.store.dossier(affectationID: w.debt)?.nombreRelances == 0)
        guard case .done(let again) = await s.send(id) else { Issue.record("not resent"); return }
        #expect(again.statut == .envoyee)
        guard case .refused(let why) = await s.send(id) else { Issue.record("sent twice"); return }
        #expect(why == "Cette relance a déjà été envoyée")
        #expect(sms.deliveries.count == 2)
    }

    @Test func aFailingChannelFallsBackToTheNext() async throws {
        let w = try world()
        let sms = RecordingChannel("ventis", failures: [.timeout(seconds: 30), .timeout(seconds: 30)])
        let letters = RecordingChannel("letters")
        let id = try w.relance()
        guard case .done(let r) = await sender(w, dispatcher([.sms: Route(channels: ["ventis"], fallback: ["letters"])], [sms, letters])).send(id)
        else { Issue.record("not done"); return }
        #expect(r.statut == .envoyee && r.canal == "letters")
        #expect(try w.store.attempts(relanceID: id).map { "\($0.channel):\($0.outcome)" } == ["ventis:failed", "ventis:failed", "letters:sent"])
    }

    @Test func manualTypesAreRefusedAndNotClaimed() async throws {
        let w = try world()
        let id = try w.relance(.visite)
        guard case .refused(let why) = await sender(w, dispatcher([.sms: Route(channels: ["x"])], [RecordingChannel("x")])).send(id)
        else { Issue.record("a visite was sent"); return }
        #expect(why.contains("se font à la main"))
        #expect(try w.store.relance(id)?.statut == .enAttente)
    }

    @Test func noAddressIsAnEchecSayingSo() async throws {
        let w = try world(phone: nil)
        let id = try w.relance()
        guard case .done(let r) = await sender(w, dispatcher([.sms: Route(channels: ["x"])], [RecordingChannel("x")])).send(id)
        else { Issue.record("not done"); return }
        #expect(r.statut == .echec && r.notes?.contains("téléphone") == true)
    }

    @Test func twoConcurrentSendsOfOneRelanceDeliverItOnce() async throws {
        let w = try world()
        let slow = RecordingChannel("ventis", delayNanoseconds: 50_000_000)
        let s = sender(w, dispatcher([.sms: Route(channels: ["ventis"])], [slow]))
        for _ in 0..<5 {
            let id = try w.relance()
            async let a = s.send(id)
            async let b = s.send(id)
            let reports = await [a, b]
            let sent = reports.filter { if case .done(let r) = $0 { r.statut == .envoyee } else { false } }.count
            let refused = reports.filter { if case .refused = $0 { true } else { false } }.count
            #expect(sent == 1 && refused == 1)
        }
        #expect(slow.deliveries.count == 5)
    }

    /// Whether a send is a rehearsal comes from the config it was built from, or is said
    /// by whoever built the dispatcher by hand: never silently « no » for a dry-run config.
    @Test func aDryRunConfigIsARehearsalWhateverTheCallerSays() throws {
        let (_, folder) = try temporaryStore()
        let file = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"ventis": {"kind": "ventis-sms"}}, "routes": {"sms": {"channels": ["ventis"]}}, "templates": {"sms": {"text": "Bonjour {nom}", "max_segments": 2}}}"#.utf8).write(to: file)
        let config = try GatewaySetup.config(configFile: file.path, dryRun: true, environment: Environment())
        let context = ChannelContext(logger: Logger(sink: MemoryLogSink()), baseDirectory: folder)
        let runtime = try config.makeRuntime(context: context)
        #expect(runtime.isRehearsal && runtime.segmentBudgets[.sms] == 2 && runtime.templates[.sms] == "Bonjour {nom}")
        #expect(SendRuntime(dispatcher: try config.makeDispatcher(context: context), rehearsal: false).isRehearsal)
        let handBuilt = dispatcher([.sms: Route(channels: ["ventis"])], [RecordingChannel("ventis")])
        #expect(!SendRuntime(dispatcher: handBuilt, rehearsal: false).isRehearsal && SendRuntime(dispatcher: handBuilt, rehearsal: true).isRehearsal)
    }

    /// A dry run writes every message to the sink and changes nothing in the store: no
    /// claim, no attempt, no outcome, so the real campaign still sends every relance.
    @Test func aDryRunWritesTheSinkAndLeavesEveryRelanceAsItWas() async throws {
        let w = try world()
        let (_, folder) = try temporaryStore()
        let file = folder.appendingPathComponent("routing.json")
        // One message per relance (not one per taxpayer): the sink shows each was rehearsed.
        try Data(#"{"channels": {"ventis": {"kind": "ventis-sms"}}, "routes": {"sms": {"channels": ["ventis"]}}, "templates": {"sms": {"text": "{nom}", "grouper": false}}}"#.utf8).write(to: file)
        let config = try GatewaySetup.config(configFile: file.path, dryRun: true, environment: Environment())
        let d = try config.makeDispatcher(context: ChannelContext(logger: Logger(sink: MemoryLogSink()), baseDirectory: folder))
        let s = RelanceSender(store: w.store, runtime: SendRuntime(config: config, dispatcher: d), clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
        #expect(s.isRehearsal)
        let ids = try (0..<5).map { _ in try w.relance() }
        let summary = await s.send(ids, maxInFlight: 4)
        #expect(summary.sent == 5 && summary.failed == 0)
        guard case .rehearsed(let one) = await s.send(ids[0]) else { Issue.record("a single dry-run send is not a rehearsal"); return }
        #expect(one.statut == .enAttente)
        let lines = try String(contentsOf: folder.appendingPathComponent(GatewaySetup.dryRunPath), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
        for id in ids {
            let r = try #require(try w.store.relance(id))
            #expect(r.statut == .enAttente && r.canal == nil && r.notes == nil)
            #expect(try w.store.attempts(relanceID: id).isEmpty)
        }
    }

    /// More than two claim groups, with failures: every relance ends with its outcome and
    /// one attempt per try, none is left claimed, and each was delivered once.
    @Test func aLargeBatchClaimsInGroupsAndWritesEveryOutcome() async throws {
        let w = try world()
        let failures: [ChannelError?] = (0..<700).map { $0 % 10 == 3 ? .invalidRecipient("x") : nil }
        let sms = RecordingChannel("ventis", failures: failures)
        let ids = try w.store.database.transaction { (s: Session) throws(StoreError) -> [Int64] in
            try (0..<700).map { _ throws(StoreError) -> Int64 in
                try s.run("INSERT INTO relance (contribuable_id, type_relance, statut, message, montant_due, date_planifiee, created_at, updated_at) VALUES (?, 'sms', 'en_attente', 'm', 100, ?, ?, ?)",
                          [.int(w.who), .text(ISO8601.string(from: fixedNow)), .text(ISO8601.string(from: fixedNow)), .text(ISO8601.string(from: fixedNow))])
                return s.lastInsertID
            }
        }
        let summary = await sender(w, dispatcher([.sms: Route(channels: ["ventis"])], [sms])).send(ids + [999_999], maxInFlight: 24)
        #expect(summary.sent == 630 && summary.failed == 70 && summary.skipped == 1 && summary.unrecorded == 0)
        #expect(Set(sms.deliveries.map(\.id)).count == 700 && sms.deliveries.count == 700)
        let counts = try w.store.database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT statut, COUNT(*) FROM relance GROUP BY statut ORDER BY statut") { "\($0.text(0))=\($0.int(1))" }
        }
        #expect(counts == ["echec=70", "envoyee=630"])
        let attempts = try w.store.database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT COUNT(*), COUNT(DISTINCT relance_id) FROM delivery_attempt") { [$0.int(0), $0.int(1)] }
        }
        #expect(attempts == [700, 700])
    }

    /// When the store cannot write the outcomes, the batch says so and the relances stay
    /// claimed for `relances recover`; nothing is reported as recorded that is not.
    @Test func outcomesTheStoreCannotWriteAreReportedAndLeftClaimed() async throws {
        let w = try world()
        let ids = [try w.relance(), try w.relance(), try w.relance()]
        try w.store.database.execute("""
            CREATE TRIGGER refuse_outcomes BEFORE UPDATE OF statut ON relance WHEN NEW.statut = 'envoyee'
            BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END
            """)
        // Both first sends are held in the channel until both are there, so both are
        // handed off before any result fails, whatever the machine's load.
        let sms = GateChannel(name: "ventis")
        let d = Dispatcher(routes: [.sms: Route(channels: ["ventis"])], channels: ["ventis": sms], clock: ManualClock(fixedNow),
                           logger: Logger(sink: MemoryLogSink()))
        let batch = Task { await sender(w, d).send(ids, maxInFlight: 2) }
        #expect(await eventually { sms.entered == 2 })
        sms.open()
        let summary = await batch.value
        // The third is not handed to the channel once results could not be written: it
        // goes back en_attente, never sent; the two sent stay claimed, unrecorded.
        #expect(summary.sent == 2 && summary.unrecorded == 2 && sms.entered == 2)
        for id in ids.prefix(2) { #expect(try w.store.relance(id)?.statut == .envoiEnCours) }
        #expect(try w.store.relance(ids[2])?.statut == .enAttente)
        #expect(try w.store.inProgress() == Array(ids.prefix(2)))
    }

    @Test func aBatchReportsSentFailedAndSkipped() async throws {
        let w = try world()
        let sms = RecordingChannel("ventis", failures: [nil, .invalidRecipient("x"), nil])
        let ids = [try w.relance(), try w.relance(), try w.relance(), try w.relance(.appel)]
        let progress = BatchProgress(total: ids.count, clock: ManualClock(fixedNow))
        let summary = await sender(w, dispatcher([.sms: Route(channels: ["ventis"])], [sms])).send(ids, maxInFlight: 1, progress: progress)
        #expect(summary.sent == 2 && summary.failed == 1 && summary.skipped == 1)
        #expect(summary.byChannel == ["ventis": 2])
        #expect(progress.snapshot.done == 4)
    }

    @Test func statisticsCountByStatutTypeAndChannelOverADateRange() async throws {
        let w = try world()
        let sms = RecordingChannel("ventis", failures: [nil, .refused(code: "1", message: "x")])
        let s = sender(w, dispatcher([.sms: Route(channels: ["ventis"])], [sms]))
        let a = try w.relance(), b = try w.relance()
        _ = try w.relance(.email)
        _ = try w.store.create(NewRelance(contribuableID: w.who, type: .courrier, montantDue: Montant("1")!,
                                          datePlanifiee: ISO8601.date(from: "2026-01-05T10:00:00Z")!))
        _ = await s.send(a)
        _ = await s.send(b)
        let all = try w.store.statistics(from: nil, to: nil)
        #expect(all.totalRelances == 4 && all.relancesEnvoyees == 1 && all.relancesEchec == 1 && all.relancesEnAttente == 2)
        #expect(all.parType == ["sms": 2, "email": 1, "courrier": 1, "appel": 0, "visite": 0])
        #expect(all.parCanal == ["ventis": 1])
        #expect(all.tauxReponse == 0)
        let november = try w.store.statistics(from: "2026-11-01", to: "2026-11-30")
        #expect(november.totalRelances == 3 && november.parType["courrier"] == 0)
    }
}
