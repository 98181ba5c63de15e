import Foundation
import Gateway
import Synchronization

/// Sends relances through the gateway: claim (so nobody else sends it), build the
/// delivery, dispatch (routes, retries, fallback), record every attempt, write the
/// outcome. Safe to call from many tasks at once.
public final class RelanceSender: Sendable {
    public let store: SQLiteRelanceStore
    public let dispatcher: Dispatcher
    let clock: any GatewayClock
    let logger: Logger
    private let stopping = Mutex(false)

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
        /// A dry run wrote it to the sink; the relance is unchanged.
        case rehearsed(Relance)
        /// The store failed (French, for the API's `detail`): before anything was sent,
        /// or after, when the send's result could not be written (the relance then stays
        /// `envoi_en_cours`, for `relances recover`). A server error, never the client's.
        case storeFailed(String)
    }

    /// A dry run: every message goes to the sink, and no relance is claimed or marked,
    /// so the real campaign afterwards still sends every one.
    public var isRehearsal: Bool { dispatcher.config?.isDryRun == true }

    /// The types a channel sends (the others are done by hand, or left out of the config).
    public var routedTypes: [RelanceType] { RelanceType.allCases.filter { dispatcher.route(for: $0) != nil } }

    /// Claims nothing more, from now on: the batches running finish the sends in flight,
    /// record them, put back what they had claimed and not started, and return; a single
    /// send not yet claimed is refused. For a shutdown (SIGTERM).
    public func stopClaiming() { stopping.withLock { $0 = true } }

    public var isStopping: Bool { stopping.withLock { $0 } }

    /// Sends one relance. A sent one is refused unless `resend` (« renvoyer »: the
    /// operator's explicit new send, with its own attempts and ledger entries). `acteur`
    /// (who asked, through the API) is recorded on it and on its ledger entries.
    public func send(_ id: Int64, resend: Bool = false, acteur: String? = nil) async -> Report {
        do {
            return try await attempt(id, resend: resend, acteur: acteur)
        } catch {
            logger.error("send failed in the store", ["relance": id, "error": error.description])
            return .storeFailed("Erreur de la base de données, rien n'a été envoyé : \(error)")
        }
    }

    private func attempt(_ id: Int64, resend: Bool, acteur: String?) async throws(StoreError) -> Report {
        guard let current = try store.relance(id) else { return .notFound }
        if current.statut == .envoyee && !resend { return .refused("Cette relance a déjà été envoyée") }
        guard dispatcher.route(for: current.type) != nil else { return .refused(noRouteMessage(current.type)) }
        if isStopping { return .refused(Self.stoppedMessage) }
        if isRehearsal {
            guard current.statut == .enAttente || current.statut == .echec || (resend && current.statut == .envoyee) else {
                return .refused(current.statut == .annulee ? "Cette relance est annulée" : "Cette relance est déjà en cours d'envoi")
            }
            let end = await deliver(claimed(current, previous: current.statut)) { _ in }
            if case .failed(let note) = end.kind { return .refused(note) }
            return .rehearsed(current)
        }
        let relance: Relance
        let owner = ClaimOwner.thisProcess()
        switch try store.claim(id, now: clock.now(), owner: owner, resend: resend, acteur: acteur) {
        case .claimed(let r): relance = r
        case .notFound: return .notFound
        case .alreadySent: return .refused("Cette relance a déjà été envoyée")
        case .inProgress: return .refused("Cette relance est déjà en cours d'envoi")
        case .cancelled: return .refused("Cette relance est annulée")
        case .noRoute: return .refused(noRouteMessage(current.type))
        }
        let store = self.store, logger = self.logger, clock = self.clock
        // The claim's lease, renewed while the send runs (retries may take a while).
        let lease = Task {
            while !Task.isCancelled {
                try await Task.sleep(nanoseconds: UInt64(ClaimOwner.renewal * 1e9))
                try? store.renewClaims(of: owner, now: clock.now())
            }
        }
        defer { lease.cancel() }
        let end = await deliver(claimed(relance, previous: current.statut), handOff: { record in
            do { try store.write([record], now: clock.now()) } catch {
                logger.error("could not record the hand-off; nothing sent", ["relance": id, "error": "\(error)"])
                return false
            }
            return true
        }) { attempt in
            do { try store.record(attempt, relanceID: id) } catch {
                logger.error("could not record an attempt", ["relance": id, "error": "\(error)"])
            }
        }
        do { try store.write([end.record], now: clock.now()) } catch {
            let what = switch end.kind {
            case .sent: "le message a été transmis"
            case .failed: "l'envoi a échoué"
            case .noRoute, .deferred, .stopped: "rien n'a été envoyé"
            }
            logger.error("could not write a send's result; the relance stays envoi_en_cours", ["relance": id, "error": "\(error)"])
            return .storeFailed("Résultat non enregistré (\(what)) : \(error). La relance reste « envoi_en_cours » : "
                                + "`relances recover` la résoudra")
        }
        switch end.kind {
        case .noRoute(let type): return .refused(noRouteMessage(type))
        case .stopped: return .refused(Self.stoppedMessage)
        case .deferred: return .deferred(try store.relance(id) ?? relance)
        case .sent, .failed: return .done(try store.relance(id) ?? relance)
        }
    }

    static let stoppedMessage = "Envoi interrompu (arrêt du service) : la relance n'a pas été envoyée"

    func claimed(_ r: Relance, previous: RelanceStatut) -> ClaimedRelance {
        let who = r.contribuable ?? Contribuable(nom: "", prenom: "")
        return ClaimedRelance(id: r.id, type: r.type, message: r.message, recipient: who.recipient(for: r.type, override: r.canalEnvoi),
                              contribuableID: r.contribuableID, previous: previous,
                              details: ClaimedRelance.details(id: r.id, nom: who.nom, prenom: who.prenom, montant: r.montantDue,
                                                              echeance: r.dateEcheance.map { ISO8601.string(from: $0) },
                                                              taxe: r.affectationTaxe?.taxe?.nom))
    }

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
                                metadata: relance.details.merging(["relance_id": String(id), "contribuable_id": String(relance.contribuableID)]) { $1 })
        if relance.type == .sms, let budget = dispatcher.config?.segmentBudgets[.sms] {
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
    }

    /// Sends every id with at most `maxInFlight` at once; answers the summary. In a dry
    /// run the summary counts what would have been sent, and the store is not written.
    ///
    /// Ids are claimed a group at a time, just ahead of the senders, and results are
    /// written by group commit (``OutcomeWriter``): a transaction per group of results,
    /// not five per message. A send's attempts are written with its outcome.
    public func send(_ batch: [Int64], maxInFlight: Int = 32, progress: BatchProgress? = nil, acteur: String? = nil) async -> Summary {
        let routed = Set(routedTypes)
        let writer = OutcomeWriter(store: store, clock: clock, logger: logger, rehearsal: isRehearsal, acteur: acteur) { routed.contains($0) }
        // Several debts of one taxpayer go as one message (RelanceSender+Grouping).
        let (ids, groups) = groupsForThisRun(batch)
        // Groups of four times the sends in flight (32 to 256): large enough that claims
        // cost little; a crash leaves them claimed, but never handed off, which
        // `relances recover` puts back on its own.
        let claims = ClaimQueue(ids: ids, group: min(256, max(32, 4 * maxInFlight)), writer: writer) { [self] in isStopping }
        let summary = SummaryBox()
        // Grouped sends run beside the others, a quarter of the sends in flight, so the
        // batch keeps its order in time (a run's letters stay one PDF).
        let groupSenders = groups.isEmpty ? 0 : max(1, maxInFlight / 4)
        await withTaskGroup(of: Void.self) { group in
            if groupSenders > 0 {
                group.addTask { [self] in
                    await sendGroups(groups, writer: writer, maxInFlight: groupSenders, summary: summary, progress: progress)
                }
            }
            for _ in 0..<max(1, min(maxInFlight - groupSenders, ids.count)) {
                group.addTask { [self] in
                    while !Task.isCancelled, !isStopping, let next = await claims.next() {
                        switch next {
                        case .refused:
                            summary.skip()
                            progress?.skipped()
                        case .claimed(let relance):
                            // A send's attempts and its outcome go to the writer together,
                            // so they commit in one transaction: a relance is never marked
                            // sent without its attempts and ledger entries, nor the reverse.
                            let attempts = RecordBuffer()
                            let end = await deliver(relance, handOff: { await writer.handOff($0) }) { attempt in
                                attempts.append(.attempt(attempt, relanceID: relance.id, recipient: relance.recipient, text: relance.message))
                            }
                            writer.submit(attempts.records + [end.record])
                            switch end.kind {
                            case .sent(let channel):
                                summary.sent(channel: channel)
                                progress?.sent()
                            case .failed(let note):
                                summary.failed(note: note)
                                progress?.failed()
                            case .noRoute, .stopped:
                                summary.skip()
                                progress?.skipped()
                            case .deferred:
                                summary.deferred()
                                progress?.skipped()
                            }
                        }
                    }
                }
            }
        }
        // Claimed but never started (the batch was cancelled): put back as they were,
        // once no claim is on its way (one asked for just before the end included).
        claims.close()
        repeat { await writer.flush() } while await claims.awaitingClaim()
        let leftovers = claims.drain()
        writer.submit(leftovers.map { .release(relanceID: $0.id, to: $0.previous, datePlanifiee: nil) })
        let unwritten = await writer.close()
        var result = summary.value
        result.skipped += leftovers.count
        result.unrecorded = unwritten.count
        return result
    }
}

