import Foundation
import Gateway
import Synchronization

/// Sends, every ``Options/interval`` seconds, the relances an operator scheduled whose
/// planned date has come, so they go out without anyone clicking (`relances serve` runs
/// one). Only scheduled ones (`programmee`: a date given at creation, or the
/// « programmer » action): what « Générer seulement » or a manual entry without a date
/// left `en_attente` stays there until someone sends or schedules it.
///
/// One batch at a time: the scheduled `en_attente` relances due now, of the types a channel
/// sends, oldest first, at most ``Options/batchSize``, sent through ``RelanceSender``
/// with at most ``Options/maxInFlight`` at once. A relance a send window puts off goes
/// back `en_attente` with a later planned date, and a later tick picks it up. A full
/// batch is followed at once by the next, so a backlog drains without waiting; not in a
/// rehearsal (a dry run), which claims nothing: the same relances stay due, and the
/// next batch would take them again at once, forever.
///
/// ``stop()`` lets the sends in flight finish and claims nothing more: the relances of
/// the batch not yet started stay `en_attente`, none is left `envoi_en_cours`.
public final class ScheduledSender: Sendable {
    public struct Options: Sendable {
        /// Seconds between two looks at the store (positive).
        public var interval: Double
        /// Relances taken in one batch.
        public var batchSize: Int
        /// Sends at once.
        public var maxInFlight: Int
        /// Relances handed to the sender together; ``ScheduledSender/stop()`` waits for
        /// the current group at most.
        public var chunkSize: Int

        public init(interval: Double = 60, batchSize: Int = 1_000, maxInFlight: Int = 16, chunkSize: Int? = nil) {
            self.interval = interval
            self.batchSize = max(1, batchSize)
            self.maxInFlight = max(1, maxInFlight)
            self.chunkSize = max(1, chunkSize ?? self.maxInFlight * 4)
        }
    }

    /// What one batch did.
    public struct BatchReport: Sendable, Equatable {
        /// Relances found due.
        public var due = 0
        public var sent = 0
        public var failed = 0
        /// Put off by a send window: `en_attente` again, planned later.
        public var deferred = 0
        /// Not sent for another reason (refused, taken by another sender).
        public var skipped = 0
        /// Due but not started because ``ScheduledSender/stop()`` came: still `en_attente`.
        public var notStarted = 0

        public init() {}
    }

    public let options: Options
    let sender: RelanceSender
    let clock: any GatewayClock
    let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var loop: Task<Void, Never>?
        var sleeper: Task<Void, any Error>?
        var stopping = false
        var batchRunning = false
    }

    public init(sender: RelanceSender, options: Options = Options(), clock: any GatewayClock = SystemClock(),
                logger: Logger = Logger()) {
        precondition(options.interval > 0, "the schedule interval must be positive (0 means: do not start one)")
        self.sender = sender
        self.options = options
        self.clock = clock
        self.logger = logger.labelled("scheduler")
    }

    /// Starts the loop (the first batch runs at once). Calling it again does nothing.
    public func start() {
        state.withLock { s in
            guard s.loop == nil, !s.stopping else { return }
            s.loop = Task.detached { [self] in await loop() }
        }
    }

    /// Stops claiming, lets the sends in flight finish, and returns once the loop has
    /// ended. The store may be closed afterwards.
    public func stop() async {
        let loop = state.withLock { s in
            s.stopping = true
            s.sleeper?.cancel()
            return s.loop
        }
        await loop?.value
    }

    /// Whether ``stop()`` was called.
    public var isStopping: Bool { state.withLock { $0.stopping } }

    private func loop() async {
        logger.info("scheduled sending every \(options.interval) s", ["batch": options.batchSize, "max_in_flight": options.maxInFlight])
        while !isStopping {
            if let report = await runBatch(), report.due == options.batchSize, report.sent + report.failed > 0,
               !sender.isRehearsal {
                continue   // a full batch that made progress: more are probably due
            }
            // Only the wait is cancelled by stop(), never a batch.
            let clock = self.clock, interval = options.interval
            let sleeper = Task { try await clock.sleep(seconds: interval) }
            let asleep = state.withLock { s -> Bool in
                if s.stopping { sleeper.cancel(); return false }
                s.sleeper = sleeper
                return true
            }
            guard asleep else { break }
            _ = try? await sleeper.value
            state.withLock { $0.sleeper = nil }
        }
        logger.info("scheduled sending stopped")
    }

    /// Runs one batch now; nil when one is already running (two never overlap).
    @discardableResult
    public func runBatch() async -> BatchReport? {
        let free = state.withLock { s -> Bool in
            if s.batchRunning { return false }
            s.batchRunning = true
            return true
        }
        guard free else { return nil }
        defer { state.withLock { $0.batchRunning = false } }

        var report = BatchReport()
        let now = clock.now()
        let types = sender.routedTypes
        let ids: [Int64]
        do {
            ids = try sender.store.pending(limit: options.batchSize, now: now, types: types, scheduledOnly: true)
        } catch {
            logger.error("could not list the relances due; will try again at the next tick", ["error": "\(error)"])
            return report
        }
        report.due = ids.count
        var start = 0
        while start < ids.count {
            if isStopping {
                report.notStarted = ids.count - start
                break
            }
            let chunk = Array(ids[start..<min(start + options.chunkSize, ids.count)])
            start += chunk.count
            let summary = await sender.send(chunk, maxInFlight: options.maxInFlight)
            report.sent += summary.sent
            report.failed += summary.failed
            report.deferred += summary.deferred
            report.skipped += summary.skipped
            if summary.unrecorded > 0 {
                logger.error("results the store could not write: those relances stay envoi_en_cours; run `relances recover`",
                             ["relances": summary.unrecorded])
            }
        }
        let fields: KeyValuePairs<String, Any> = ["due": report.due, "sent": report.sent, "failed": report.failed,
                                                  "deferred": report.deferred, "skipped": report.skipped, "not_started": report.notStarted]
        if report.due == 0 {
            logger.debug("scheduled batch: nothing due", fields)
        } else {
            logger.info(report.notStarted > 0 ? "scheduled batch stopped early: the rest stays en_attente" : "scheduled batch", fields)
        }
        return report
    }
}
