import Foundation
import Gateway

/// A batch's one user of the database, on a thread of its own: it claims groups of
/// relances for the senders and writes their results by group commit (whatever arrived
/// while the last transaction ran goes into the next one: under load hundreds of results
/// a transaction, when quiet one). Senders never wait on the disk, and nothing contends
/// for the connection.
///
/// A crash loses the records not yet committed (the group being written and what
/// queued behind it, a few milliseconds' worth): their relances stay `envoi_en_cours`,
/// which `relances recover` resolves. Nothing is marked sent that was not.
///
/// A group that cannot be written (the database locked past its busy timeout, a full
/// disk) is tried again, four times over about three seconds. If it still fails, its
/// relances stay `envoi_en_cours`, and no more are claimed: a batch never goes on
/// sending messages it cannot record.
///
/// SQLite's calls block (on the disk, on another process's lock up to the busy
/// timeout): hence a thread of its own rather than a task, so the cooperative pool
/// never waits on the disk. `@unchecked Sendable` because its state is shared with that
/// thread under an `NSCondition` rather than a `Mutex` (the thread waits on it): every
/// `var` below is read and written with `condition` held, and the `let`s are Sendable.
final class OutcomeWriter: SendingSession, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [SendRecord] = []
    private var claims: [(ids: [Int64], done: @Sendable (BatchClaim) -> Void)] = []
    private var submitted = 0
    private var written = 0
    private var stopping = false
    private var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var failedIDs: Set<Int64> = []
    /// Hand-offs not written (or refused once broken): those messages did not go, and
    /// their release says what became of them.
    private var refusedHandOffs: Set<Int64> = []
    /// A group could not be written even after retries: claim nothing more.
    private var broken = false

    /// The longest a result waits for its group, and the group size that ends the wait.
    static let linger = 0.010
    static let groupTarget = 1_000
    /// Pauses before writing a failed group again.
    static let retryDelays: [Double] = [0.1, 0.4, 1, 1.5]

    private let store: any RelanceStore
    private let clock: any GatewayClock
    private let logger: Logger
    /// Whose the claims are (their lease is renewed every ``ClaimOwner/renewal`` seconds
    /// while the writer runs, so `relances recover` leaves them alone), who had them
    /// sent, whether it is a dry run (claims only read, records dropped).
    private let batch: SendingBatch
    private var rehearsal: Bool { batch.rehearsal }
    var owner: ClaimOwner { batch.owner }

    init(store: any RelanceStore, batch: SendingBatch, clock: any GatewayClock, logger: Logger) {
        self.batch = batch
        self.store = store
        self.clock = clock
        self.logger = logger
        // A thread: SQLite's calls block on the disk and on other processes' locks.
        let thread = Thread { [self] in run() }
        thread.name = "relances-writer"
        thread.start()
    }

    /// Queues records; they are written in order, soon, in a transaction of a group.
    func submit(_ records: [SendRecord]) {
        guard !records.isEmpty, !rehearsal else { return }
        condition.lock()
        queue += records
        submitted += records.count
        condition.signal()
        condition.unlock()
    }

    /// Claims `ids`, before any pending write (senders are waiting for them). A claim
    /// that fails claims nothing.
    func claim(_ ids: [Int64]) async -> BatchClaim {
        await withCheckedContinuation { continuation in
            claim(ids) { continuation.resume(returning: $0) }
        }
    }

    /// Queues a claim, answered to `done` on the writer's thread.
    private func claim(_ ids: [Int64], done: @escaping @Sendable (BatchClaim) -> Void) {
        condition.lock()
        claims.append((ids, done))
        submitted += 1
        condition.signal()
        condition.unlock()
    }

    /// Writes a hand-off and returns once it is committed: true when it was, so the
    /// message may go; false when it could not be written, and the message must not go.
    func handOff(_ record: SendRecord) async -> Bool {
        guard !rehearsal else { return true }
        submit([record])
        await flush()
        return !failed(record.relanceID)
    }

    private func failed(_ id: Int64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return failedIDs.contains(id) || refusedHandOffs.contains(id)
    }

    /// Returns once everything submitted before the call is written (or failed).
    func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if let ready = wait(continuation) { ready.resume() }
        }
    }

    /// Registers a waiter, or hands it back when there is nothing to wait for.
    private func wait(_ continuation: CheckedContinuation<Void, Never>) -> CheckedContinuation<Void, Never>? {
        condition.lock()
        defer { condition.unlock() }
        if written >= submitted { return continuation }
        waiters.append((submitted, continuation))
        return nil
    }

    /// Writes what is queued, then lets the thread end. Answers the relances whose
    /// records could not be written (they stay as the store last had them).
    func close() async -> Set<Int64> {
        await flush()
        return stop()
    }

    private func stop() -> Set<Int64> {
        condition.lock()
        defer { condition.unlock() }
        stopping = true
        condition.signal()
        return failedIDs
    }

    private func run() {
        var renewal = Date().addingTimeInterval(ClaimOwner.renewal)
        while true {
            if Date() >= renewal {
                // Due again in any case: a rehearsal holds no claim, but must not spin here.
                renewal = Date().addingTimeInterval(ClaimOwner.renewal)
                if !rehearsal {
                    do { try store.renewClaims(of: owner, now: clock.now()) } catch {
                        logger.warning("could not renew the lease of this batch's claims", ["error": error.description])
                    }
                }
            }
            condition.lock()
            while queue.isEmpty && claims.isEmpty && !stopping && Date() < renewal { _ = condition.wait(until: renewal) }
            if queue.isEmpty && claims.isEmpty && !stopping {
                condition.unlock()
                continue   // time to renew the lease
            }
            // Let a group fill for a moment: each commit rewrites the pages it touches
            // (the status index, the counters, the attempts' last page) into the WAL, so
            // ten commits of 50 cost several times one of 500. Claims and flushes do not wait.
            let deadline = Date().addingTimeInterval(Self.linger)
            while claims.isEmpty && waiters.isEmpty && !stopping && queue.count < Self.groupTarget && Date() < deadline {
                _ = condition.wait(until: deadline)
            }
            if queue.isEmpty && claims.isEmpty {
                condition.unlock()
                return
            }
            let group = queue
            let claiming = claims
            queue = []
            claims = []
            let refuseClaims = broken
            condition.unlock()

            for request in claiming {
                if refuseClaims {
                    request.done(BatchClaim(claimed: [], refused: request.ids.map { ($0, .notFound) }))
                    continue
                }
                do {
                    request.done(try store.claim(request.ids, now: clock.now(), reserve: !rehearsal, owner: owner, acteur: batch.acteur,
                                                 resend: batch.resend, routable: batch.routable))
                } catch {
                    logger.error("could not claim a group of relances; they stay as they were", ["relances": request.ids.count, "error": error.description])
                    request.done(BatchClaim(claimed: [], refused: request.ids.map { ($0, .notFound) }, failure: error))
                }
            }
            // Once results could not be written, nothing more is handed to a channel.
            var refused: Set<Int64> = []
            var writable = group
            if refuseClaims {
                writable = group.filter { if case .handOff = $0 { refused.insert($0.relanceID); return false } else { return true } }
            }
            // Hand-offs queued ahead of every result of the group go in a transaction of
            // their own: they were asked for before any of these results could fail, so
            // another relance's result that cannot be written does not refuse them. A
            // hand-off queued after a result shares its fate (the batch is then broken).
            let lead = writable.prefix { if case .handOff = $0 { true } else { false } }
            let failed = lead.isEmpty || lead.count == writable.count
                ? write(writable) : write(Array(lead)).union(write(Array(writable.dropFirst(lead.count))))
            // A failed hand-off is no lost result: its message does not go.
            let results = Set(writable.compactMap { (record: SendRecord) -> Int64? in if case .handOff = record { nil } else { record.relanceID } })
            refused.formUnion(failed.subtracting(results))

            condition.lock()
            written += group.count + claiming.count
            failedIDs.formUnion(failed.intersection(results))
            refusedHandOffs.formUnion(refused)
            if !failed.isEmpty { broken = true }
            let ready = waiters.filter { $0.target <= written }
            waiters.removeAll { $0.target <= written }
            condition.unlock()
            for waiter in ready { waiter.continuation.resume() }
        }
    }

    /// Writes a group, trying again after a failure; answers the relances of a group
    /// that could not be written at all.
    private func write(_ group: [SendRecord]) -> Set<Int64> {
        guard !group.isEmpty else { return [] }
        var delays = Self.retryDelays[...]
        while true {
            do {
                try store.write(group, now: clock.now())
                return []
            } catch {
                guard let delay = delays.popFirst() else {
                    let failed = writeEach(group)
                    logger.error("could not write a group of send results; their relances stay envoi_en_cours for `relances recover`, "
                                 + "and the batch claims no more", ["records": group.count, "unwritten": failed.count, "error": error.description])
                    return failed
                }
                logger.warning("could not write a group of send results; trying again", ["records": group.count, "error": error.description,
                                                                                          "in_seconds": delay])
                Thread.sleep(forTimeInterval: delay)
            }
        }
    }

    /// A group that could not be written, written again one relance at a time, so what
    /// one relance's records cannot do (a full page, a trigger) does not leave the others
    /// unrecorded. Its hand-offs are not tried again: those messages do not go. Answers
    /// the relances left unwritten, hand-offs included.
    private func writeEach(_ group: [SendRecord]) -> Set<Int64> {
        var order: [Int64] = []
        var byRelance: [Int64: [SendRecord]] = [:]
        var failed: Set<Int64> = []
        for record in group {
            if case .handOff = record { failed.insert(record.relanceID); continue }
            if byRelance[record.relanceID] == nil { order.append(record.relanceID) }
            byRelance[record.relanceID, default: []].append(record)
        }
        for id in order {
            do { try store.write(byRelance[id]!, now: clock.now()) } catch { failed.insert(id) }
        }
        return failed
    }
}
