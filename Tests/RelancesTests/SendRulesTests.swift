import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing
import TestKit

/// Nothing goes out that the office did not ask to send, and statuses move only as
/// the README's « Statuts » table says.
@Suite struct SendRulesTests {
    /// « Générer seulement » and a manual entry without a date leave relances pending:
    /// the scheduler sends only those an operator scheduled (a date given, or « programmer »).
    @Test func theSchedulerSendsOnlyWhatAnOperatorScheduled() async throws {
        let w = try ScheduledSenderTests().world()
        let held = try w.store.create(NewRelance(contribuableID: w.who, type: .courrier, montantDue: Montant("5000")!,
                                                 datePlanifiee: w.time.now().addingTimeInterval(-60), message: "Rappel")).id
        let scheduled = try w.relance(plannedIn: -60)
        let programmed = try w.store.create(NewRelance(contribuableID: w.who, type: .courrier, montantDue: Montant("5000")!,
                                                       datePlanifiee: w.time.now().addingTimeInterval(-60), message: "Rappel")).id
        #expect(try w.store.relance(programmed)?.programmee == false)
        #expect(try w.store.schedule(programmed, at: w.time.now().addingTimeInterval(-1), now: w.time.now())?.programmee == true)
        let scheduler = ScheduledSender(sender: try w.sender(log: Logger(sink: MemoryLogSink())), options: .init(interval: 60), clock: w.time,
                                        logger: Logger(sink: MemoryLogSink()))
        let report = try #require(await scheduler.runBatch())
        #expect(report.due == 2 && report.sent == 2)
        #expect(try w.statut(held) == .enAttente && w.statut(scheduled) == .envoyee && w.statut(programmed) == .envoyee)
        #expect(w.sinkLines() == 2)
        #expect(try #require(await scheduler.runBatch()).due == 0)   // still pending, still not sent
        // Put back pending by an operator, a failed scheduled one waits to be scheduled again.
        #expect(try w.store.schedule(held, at: w.time.now().addingTimeInterval(3_600), now: w.time.now())?.programmee == true)
        #expect(throws: StoreError.self) { try w.store.schedule(scheduled, at: w.time.now(), now: w.time.now()) }   // sent
    }

