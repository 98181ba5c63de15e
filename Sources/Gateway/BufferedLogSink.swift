import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A sink that takes a record into a bounded buffer and returns, one writer thread
/// formatting and writing the buffers out every few milliseconds: the server's access
/// log costs a request thread an append, not a write to standard error (9 % of
/// `serve`'s CPU under load, and a request waiting whenever the terminal or the
/// journal is slow).
///
/// The buffer is striped by the calling thread (as ``Metrics`` is), so request threads
/// do not queue on one lock, and nobody wakes the writer per line: it drains on its
/// own tick. Lines of one thread keep their order; lines of two threads written within
/// a tick may come out in either order (each carries its time). When a stripe is full,
/// new records are dropped and counted; the writer then says how many were lost, in
/// the log itself. ``flush()`` (at shutdown) returns once everything taken before it
/// is written.
public final class BufferedLogSink: LogSink {
    private struct Stripe {
        var records: [LogRecord] = []
        var dropped = 0
    }

    private final class Shard: Sendable {
        let stripe = Mutex(Stripe())
    }

    private static let shardCount = 16
    private let shards: [Shard] = (0..<BufferedLogSink.shardCount).map { _ in Shard() }
    private let target: any LogSink
    private let capacityPerShard: Int
    private let tick: TimeInterval
    /// The writer's state: how many flushes were asked (`requested`) and answered
    /// (`done`), and whether it should end. An NSCondition because the writer is a
    /// thread that sleeps between ticks. The three are read and written only with
    /// `control` locked: that is what makes them safe to share.
    private let control = NSCondition()
    private nonisolated(unsafe) var requested = 0
    private nonisolated(unsafe) var done = 0
    private nonisolated(unsafe) var stopping = false
    private let droppedTotal = Atomic<Int>(0)

    /// `capacity` records at most wait in the buffer (spread over its stripes); the
    /// writer drains it every `tick` seconds.
    public init(wrapping target: any LogSink, capacity: Int = 16_384, tick: TimeInterval = 0.01) {
        self.target = target
        self.capacityPerShard = max(1, capacity / Self.shardCount)
        self.tick = tick
        // A thread, not a task: writing to a descriptor blocks, and must not hold a
        // thread of the cooperative pool while standard error is slow.
        let thread = Thread { [self] in drain() }
        thread.name = "log-writer"
        thread.start()
    }

    /// Records lost because the buffer was full, since the start.
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }

    public func write(_ record: LogRecord) {
        let kept = shard.stripe.withLock { s -> Bool in
            guard s.records.count < capacityPerShard else {
                s.dropped += 1
                return false
            }
            s.records.append(record)
            return true
        }
        if !kept { droppedTotal.add(1, ordering: .relaxed) }
    }

    /// Returns once every record taken before the call is written (the writer keeps
    /// running: more can follow).
    public func flush() {
        control.lock()
        defer { control.unlock() }
        guard !stopping else { return }
        requested += 1
        let ticket = requested
        control.broadcast()
        while done < ticket { control.wait() }
    }

    /// Flushes, then ends the writer thread.
    public func close() {
        flush()
        control.lock()
        stopping = true
        control.broadcast()
        control.unlock()
    }

    /// The stripe of the calling thread.
    private var shard: Shard { shards[ThreadStripe.index(of: Self.shardCount)] }

    private func drain() {
        while true {
            control.lock()
            if requested == done && !stopping { _ = control.wait(until: Date().addingTimeInterval(tick)) }
            let answering = requested, stop = stopping
            control.unlock()
            var lost = 0
            for shard in shards {
                let (records, dropped) = shard.stripe.withLock { s in
                    defer { s.records.removeAll(keepingCapacity: true); s.dropped = 0 }
                    return (s.records, s.dropped)
                }
                for record in records { target.write(record) }
                lost += dropped
            }
            if lost > 0 {
                target.write(LogRecord(time: Date(), level: .warning, label: "log",
                                       message: "log lines dropped: the writer could not keep up", fields: [("count", String(lost))]))
            }
            control.lock()
            done = max(done, answering)
            control.broadcast()
            control.unlock()
            if stop { return }
        }
    }
}