/// The ids of a batch, claimed a group at a time just ahead of the senders (the next
/// group is asked for when half of the current one is handed out), so a crash leaves
/// at most two groups plus what is in flight `envoi_en_cours`.
final class ClaimQueue: Sendable {
    enum Next: Sendable {
        case claimed(ClaimedRelance)
        case refused(Int64)
    }

    private struct State {
        var position = 0
        var ready: [Next] = []
        var readIndex = 0
        var requested = false
        var waiters: [CheckedContinuation<Next?, Never>] = []
        /// The batch is over: ask for nothing more.
        var closed = false
    }

    private let state = Mutex(State())
    private let ids: [Int64]
    private let group: Int
    private let writer: OutcomeWriter
    /// The sender is stopping: claim no more.
    private let stopped: @Sendable () -> Bool

    init(ids: [Int64], group: Int, writer: OutcomeWriter, stopped: @escaping @Sendable () -> Bool = { false }) {
        self.ids = ids
        self.group = max(1, group)
        self.writer = writer
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
        writer.claim(ids) { [self] claim in arrived(claim) }
    }

    private func arrived(_ claim: BatchClaim) {
        let (resumes, request) = state.withLock { (s: inout State) -> ([(CheckedContinuation<Next?, Never>, Next?)], [Int64]?) in
            s.requested = false
            s.ready.removeFirst(s.readIndex)
            s.readIndex = 0
            s.ready += claim.claimed.map { .claimed($0) } + claim.refused.map { .refused($0.id) }
            var resumes: [(CheckedContinuation<Next?, Never>, Next?)] = []
            while !s.waiters.isEmpty && s.readIndex < s.ready.count {
                resumes.append((s.waiters.removeFirst(), s.ready[s.readIndex]))
                s.readIndex += 1
            }
            let request = requestIfLow(&s)
            if request == nil && !s.requested {
                // Nothing more will come: whoever still waits is done.
                resumes += s.waiters.map { ($0, nil) }
                s.waiters = []
            }
            return (resumes, request)
        }
        for (waiter, next) in resumes { waiter.resume(returning: next) }
        if let request { ask(request) }
    }

    /// Asks for no more claims.
    func close() { state.withLock { $0.closed = true } }

    /// Whether a claim asked for has not arrived yet (after a short pause, so one being
    /// handed to the writer has reached it when the caller flushes again).
    func awaitingClaim() async -> Bool {
        guard state.withLock({ $0.requested }) else { return false }
        try? await Task.sleep(nanoseconds: 1_000_000)
        return state.withLock { $0.requested }
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
    func skip() { state.withLock { $0.skipped += 1 } }
    func deferred() { state.withLock { $0.deferred += 1 } }
    var value: RelanceSender.Summary { state.withLock { $0 } }
}
