import Foundation
import Gateway
import Synchronization

/// Who a batch is and what it may claim, as the sender hands it to the store.
public struct SendingBatch: Sendable {
    /// Whose the claims are (their lease is renewed while the batch runs).
    public var owner: ClaimOwner
    /// Who had the batch sent, recorded on each relance claimed (nil keeps the last).
    public var acteur: String?
    /// A dry run: claims only read, records are dropped.
    public var rehearsal: Bool
    /// « Renvoyer »: sent relances may be claimed again.
    public var resend: Bool
    /// The types a channel sends; the others are refused (`noRoute`) at the claim.
    public var routable: @Sendable (RelanceType) -> Bool

    public init(owner: ClaimOwner = .thisProcess(), acteur: String? = nil, rehearsal: Bool, resend: Bool = false,
                routable: @escaping @Sendable (RelanceType) -> Bool) {
        self.owner = owner
        self.acteur = acteur
        self.rehearsal = rehearsal
        self.resend = resend
        self.routable = routable
    }
}

/// One batch's way into the store: claims a group at a time, the hand-off written
/// before each network call, the results. How they are written (a call each, or a
/// transaction per group of results) is the store's business.
public protocol SendingSession: Sendable {
    /// Claims `ids` (see ``RelanceStore/claim(_:now:reserve:owner:acteur:resend:routable:)``);
    /// a claim the store could not make claims nothing and carries its ``BatchClaim/failure``.
    func claim(_ ids: [Int64]) async -> BatchClaim
    /// Writes a hand-off and returns once it is written: true when it was, so the
    /// message may go; false when it could not be, and the message must not go.
    func handOff(_ record: SendRecord) async -> Bool
    /// Queues a send's records (its attempts, then its outcome or release), written
    /// together in one transaction.
    func submit(_ records: [SendRecord])
    /// Writes what is queued and ends the session; answers the relances whose results
    /// could not be written (they stay `envoi_en_cours`, for `relances recover`).
    func close() async -> Set<Int64>
}

/// The session of a store without group commit: each call claims or writes at once,
/// through ``RelanceStore``. Once a write fails nothing more is claimed or handed off,
/// as with SQLite: a batch never goes on sending messages it cannot record.
final class DirectSendingSession: SendingSession {
    private struct State {
        var failed: Set<Int64> = []
        var broken = false
    }

    private let store: any RelanceStore
    private let batch: SendingBatch
    private let clock: any GatewayClock
    private let logger: Logger
    private let state = Mutex(State())

    init(store: any RelanceStore, batch: SendingBatch, clock: any GatewayClock, logger: Logger) {
        self.store = store
        self.batch = batch
        self.clock = clock
        self.logger = logger
    }

    func claim(_ ids: [Int64]) async -> BatchClaim {
        if state.withLock({ $0.broken }) { return BatchClaim(refused: ids.map { ($0, .notFound) }) }
        do {
            return try store.claim(ids, now: clock.now(), reserve: !batch.rehearsal, owner: batch.owner, acteur: batch.acteur,
                                   resend: batch.resend, routable: batch.routable)
        } catch {
            logger.error("could not claim a group of relances; they stay as they were", ["relances": ids.count, "error": error.description])
            return BatchClaim(refused: ids.map { ($0, .notFound) }, failure: error)
        }
    }

    func handOff(_ record: SendRecord) async -> Bool {
        guard !batch.rehearsal else { return true }
        if state.withLock({ $0.broken }) { return false }
        do {
            try store.write([record], now: clock.now())
            return true
        } catch {
            logger.error("could not record the hand-off; nothing sent", ["relance": record.relanceID, "error": error.description])
            state.withLock { $0.broken = true }
            return false
        }
    }

    func submit(_ records: [SendRecord]) {
        guard !records.isEmpty, !batch.rehearsal else { return }
        do {
            try store.write(records, now: clock.now())
        } catch {
            logger.error("could not write a send's results; the relance stays envoi_en_cours for `relances recover`",
                         ["relance": records[0].relanceID, "error": error.description])
            state.withLock { s in
                s.broken = true
                s.failed.formUnion(records.map(\.relanceID))
            }
        }
    }

    func close() async -> Set<Int64> { state.withLock { $0.failed } }
}