    /// `max_segments` is a budget the send keeps, not only a figure of the pre-flight:
    /// a text over it is `echec` with the reason, and no channel is called.
    @Test func aTextOverTheSegmentBudgetFailsBeforeAnyNetworkCall() async throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456"))
        var config = RoutingConfig(file: "t", channels: [:], routes: [.sms: Route(channels: ["ventis"])])
        config.segmentBudgets = [.sms: 2]
        let sms = RecordingChannel("ventis")
        let dispatcher = Dispatcher(routes: config.routes, channels: ["ventis": sms], clock: ManualClock(fixedNow),
                                    logger: Logger(sink: MemoryLogSink()), config: config)
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
        func relance(_ text: String) throws -> Int64 {
            try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: fixedNow, message: text)).id
        }
        let long = try relance(String(repeating: "Rappel de paiement. ", count: 10_000))
        guard case .done(let r) = await sender.send(long) else { Issue.record("not done"); return }
        #expect(r.statut == .echec && r.notes?.contains("Message trop long : 1308 segments SMS, le maximum configuré (max_segments) est 2") == true,
                "\(r.notes ?? "")")
        let inBatch = try relance(String(repeating: "x", count: 400))
        let fits = try relance("Rappel : 5000 FCFA")
        let summary = await sender.send([inBatch, fits])
        #expect(summary.failed == 1 && summary.sent == 1)
        #expect(sms.deliveries.map(\.body) == ["Rappel : 5000 FCFA"])
        #expect(try store.attempts(relanceID: long).isEmpty && store.attempts(relanceID: inBatch).isEmpty)
    }

    /// What an operator's `PUT` may do: never `envoyee` nor `envoi_en_cours`, nothing to
    /// a relance being sent, a sent one never pending again, a cancellation with its reason.
    @Test func anOperatorsChangeFollowsTheStatusMachine() throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456"))
        func relance() throws -> Int64 {
            try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: fixedNow, message: "Rappel")).id
        }
        func refused(_ id: Int64, _ patch: RelancePatch) -> StoreError? {
            do { _ = try store.update(id, patch); return nil } catch { return error }
        }
        let pending = try relance()
        guard case .conflict = refused(pending, RelancePatch(statut: .envoyee, dateEnvoi: .some(fixedNow))) else { Issue.record("envoyee set"); return }
        guard case .conflict = refused(pending, RelancePatch(statut: .envoiEnCours)) else { Issue.record("envoi_en_cours set"); return }
        guard case .conflict = refused(pending, RelancePatch(statut: .echec)) else { Issue.record("echec set"); return }
        #expect(refused(pending, RelancePatch(dateEnvoi: .some(fixedNow))) == .unprocessable(field: "date_envoi", reason: "seule une relance envoyée a une date d'envoi"))
        #expect(refused(pending, RelancePatch(statut: .annulee)) == .unprocessable(field: "notes", reason: "indiquez la raison de l'annulation"))
        #expect(try store.relance(pending)?.statut == .enAttente && store.attempts(relanceID: pending).isEmpty)
        #expect(try store.update(pending, RelancePatch(statut: .annulee, notes: "Numéro erroné"))?.statut == .annulee)
        #expect(try store.update(pending, RelancePatch(statut: .enAttente))?.statut == .enAttente)

        let claimed = try relance()
        _ = try store.claim(claimed, now: fixedNow)
        guard case .conflict = refused(claimed, RelancePatch(statut: .enAttente)) else { Issue.record("a claim put back"); return }
        guard case .conflict = refused(claimed, RelancePatch(notes: "x")) else { Issue.record("a claim touched"); return }
        try store.finish(claimed, outcome: .sent(channel: "ventis", recipient: "24166123456", note: "SMS envoyé", at: fixedNow), now: fixedNow)
        guard case .conflict = refused(claimed, RelancePatch(statut: .enAttente)) else { Issue.record("a sent one pending again"); return }
        guard case .conflict = refused(claimed, RelancePatch(statut: .annulee, notes: "trop tard")) else { Issue.record("a sent one cancelled"); return }
        let answered = try store.update(claimed, RelancePatch(reponseRecue: true, notes: "A promis de payer"))
        #expect(answered?.statut == .envoyee && answered?.reponseRecue == true)
    }

    /// A scheduled relance stays scheduled through a `PUT` that leaves it pending; one
    /// put back pending from `annulee` waits, unscheduled.
    @Test func puttingBackPendingUnschedulesOnlyWhatWasNotPending() throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456"))
        let id = try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: fixedNow,
                                             message: "Rappel", programmee: true)).id
        #expect(try store.update(id, RelancePatch(statut: .enAttente, notes: "vu"))?.programmee == true)
        _ = try store.update(id, RelancePatch(statut: .annulee, notes: "erreur"))
        #expect(try store.update(id, RelancePatch(statut: .enAttente))?.programmee == false)
    }

    /// Whose a claim is: this process is not gone; a process that ended is, at once,
    /// whatever its lease; another host's owner is judged by its lease alone.
    @Test func aClaimIsLiveWhileItsOwnerRunsAndItsLeaseHolds() throws {
        let now = Date()
        let mine = ClaimOwner.thisProcess().token
        #expect(!ClaimOwner.isGone(mine))
        #expect(HeldClaim(id: 1, owner: mine, lease: now.addingTimeInterval(20), handed: true).isLive(now: now))
        #expect(!HeldClaim(id: 1, owner: mine, lease: now.addingTimeInterval(-1), handed: true).isLive(now: now))
        #expect(!HeldClaim(id: 1, owner: nil, lease: nil, handed: true).isLive(now: now))
        let ended = try Spawned("/bin/true", [])
        ended.waitUntilExit()
        let parts = mine.split(separator: " ")
        let dead = "\(parts[0]) \(ended.processIdentifier) \(parts[2]) batch"
        #expect(ClaimOwner.isGone(dead))
        #expect(!HeldClaim(id: 1, owner: dead, lease: now.addingTimeInterval(20), handed: true).isLive(now: now))
        let elsewhere = "another-host 1 1 batch"
        #expect(!ClaimOwner.isGone(elsewhere))
        #expect(HeldClaim(id: 1, owner: elsewhere, lease: now.addingTimeInterval(20), handed: true).isLive(now: now))
    }

    /// An e-mail relance given a phone as its override goes to the taxpayer's e-mail.
    @Test func anEmailNeverGoesToAPhoneNumber() {
        let who = Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456", email: "jean@exemple.ga")
        #expect(who.recipient(for: .email, override: "077 12 34 56") == "jean@exemple.ga")
        #expect(who.recipient(for: .email, override: "autre@exemple.ga") == "autre@exemple.ga")
        #expect(who.recipient(for: .sms, override: "077 12 34 56") == "077 12 34 56")
    }
}

/// `relances programmer`, the CLI's « programmer », and `relances list` marking it.
@Suite struct ProgrammerCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func programmerSchedulesAndListShowsIt() async throws {
        let (store, folder) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456"))
        let id = try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: Date(), message: "Rappel")).id
        let db = store.database.path
        let log = folder.appendingPathComponent("out.log")
        #expect(try await RelancesProgram.run(["list", "--db", db], output: log) == 0)
        #expect(try !String(contentsOf: log, encoding: .utf8).contains("programmée"))
        #expect(try await RelancesProgram.run(["programmer", "\(id)", "--at", "2031-03-02T07:30:00Z", "--db", db], output: log) == 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("relance \(id) : programmée pour le 2031-03-02T07:30:00Z"))
        #expect(try store.relance(id)?.programmee == true)
        #expect(try await RelancesProgram.run(["list", "--db", db], output: log) == 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("en_attente     programmée"))
        #expect(try await RelancesProgram.run(["programmer", "\(id)", "--at", "2020-01-01", "--db", db], output: log) == 2)
        #expect(try await RelancesProgram.run(["programmer", "424242", "--at", "2031-03-02T07:30:00Z", "--db", db], output: log) == 1)
    }
}
