import Foundation
import Synchronization

/// Counts a batch as it goes (done, failed, skipped) and says how fast and how long
/// is left. Shared by every task of the batch; read by a progress line or the API.
public final class BatchProgress: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var total: Int
        public var sent: Int
        public var failed: Int
        public var skipped: Int
        public var elapsed: Double

        public var done: Int { sent + failed + skipped }
        /// Messages per second so far.
        public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
        /// Seconds left at the current rate (nil until there is a rate).
        public var remaining: Double? { rate > 0 ? Double(max(0, total - done)) / rate : nil }

        /// `1200/10000  412.5 msg/s  3 échecs  ETA 21s`
        public var line: String {
            var text = "\(done)/\(total)  \(String(format: "%.1f", rate)) msg/s  \(failed) failed"
            if skipped > 0 { text += "  \(skipped) skipped" }
            if let remaining, done < total { text += "  ETA \(Int(remaining.rounded()))s" }
            return text
        }
    }

    private let clock: any GatewayClock
    private let started: Date
    private let counts: Mutex<(total: Int, sent: Int, failed: Int, skipped: Int)>

    public init(total: Int, clock: any GatewayClock = SystemClock()) {
        self.clock = clock
        self.started = clock.now()
        self.counts = Mutex((total, 0, 0, 0))
    }

    public func sent() { counts.withLock { $0.sent += 1 } }
    public func failed() { counts.withLock { $0.failed += 1 } }
    public func skipped() { counts.withLock { $0.skipped += 1 } }
    /// Grows the total, for batches whose size is learnt as they stream.
    public func add(_ n: Int) { counts.withLock { $0.total += n } }

    public var snapshot: Snapshot {
        let c = counts.withLock { $0 }
        return Snapshot(total: c.total, sent: c.sent, failed: c.failed, skipped: c.skipped,
                        elapsed: clock.now().timeIntervalSince(started))
    }
}
