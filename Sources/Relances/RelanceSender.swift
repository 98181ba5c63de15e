import Foundation
import Gateway
import Synchronization

/// Sends relances through the gateway: claim (so nobody else sends it), build the
/// delivery, dispatch (routes, retries, fallback), record every attempt, write the
/// outcome. One pipeline: a single send is a batch of one. Safe to call from many tasks
/// at once.
public final class RelanceSender: Sendable {
    public let store: any RelanceStore
    /// What it sends with: the dispatcher, rehearsal or not, templates, budgets, windows.
    public let runtime: SendRuntime
    let clock: any GatewayClock
    let logger: Logger
    private let stopping = Mutex(false)

    public init(store: any RelanceStore, runtime: SendRuntime, clock: any GatewayClock = SystemClock(), logger: Logger = Logger()) {
        self.store = store
        self.runtime = runtime
        self.clock = clock
        self.logger = logger.labelled("sender")
    }

    public var dispatcher: Dispatcher { runtime.dispatcher }

    /// How one send ended.
    public enum Report: Sendable {
        /// Sent or failed: the relance as now stored (its statut says which).
        case done(Relance)
        /// Nothing was sent, and why (French, for the API's `detail`).
        case refused(String)
        case notFound
        /// Outside the channel's send window: back to `en_attente`, planned for the opening.
        case deferred(Relance)
        /// A dry run wrote it to the sink; the relance is unchanged.
        case rehearsed(Relance)
        /// The store failed (French, for the API's `detail`): before anything was sent,
        /// or after, when the send's result could not be written (the relance then stays
        /// `envoi_en_cours`, for `relances recover`). A server error, never the client's.
        case storeFailed(String)
    }

    /// A dry run: every message goes to the sink, and no relance is claimed or marked,
    /// so the real campaign afterwards still sends every one.
    public var isRehearsal: Bool { runtime.isRehearsal }

    /// The types a channel sends (the others are done by hand, or left out of the config).
    public var routedTypes: [RelanceType] { runtime.routedTypes }

    /// Claims nothing more, from now on: the batches running finish the sends in flight,
    /// record them, put back what they had claimed and not started, and return; a single
    /// send not yet claimed is refused. For a shutdown (SIGTERM).
    public func stopClaiming() { stopping.withLock { $0 = true } }

    public var isStopping: Bool { stopping.withLock { $0 } }

    /// Sends one relance: a batch of one, through the same pipeline as a campaign. A
    /// sent one is refused unless `resend` (« renvoyer »: the operator's explicit new
    /// send, with its own attempts and ledger entries). `acteur` (who asked, through the
    /// API) is recorded on it and on its ledger entries.
    public func send(_ id: Int64, resend: Bool = false, acteur: String? = nil) async -> Report {
        let current: Relance
        do {
            guard let found = try store.relance(id) else { return .notFound }
            current = found
        } catch {
            return storeFailedBeforeSending(id, error)
        }
        if current.statut == .envoyee && !resend { return .refused("Cette relance a déjà été envoyée") }
        guard dispatcher.route(for: current.type) != nil else { return .refused(noRouteMessage(current.type)) }
        let one = Mutex<Step?>(nil)
        let run = await pipeline([id], maxInFlight: 1, resend: resend, acteur: acteur) { step in one.withLock { $0 = step } }
        do {
            return try report(of: one.withLock { $0 }, current: current, unwritten: run.unwritten)
        } catch {
            return storeFailedBeforeSending(id, error)
        }
    }

    private func storeFailedBeforeSending(_ id: Int64, _ error: StoreError) -> Report {
        logger.error("send failed in the store", ["relance": id, "error": error.description])
        return .storeFailed("Erreur de la base de données, rien n'a été envoyé : \(error)")
    }

