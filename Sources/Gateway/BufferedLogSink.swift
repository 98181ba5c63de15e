import Foundation
import Synchronization

/// A sink that takes a record in a bounded buffer and returns, one writer thread
/// formatting and writing the buffer out: the server's access log costs a request
/// thread an append, not a write to standard error (9 % of `serve`'s CPU under load,
/// and a request waiting whenever the terminal or the journal is slow).
///
/// When the writer falls `capacity` records behind, new records are dropped and
/// counted; the writer then says how many were lost, in the log itself. ``flush()``
/// (at shutdown) returns once everything taken before it is written.
public final class BufferedLogSink: LogSink {
    private struct Buffer {
        var records: [LogRecord] = []
        var dropped = 0
        var stopping = false
        /// Records handed to the writer and not yet written.
        var writing = 0
    }

    private let target: any LogSink
    private let capacity: Int
    private let buffer = Mutex(Buffer())
    /// Wakes the writer when records arrive, and ``flush()`` when they are written.
    /// An NSCondition because the writer is a thread blocked between batches.
    private let wake = NSCondition()

    public init(wrapping target: any LogSink, capacity: Int = 8_192) {
        self.target = target
        self.capacity = max(1, capacity)
        // A thread, not a task: writing to a descriptor blocks, and must not hold a
        // thread of the cooperative pool while standard error is slow.
        let thread = Thread { [weak self] in self?.drain() }
        thread.name = "log-writer"
        thread.start()
    }

    /// Records lost because the buffer was full, since the start.
    public var dropped: Int { droppedTotal.load(ordering: .relaxed) }
    private let droppedTotal = Atomic<Int>(0)

    public func write(_ record: LogRecord) {
        // nil: dropped; true: the first record of an empty buffer (the writer may sleep).
        let taken = buffer.withLock { b -> Bool? in
            guard b.records.count < capacity else {
                b.dropped += 1
                return nil
            }
            b.records.append(record)
            return b.records.count == 1
        }
        guard let first = taken else {
            droppedTotal.add(1, ordering: .relaxed)
            return
        }
        if first {
            wake.lock()
            wake.broadcast()
            wake.unlock()
        }
    }

    /// Returns once every record taken before the call is written (the writer keeps
    /// running: more can follow).
    public func flush() {
        wake.lock()
        defer { wake.unlock() }
        wake.broadcast()
        while buffer.withLock({ !$0.records.isEmpty || $0.writing > 0 }) {
            _ = wake.wait(until: Date().addingTimeInterval(0.05))
        }
    }

    /// Flushes, then ends the writer thread.
    public func close() {
        flush()
        buffer.withLock { $0.stopping = true }
        wake.lock()
        wake.broadcast()
        wake.unlock()
    }

    private func drain() {
        while true {
            wake.lock()
            var batch: [LogRecord] = []
            var lost = 0
            var stop = false
            while true {
                (batch, lost, stop) = buffer.withLock { b in
                    let taken = (b.records, b.dropped, b.stopping)
                    b.writing = b.records.count
                    b.records = []
                    b.dropped = 0
                    return taken
                }
                if !batch.isEmpty || lost > 0 || stop { break }
                wake.broadcast()   // a flush waiting on an empty buffer
                _ = wake.wait(until: Date().addingTimeInterval(1))
            }
            wake.unlock()
            for record in batch { target.write(record) }
            if lost > 0 {
                target.write(LogRecord(time: Date(), level: .warning, label: batch.last?.label ?? "log",
                                       message: "log lines dropped: the writer could not keep up", fields: [("count", String(lost))]))
            }
            buffer.withLock { $0.writing = 0 }
            wake.lock()
            wake.broadcast()
            wake.unlock()
            if stop { return }
        }
    }
}
