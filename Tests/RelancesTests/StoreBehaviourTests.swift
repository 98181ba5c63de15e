import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing

/// The store's behaviour, the same tests over every store: what the sender, the API
/// and the CLI rely on holds for SQLite and for the in-memory store alike.
@Suite struct StoreBehaviourTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, memory
        var testDescription: String { rawValue }
    }

    /// A store of `kind` with one contribuable, one tax and one debt: what sending calls,
    /// and the capabilities both stores have.
    struct World {
        let store: any RelanceStore & TaxpayerDirectory & IdempotencyKeys & ClaimRecovery
        let who: Int64
        let debt: Int64
        let addDebt: () throws -> Int64
        /// (channel, outcome, provider id) of each attempt row, in order.
        let attempts: (Int64) throws -> [String]

        init(_ kind: Kind) throws {
            let who = Contribuable(nom: "NZE", prenom: "Jean", telephone: "0661234567", email: "jean@exemple.ga", adresse: "BP 1, Akébé")
            let taxe = Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle)
            switch kind {
            case .sqlite:
                let (sqlite, _) = try temporaryStore()
                let person = try sqlite.add(who), tax = try sqlite.add(taxe)
                addDebt = { try sqlite.add(AffectationTaxe(contribuableID: person, taxeID: tax, dateDebut: day(-30))) }
                attempts = { id in try sqlite.attempts(relanceID: id).map { "\($0.channel) \($0.outcome) \($0.providerID ?? "-")" } }
                store = sqlite
                self.who = person
            case .memory:
                let memory = InMemoryRelanceStore()
                let person = memory.add(who), tax = memory.add(taxe)
                addDebt = { memory.add(AffectationTaxe(contribuableID: person, taxeID: tax, dateDebut: day(-30))) }
                attempts = { id in try memory.attempts(relanceID: id).map { "\($0.channel) \($0.outcome) \($0.providerID ?? "-")" } }
                store = memory
                self.who = person
            }
            debt = try addDebt()
        }

        @discardableResult
        func relance(_ type: RelanceType = .sms, planned: Date = fixedNow, programmee: Bool = false, message: String = "Rappel") throws -> Int64 {
            try store.create(NewRelance(contribuableID: who, affectationTaxeID: try addDebt(), type: type, montantDue: Montant("5000")!,
                                        datePlanifiee: planned, message: message, programmee: programmee)).id
        }
    }

    func receipt(_ id: Int64) -> Receipt {
        Receipt(channel: "ventis", messageID: "m-\(id)", acceptedAt: fixedNow, recipient: "+24166123456")
    }

    func attempt(_ id: Int64, _ result: Result<Receipt, ChannelError>) -> DeliveryAttempt {
        DeliveryAttempt(deliveryID: "relance-\(id)", number: 1, channel: "ventis", startedAt: fixedNow, finishedAt: fixedNow, result: result)
    }

    @Test(arguments: Kind.allCases)
    func aCreatedRelanceReadsBackAndListsByItsFilters(_ kind: Kind) throws {
        let w = try World(kind)
        let created = try w.store.create(NewRelance(contribuableID: w.who, affectationTaxeID: w.debt, type: .email, montantDue: Montant("5000")!,
                                                    datePlanifiee: fixedNow, message: "", programmee: true, acteur: "42"))
        let read = try #require(try w.store.relance(created.id))
        #expect(read == created)
        #expect(read.statut == .enAttente && read.programmee && read.acteur == "42" && read.contribuable?.email == "jean@exemple.ga")
        #expect(read.message.contains("5 000 FCFA"), "an empty message gets the office's text: \(read.message)")
        try w.relance(.sms)
        var filter = RelanceFilter()
        filter.type = .email
        #expect(try w.store.list(filter).items.map(\.id) == [created.id] && w.store.list(filter).total == 1)
        filter = RelanceFilter()
        filter.limit = 1
        #expect(try w.store.list(filter).items.count == 1 && w.store.list(filter).total == 2)
        // The business key: one relance of a type per debt and week.
        #expect(throws: StoreError.self) {
            try w.store.create(NewRelance(contribuableID: w.who, affectationTaxeID: w.debt, type: .email, montantDue: Montant("5000")!, datePlanifiee: fixedNow))
        }
    }

    @Test(arguments: Kind.allCases)
    func aClaimTakesWhatCanBeSentAndSaysWhyNotForTheRest(_ kind: Kind) throws {
        let w = try World(kind)
        let sms = try w.relance(.sms), appel = try w.relance(.appel), sent = try w.relance(.sms)
        try w.store.write([.outcome(relanceID: sent, .sent(channel: "ventis", recipient: "+24166123456", note: "ok", at: fixedNow))], now: fixedNow)
        let owner = ClaimOwner.thisProcess()
        let first = try w.store.claim([sms, appel, sent, 999_999], now: fixedNow, reserve: true, owner: owner, acteur: "7", resend: false) { $0 == .sms }
        #expect(first.claimed.map(\.id) == [sms] && first.claimed.first?.recipient == "0661234567")
        #expect(first.refused.map(\.why) == [.noRoute, .alreadySent, .notFound])
        #expect(try w.store.relance(sms)?.statut == .envoiEnCours && w.store.relance(sms)?.acteur == "7")
        #expect(try w.store.relance(sms)?.utilisateurID == 7)
        #expect(try w.store.inProgress() == [sms])
        // Nobody else can take it; « renvoyer » takes the sent one.
        let second = try w.store.claim([sms, sent], now: fixedNow, reserve: true, owner: .thisProcess(), acteur: nil, resend: true) { _ in true }
        #expect(second.claimed.map(\.id) == [sent] && second.refused.map(\.why) == [.inProgress])
        // A rehearsal's claim reads without claiming.
        let other = try w.relance(.sms)
        let rehearsal = try w.store.claim([other], now: fixedNow, reserve: false, owner: owner, acteur: nil, resend: false) { _ in true }
        #expect(try rehearsal.claimed.map(\.id) == [other] && w.store.relance(other)?.statut == .enAttente)
    }

    @Test(arguments: Kind.allCases)
    func sendRecordsMarkSentFailedAndReleased(_ kind: Kind) throws {
        let w = try World(kind)
        let ok = try w.relance(), ko = try w.relance(), back = try w.relance(), later = try w.relance()
        _ = try w.store.claim([ok, ko, back, later], now: fixedNow, reserve: true, owner: .thisProcess(), acteur: nil, resend: false) { _ in true }
        try w.store.write([.handOff(relanceID: ok, channel: "ventis", at: fixedNow)], now: fixedNow)
        #expect(try w.attempts(ok) == ["ventis remis -"])
        let opening = fixedNow.addingTimeInterval(3_600)
        try w.store.write([.attempt(attempt(ok, .success(receipt(ok))), relanceID: ok, recipient: "+24166123456", text: "Rappel"),
                           .outcome(relanceID: ok, .sent(channel: "ventis", recipient: "+24166123456", note: "Envoyé", at: fixedNow)),
                           .handOff(relanceID: ko, channel: "ventis", at: fixedNow),
                           .attempt(attempt(ko, .failure(.invalidRecipient("numéro inconnu"))), relanceID: ko, recipient: "+24166123456", text: "Rappel"),
                           .outcome(relanceID: ko, .failed(note: "numéro inconnu")),
                           .handOff(relanceID: back, channel: "ventis", at: fixedNow),
                           .release(relanceID: back, to: .enAttente, datePlanifiee: nil),
                           .release(relanceID: later, to: .enAttente, datePlanifiee: opening)], now: fixedNow)
        let sent = try #require(try w.store.relance(ok))
        #expect(sent.statut == .envoyee && sent.canal == "ventis" && sent.canalEnvoi == "+24166123456" && sent.notes == "Envoyé" && sent.dateEnvoi == fixedNow)
        #expect(try w.attempts(ok) == ["ventis sent m-\(ok)"])
        let failed = try #require(try w.store.relance(ko))
        #expect(try failed.statut == .echec && failed.notes == "numéro inconnu" && w.attempts(ko) == ["ventis failed -"])
        // Put back, nothing tried: no attempt left behind.
        #expect(try w.store.relance(back)?.statut == .enAttente && w.attempts(back).isEmpty)
        // Put off by a window: planned for the opening, and scheduled.
        let deferred = try #require(try w.store.relance(later))
        #expect(deferred.statut == .enAttente && deferred.datePlanifiee == opening && deferred.programmee)
        #expect(try w.store.inProgress().isEmpty)
    }

    @Test(arguments: Kind.allCases)
    func pendingIsOldestPlanFirstAndScheduledOnlyWhenAsked(_ kind: Kind) throws {
        let w = try World(kind)
        let late = try w.relance(planned: fixedNow.addingTimeInterval(-60), programmee: true)
        let early = try w.relance(planned: fixedNow.addingTimeInterval(-3_600))
        try w.relance(planned: fixedNow.addingTimeInterval(3_600), programmee: true)   // not due yet
        try w.relance(.appel, planned: fixedNow.addingTimeInterval(-60))               // not a type asked for
        #expect(try w.store.pending(limit: 10, now: fixedNow, types: [.sms], scheduledOnly: false) == [early, late])
        #expect(try w.store.pending(limit: 1, now: fixedNow, types: [.sms], scheduledOnly: false) == [early])
        #expect(try w.store.pending(limit: 10, now: fixedNow, types: [.sms], scheduledOnly: true) == [late])
    }

    @Test(arguments: Kind.allCases)
    func statisticsCountByStatutTypeAndChannel(_ kind: Kind) throws {
        let w = try World(kind)
        let a = try w.relance(), b = try w.relance()
        try w.relance(.email)
        try w.store.write([.outcome(relanceID: a, .sent(channel: "ventis", recipient: "x", note: "", at: fixedNow)),
                           .outcome(relanceID: b, .failed(note: "non"))], now: fixedNow)
        let stats = try w.store.statistics(from: nil, to: nil)
        #expect(stats.totalRelances == 3 && stats.relancesEnvoyees == 1 && stats.relancesEchec == 1 && stats.relancesEnAttente == 1)
        #expect(stats.parType["sms"] == 2 && stats.parType["email"] == 1 && stats.parType["courrier"] == 0)
        #expect(stats.parCanal == ["ventis": 1])
        #expect(try w.store.statistics(from: day(1), to: nil).totalRelances == 0)
    }

    /// The sender runs on either store: a batch, a single send, « renvoyer », a rehearsal.
    @Test(arguments: Kind.allCases)
    func theSenderSendsThroughEitherStore(_ kind: Kind) async throws {
        let w = try World(kind)
        let sms = RecordingChannel("ventis", failures: [nil, .invalidRecipient("x")])
        let sender = RelanceSender(store: w.store, runtime: SendRuntime(dispatcher: dispatcher([.sms: Route(channels: ["ventis"])], [sms]), rehearsal: false),
                                   clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
        let ids = [try w.relance(), try w.relance(), try w.relance(.appel)]
        let summary = await sender.send(ids, maxInFlight: 2)
        #expect(summary.sent == 1 && summary.failed == 1 && summary.skipped == 1)
        let sent = try #require(try ids.first { try w.store.relance($0)?.statut == .envoyee })
        guard case .refused(let why) = await sender.send(sent) else { Issue.record("a sent relance sent again"); return }
        #expect(why == "Cette relance a déjà été envoyée")
        guard case .done(let again) = await sender.send(sent, resend: true, acteur: "9") else { Issue.record("not resent"); return }
        #expect(again.statut == .envoyee && again.acteur == "9" && sms.deliveries.count == 3)
        #expect(try w.attempts(sent).count == 2)

        let rehearsal = RelanceSender(store: w.store, runtime: SendRuntime(dispatcher: dispatcher([.sms: Route(channels: ["ventis"])], [sms]), rehearsal: true),
                                      clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
        let fresh = try w.relance()
        guard case .rehearsed = await rehearsal.send(fresh) else { Issue.record("not rehearsed"); return }
        #expect(try w.store.relance(fresh)?.statut == .enAttente && w.attempts(fresh).isEmpty && sms.deliveries.count == 4)
    }

    /// One pipeline: a relance sent alone leaves exactly the records a batch leaves.
    @Test(arguments: Kind.allCases)
    func aSingleSendAndABatchLeaveTheSameRecords(_ kind: Kind) async throws {
        let w = try World(kind)
        // A retry, then accepted: two attempts each.
        let sms = RecordingChannel("ventis", failures: [.timeout(seconds: 1), nil, .timeout(seconds: 1), nil])
        let sender = RelanceSender(store: w.store, runtime: SendRuntime(dispatcher: dispatcher([.sms: Route(channels: ["ventis"])], [sms]), rehearsal: false),
                                   clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
        let alone = try w.relance(), batched = try w.relance()
        _ = await sender.send(alone, acteur: "3")
        _ = await sender.send([batched], maxInFlight: 4, acteur: "3")
        let a = try #require(try w.store.relance(alone)), b = try #require(try w.store.relance(batched))
        #expect(a.statut == .envoyee && b.statut == .envoyee)
        #expect(a.canal == b.canal && a.canalEnvoi == b.canalEnvoi && a.dateEnvoi == b.dateEnvoi && a.acteur == b.acteur && a.utilisateurID == b.utilisateurID)
        #expect(a.notes?.replacingOccurrences(of: "relance-\(alone)", with: "relance-X") == b.notes?.replacingOccurrences(of: "relance-\(batched)", with: "relance-X"))
        let shape = { (id: Int64) throws -> [String] in try w.attempts(id).map { $0.replacingOccurrences(of: "relance-\(id)", with: "relance-X") } }
        #expect(try shape(alone) == shape(batched) && shape(alone).count == 2)
    }

    @Test(arguments: Kind.allCases)
    func aTaxpayerIsFoundByEitherNameOrderOrPhoneAndTheirNewPhoneIsWhereUnsentRelancesGo(_ kind: Kind) throws {
        let w = try World(kind)
        let who = try #require(try w.store.contribuable(w.who))
        #expect(who.nom == "NZE" && who.telephone == "0661234567")
        #expect(try w.store.contribuable(999_999) == nil)
        for term in ["nze", "Jean NZÉ", "nzé jean", "66 12 34", "+241 66 12 34 567", ""] {
            #expect(try w.store.searchContribuables(term, limit: 10, actif: nil).map(\.id) == [w.who], "« \(term) »")
        }
        #expect(try w.store.searchContribuables("ondo", limit: 10, actif: nil).isEmpty)
        #expect(try w.store.searchContribuables("nze", limit: 10, actif: false).isEmpty)
        #expect(try w.store.searchContribuables("nze", limit: 10, actif: true).map(\.id) == [w.who])

        let unsent = try w.relance(.sms)
        // The list finds a taxpayer's relances the same way.
        var filter = RelanceFilter()
        filter.recherche = "Nzé Jean"
        #expect(try w.store.list(filter).items.map(\.id) == [unsent])
        filter.recherche = "ondo"
        #expect(try w.store.list(filter).total == 0)
        let changed = try w.store.updateContact(w.who, ContactPatch(telephone: "077001122", email: .some(nil)))
        #expect(changed?.telephone == "077001122" && changed?.email == nil && changed?.adresse == "BP 1, Akébé")
        #expect(try w.store.updateContact(999_999, ContactPatch(telephone: "077001122")) == nil)
        #expect(try w.store.searchContribuables("77 00 11", limit: 10, actif: nil).map(\.id) == [w.who])
        // Read at send: the relance made before the change goes to the new number.
        let claim = try w.store.claim([unsent], now: fixedNow, reserve: true, owner: .thisProcess(), acteur: nil, resend: false) { _ in true }
        #expect(claim.claimed.first?.recipient == "077001122")
    }

    @Test(arguments: Kind.allCases)
    func anIdempotencyKeyRunsItsRequestOnceThenReplaysItsAnswer(_ kind: Kind) throws {
        let w = try World(kind)
        let scope = IdempotencyScope(key: "k-1", method: "POST", path: "/api/relances", caller: "")
        let day: TimeInterval = 86_400
        #expect(try w.store.claimIdempotencyKey(scope, fingerprint: "a", owner: "p1", now: fixedNow, lifetime: day) == .claimed)
        // Running: the same process is told to wait, a later one that the first was cut.
        #expect(try w.store.claimIdempotencyKey(scope, fingerprint: "a", owner: "p1", now: fixedNow, lifetime: day) == .inProgress(interrupted: false))
        #expect(try w.store.claimIdempotencyKey(scope, fingerprint: "a", owner: "p2", now: fixedNow, lifetime: day) == .inProgress(interrupted: true))
        #expect(try w.store.claimIdempotencyKey(scope, fingerprint: "b", owner: "p1", now: fixedNow, lifetime: day) == .mismatch)
        // Only its owner completes it; then every repetition gets the first answer.
        let answer = IdempotentAnswer(status: 201, contentType: "application/json", body: Data(#"{"id":1}"#.utf8))
        try w.store.completeIdempotencyKey(scope, owner: "p2", answer: IdempotentAnswer(status: 500, contentType: nil, body: Data()))
        try w.store.completeIdempotencyKey(scope, owner: "p1", answer: answer)
        try w.store.releaseIdempotencyKey(scope, owner: "p1")
        #expect(try w.store.claimIdempotencyKey(scope, fingerprint: "a", owner: "p2", now: fixedNow, lifetime: day) == .replay(answer))
        // Another caller's key of the same name is another key; released, it runs again.
        let other = IdempotencyScope(key: "k-1", method: "POST", path: "/api/relances", caller: "someone")
        #expect(try w.store.claimIdempotencyKey(other, fingerprint: "a", owner: "p1", now: fixedNow, lifetime: day) == .claimed)
        try w.store.releaseIdempotencyKey(other, owner: "p1")
        #expect(try w.store.claimIdempotencyKey(other, fingerprint: "a", owner: "p1", now: fixedNow, lifetime: day) == .claimed)
        // Past its lifetime a key is forgotten.
        #expect(try w.store.claimIdempotencyKey(scope, fingerprint: "b", owner: "p1", now: fixedNow.addingTimeInterval(day + 1), lifetime: day) == .claimed)
    }

    /// `relances recover`'s rules: what a stopped sender left is settled from its
    /// accepted attempt, put back when never handed off, closed as unknown when handed.
    @Test(arguments: Kind.allCases)
    func claimsAStoppedSenderLeftAreSettledPutBackOrClosed(_ kind: Kind) throws {
        let w = try World(kind)
        let accepted = try w.relance(), untouched = try w.relance(), handed = try w.relance()
        let owner = ClaimOwner.thisProcess()
        _ = try w.store.claim([accepted, untouched, handed], now: fixedNow, reserve: true, owner: owner, acteur: nil, resend: false) { _ in true }
        try w.store.write([.handOff(relanceID: accepted, channel: "ventis", at: fixedNow),
                           .attempt(attempt(accepted, .success(receipt(accepted))), relanceID: accepted),
                           .handOff(relanceID: handed, channel: "ventis", at: fixedNow)], now: fixedNow)
        let held = try w.store.heldClaims()
        #expect(held.map(\.id) == [accepted, untouched, handed] && held.allSatisfy { $0.owner == owner.token })
        #expect(held.map(\.handed) == [true, false, true])

        #expect(try w.store.settleFromLastAttempt(untouched, now: fixedNow) == false)
        #expect(try w.store.settleFromLastAttempt(accepted, now: fixedNow))
        let settled = try #require(try w.store.relance(accepted))
        #expect(settled.statut == .envoyee && settled.canal == "ventis" && settled.dateEnvoi == fixedNow && settled.canalEnvoi == "0661234567")
        #expect(settled.notes?.contains("m-\(accepted)") == true)

        // A description gone stale changes nothing.
        var stale = held[1]
        stale.handed = true
        #expect(try w.store.putBack(stale, now: fixedNow) == false)
        #expect(try w.store.putBack(held[1], now: fixedNow))
        #expect(try w.store.putBack(held[1], now: fixedNow) == false)
        let back = try #require(try w.store.relance(untouched))
        #expect(back.statut == .enAttente && back.programmee)

        #expect(try w.store.closeUnknown(held[2], note: "Issue inconnue", now: fixedNow))
        #expect(try w.store.relance(handed)?.statut == .echec && w.store.relance(handed)?.notes == "Issue inconnue")
        #expect(try w.store.attempts(relanceID: handed).map(\.outcome) == ["inconnu"])
        #expect(try w.store.heldClaims().isEmpty)
    }
}