    /// The single send's answer, from what the pipeline did with it.
    private func report(of step: Step?, current: Relance, unwritten: Set<Int64>) throws(StoreError) -> Report {
        let id = current.id
        switch step {
        case nil:
            return .refused(Self.stoppedMessage)   // stopping: never claimed
        case .refused(_, let why, let failure):
            if let failure { throw failure }
            switch why {
            case .notFound: return .notFound
            case .noRoute: return .refused(noRouteMessage(current.type))
            default: return .refused(refusal(why))
            }
        case .ended(_, let end):
            if isRehearsal {
                if case .failed(let note) = end.kind { return .refused(note) }
                return .rehearsed(current)
            }
            if unwritten.contains(id) {
                let what = switch end.kind {
                case .sent: "le message a été transmis"
                case .failed: "l'envoi a échoué"
                case .noRoute, .deferred, .stopped: "rien n'a été envoyé"
                }
                return .storeFailed("Résultat non enregistré (\(what)). La relance reste « envoi_en_cours » : "
                                    + "`relances recover` la résoudra")
            }
            switch end.kind {
            case .noRoute(let type): return .refused(noRouteMessage(type))
            case .stopped: return .refused(Self.stoppedMessage)
            case .deferred: return .deferred(try store.relance(id) ?? current)
            case .sent, .failed: return .done(try store.relance(id) ?? current)
            }
        }
    }

    /// Why a relance was not claimed, as the operator reads it.
    func refusal(_ why: ClaimResult) -> String {
        switch why {
        case .notFound: "Relance non trouvée"
        case .alreadySent: "Cette relance a déjà été envoyée"
        case .inProgress, .claimed: "Cette relance est déjà en cours d'envoi"
        case .cancelled: "Cette relance est annulée"
        case .noRoute: "Aucun canal n'envoie ce type de relance"
        }
    }

    static let stoppedMessage = "Envoi interrompu (arrêt du service) : la relance n'a pas été envoyée"

    func noRouteMessage(_ type: RelanceType) -> String {
        type.address == nil
            ? "Les relances de type « \(type.rawValue) » se font à la main : aucun canal ne les envoie"
            : "Aucun canal n'est configuré pour les relances de type « \(type.rawValue) »"
    }

    /// How a claimed relance's send ended, and the record that says so.
    struct End: Sendable {
        enum Kind: Sendable { case sent(channel: String), failed(note: String), noRoute(RelanceType), deferred, stopped }
        var kind: Kind
        var record: SendRecord
    }

    /// Sends a claimed relance through the dispatcher (routes, retries, fallback),
    /// calling `onAttempt` after each attempt; answers the outcome to write. What cannot
    /// go (no address, an empty text, a text over the type's segment budget) fails here,
    /// before any network call; what can is first handed off (`handOff` writes the
    /// record, and says whether it could: if not, nothing goes).
    func deliver(_ relance: ClaimedRelance, handOff: @Sendable (SendRecord) async -> Bool = { _ in true },
                 onAttempt: @Sendable (DeliveryAttempt) async -> Void) async -> End {
        let id = relance.id
        func fail(_ note: String) -> End { End(kind: .failed(note: note), record: .outcome(relanceID: id, .failed(note: note))) }
        guard let recipient = relance.recipient else {
            let what = relance.type == .sms ? "téléphone" : relance.type == .email ? "adresse e-mail" : "adresse postale"
            return fail("Aucun(e) \(what) pour ce contribuable : relance non envoyée")
        }
        guard !relance.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return fail("Message vide : relance non envoyée. Écrivez le texte, ou créez-la sans message pour que le modèle le remplisse")
        }
        let delivery = Delivery(id: "relance-\(id)", type: relance.type, recipient: recipient,
                                subject: "Rappel de paiement - Mairie de Libreville", body: relance.message,
                                metadata: relance.details.merging(["relance_id": String(id), "contribuable_id": String(relance.contribuableID)]) { $1 },
                                envelope: relance.envelope)
        if relance.type == .sms, let budget = runtime.segmentBudgets[.sms] {
            let text = dispatcher.check(delivery)?.check.text ?? relance.message
            let segments = SMSText.segments(text)
            if segments > budget {
                return fail("Message trop long : \(segments) segments SMS, le maximum configuré (max_segments) est \(budget). "
                            + "Raccourcissez le texte : relance non envoyée")
            }
        }
        guard let channel = dispatcher.route(for: relance.type)?.all.first else {
            return End(kind: .noRoute(relance.type), record: .release(relanceID: id, to: relance.previous, datePlanifiee: nil))
        }
        guard await handOff(.handOff(relanceID: id, channel: channel, at: clock.now())) else {
            return End(kind: .stopped, record: .release(relanceID: id, to: relance.previous, datePlanifiee: nil))
        }
        switch await dispatcher.send(delivery, onAttempt: onAttempt) {
        case .delivered(let receipt, _):
            return End(kind: .sent(channel: receipt.channel),
                       record: .outcome(relanceID: id, .sent(channel: receipt.channel, recipient: receipt.recipient,
                                                             note: note(for: receipt), at: receipt.acceptedAt)))
        case .failed(let error, _) where error == .cancelled || (error.isRetryable && Task.isCancelled):
            // Stopped (shutdown) before it could be sent, or between retries: not sent,
            // so it goes back as it was, for the next run.
            return End(kind: .stopped, record: .release(relanceID: id, to: relance.previous, datePlanifiee: nil))
        case .failed(let error, _):
            return End(kind: .failed(note: error.description), record: .outcome(relanceID: id, .failed(note: error.description)))
        case .noRoute(let type):
            return End(kind: .noRoute(type), record: .release(relanceID: id, to: relance.previous, datePlanifiee: nil))
        case .deferred(let until):
            return End(kind: .deferred, record: .release(relanceID: id, to: .enAttente, datePlanifiee: until))
        }
    }

    /// The note the office reads: the channel's own words from its receipt, else one
    /// naming the channel and the provider's id. No channel is known by name here.
    func note(for receipt: Receipt) -> String {
        receipt.note.isEmpty ? "Envoyé via \(receipt.channel). ID: \(receipt.messageID)" : receipt.note
    }

    /// What a batch did.
    public struct Summary: Sendable, Equatable {
        public var sent = 0
        public var failed = 0
        public var skipped = 0
        /// Outside their channel's send window: back `en_attente`, planned for the opening.
        public var deferred = 0
        /// Failure notes with their counts, most frequent first.
        public var reasons: [String: Int] = [:]
        /// Sent per channel.
        public var byChannel: [String: Int] = [:]
        /// Sent or failed, but the store could not write it (full disk…): those stay
        /// `envoi_en_cours`, for `relances recover`.
        public var unrecorded = 0
        /// The relances of the batch not sent, each with why in the operator's words
        /// (already sent, cancelled, being sent by someone else, no channel, stopped).
        public var notSent: [Int64: String] = [:]
    }

    /// Sends every id with at most `maxInFlight` at once; answers the summary. In a dry
    /// run the summary counts what would have been sent, and the store is not written.
    public func send(_ ids: [Int64], maxInFlight: Int = 32, progress: BatchProgress? = nil, acteur: String? = nil) async -> Summary {
        let summary = SummaryBox()
        let run = await pipeline(ids, maxInFlight: maxInFlight, resend: false, acteur: acteur) { step in
            switch step {
            case .refused(let id, let why, let failure):
                summary.skip(id, failure.map { "Erreur de la base de données, rien n'a été envoyé : \($0)" } ?? self.refusal(why))
                progress?.skipped()
            case .ended(let id, let end):
                switch end.kind {
                case .sent(let channel):
                    summary.sent(channel: channel)
                    progress?.sent()
                case .failed(let note):
                    summary.failed(note: note)
                    progress?.failed()
                case .noRoute(let type):
                    summary.skip(id, self.noRouteMessage(type))
                    progress?.skipped()
                case .stopped:
                    summary.skip(id, Self.stoppedMessage)
                    progress?.skipped()
                case .deferred:
                    summary.deferred()
                    progress?.skipped()
                }
            }
        }
        var result = summary.value
        result.skipped += run.leftovers
        result.unrecorded = run.unwritten.count
        return result
    }

    /// What became of one relance of a batch.
    enum Step: Sendable {
        /// Not claimed, and why (with the store's error when the claim itself failed).
        case refused(Int64, ClaimResult, StoreError?)
        /// Claimed and sent (or failed, deferred, put back).
        case ended(Int64, End)
    }

    /// The pipeline every send goes through, one relance or a campaign: claim a group
    /// at a time just ahead of the senders, hand off, dispatch, record. `observe` hears
    /// each relance's step once. Answers the relances whose results the store could not
    /// write, and how many were claimed but never started (a cancelled batch).
    ///
    /// Ids are claimed a group at a time, just ahead of the senders, and results go to
    /// the store's sending session (SQLite commits them a group a transaction, not five
    /// per message). A send's attempts are written with its outcome.
    func pipeline(_ ids: [Int64], maxInFlight: Int, resend: Bool, acteur: String?,
                  observe: @escaping @Sendable (Step) -> Void) async -> (unwritten: Set<Int64>, leftovers: Int) {
        let routed = Set(routedTypes)
        let session = store.openSending(SendingBatch(acteur: acteur, rehearsal: isRehearsal, resend: resend) { routed.contains($0) },
                                        clock: clock, logger: logger)
        // Several debts of one taxpayer go as one message (RelanceSender+Grouping); an
        // operator's « renvoyer » of one relance never is.
        let (singles, groups) = resend ? (ids, []) : groupsForThisRun(ids)
        // Groups of four times the sends in flight (32 to 256): large enough that claims
        // cost little; a crash leaves them claimed, but never handed off, which
        // `relances recover` puts back on its own.
        let claims = ClaimQueue(ids: singles, group: min(256, max(32, 4 * maxInFlight)), session: session) { [self] in isStopping }
        // Grouped sends run beside the others, a quarter of the sends in flight, so the
        // batch keeps its order in time (a run's letters stay one PDF).
        let groupSenders = groups.isEmpty ? 0 : max(1, maxInFlight / 4)
        await withTaskGroup(of: Void.self) { group in
            if groupSenders > 0 {
                group.addTask { [self] in
                    await sendGroups(groups, session: session, maxInFlight: groupSenders, observe: observe)
                }
            }
            for _ in 0..<max(1, min(maxInFlight - groupSenders, singles.count)) {
                group.addTask { [self] in
                    while !Task.isCancelled, !isStopping, let next = await claims.next() {
                        switch next {
                        case .refused(let id, let why, let failure):
                            observe(.refused(id, why, failure))
                        case .claimed(let relance):
                            // A send's attempts and its outcome go to the store together,
                            // so they commit in one transaction: a relance is never marked
                            // sent without its attempts and ledger entries, nor the reverse.
                            let attempts = RecordBuffer()
                            let end = await deliver(relance, handOff: { await session.handOff($0) }) { attempt in
                                attempts.append(.attempt(attempt, relanceID: relance.id, recipient: relance.recipient, text: relance.message))
                            }
                            session.submit(attempts.records + [end.record])
                            observe(.ended(relance.id, end))
                        }
                    }
                }
            }
        }
        // Claimed but never started (the batch was cancelled): put back as they were,
        // once the claim on its way (if any) has arrived.
        await claims.close()
        let leftovers = claims.drain()
        session.submit(leftovers.map { .release(relanceID: $0.id, to: $0.previous, datePlanifiee: nil) })
        return (await session.close(), leftovers.count)
    }
}

/// The ids of a batch, claimed a group at a time just ahead of the senders (the next
/// group is asked for when half of the current one is handed out), so a crash leaves
/// at most two groups plus what is in flight `envoi_en_cours`.
final class ClaimQueue: Sendable {
    enum Next: Sendable {
        case claimed(ClaimedRelance)
        case refused(Int64, ClaimResult, StoreError?)
    }

    private struct State {
        var position = 0
        var ready: [Next] = []
        var readIndex = 0
        var requested = false
        var waiters: [CheckedContinuation<Next?, Never>] = []
        /// The batch is over: ask for nothing more.
        var closed = false
        /// Who waits for the claim on its way to arrive (the end of a batch).
        var closing: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let ids: [Int64]
    private let group: Int
    private let session: any SendingSession
    /// The sender is stopping: claim no more.
    private let stopped: @Sendable () -> Bool

    init(ids: [Int64], group: Int, session: any SendingSession, stopped: @escaping @Sendable () -> Bool = { false }) {
        self.ids = ids
        self.group = max(1, group)
        self.session = session
        self.stopped = stopped
    }

    /// The next relance to send, nil when the batch is all handed out.
    func next() async -> Next? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Next?, Never>) in
            let (answer, request) = state.withLock { (s: inout State) -> (Next??, [Int64]?) in
                if s.readIndex < s.ready.count {
                    defer { s.readIndex += 1 }
                    return (.some(s.ready[s.readIndex]), nil)
                }
                if (s.position >= ids.count || stopped()) && !s.requested { return (.some(nil), nil) }
                s.waiters.append(continuation)
                return (nil, nil)
            }
            if let answer { continuation.resume(returning: answer) }
            if let request = request ?? prefetch() { ask(request) }
        }
    }

    /// The next group's ids when the current one is half handed out and none is asked for.
    private func prefetch() -> [Int64]? {
        state.withLock { s in requestIfLow(&s) }
    }

    private func requestIfLow(_ s: inout State) -> [Int64]? {
        guard !s.requested, !s.closed, !stopped(), s.position < ids.count, s.ready.count - s.readIndex <= group / 2 else { return nil }
        let slice = Array(ids[s.position..<min(ids.count, s.position + group)])
        s.position += slice.count
        s.requested = true
        return slice
    }

    private func ask(_ ids: [Int64]) {
        Task { [self] in arrived(await session.claim(ids)) }
    }

    private func arrived(_ claim: BatchClaim) {
        let (resumes, request, closing) = state.withLock { (s: inout State) -> ([(CheckedContinuation<Next?, Never>, Next?)], [Int64]?, [CheckedContinuation<Void, Never>]) in
            s.requested = false
            s.ready.removeFirst(s.readIndex)
            s.readIndex = 0
            s.ready += claim.claimed.map { .claimed($0) } + claim.refused.map { .refused($0.id, $0.why, claim.failure) }
            var resumes: [(CheckedContinuation<Next?, Never>, Next?)] = []
            while !s.waiters.isEmpty && s.readIndex < s.ready.count {
                resumes.append((s.waiters.removeFirst(), s.ready[s.readIndex]))
                s.readIndex += 1
            }
            let request = requestIfLow(&s)
            var closing: [CheckedContinuation<Void, Never>] = []
            if request == nil && !s.requested {
                // Nothing more will come: whoever still waits is done.
                resumes += s.waiters.map { ($0, nil) }
                s.waiters = []
                closing = s.closing
                s.closing = []
            }
            return (resumes, request, closing)
        }
        for (waiter, next) in resumes { waiter.resume(returning: next) }
        for waiter in closing { waiter.resume() }
        if let request { ask(request) }
    }

    /// Asks for no more claims, and returns once the claim on its way (if any) has
    /// arrived: what it claimed is then in ``drain()``.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                s.closed = true
                if !s.requested { return true }
                s.closing.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// What was claimed and not handed out (a cancelled batch).
    func drain() -> [ClaimedRelance] {
        state.withLock { s in
            defer { s.readIndex = s.ready.count }
            return s.ready[s.readIndex...].compactMap { if case .claimed(let r) = $0 { r } else { nil } }
        }
    }
}


/// The records of one send, gathered while it runs.
final class RecordBuffer: Sendable {
    private let state = Mutex<[SendRecord]>([])
    func append(_ record: SendRecord) { state.withLock { $0.append(record) } }
    var records: [SendRecord] { state.withLock { $0 } }
}

final class SummaryBox: Sendable {
    private let state = Mutex(RelanceSender.Summary())
    func sent(channel: String) { state.withLock { $0.sent += 1; $0.byChannel[channel, default: 0] += 1 } }
    func failed(note: String) { state.withLock { $0.failed += 1; $0.reasons[note, default: 0] += 1 } }
    func skip(_ id: Int64, _ why: String) { state.withLock { $0.skipped += 1; $0.notSent[id] = why } }
    func deferred() { state.withLock { $0.deferred += 1 } }
    var value: RelanceSender.Summary { state.withLock { $0 } }
}
