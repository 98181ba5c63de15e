import Foundation
import Synchronization

/// A clock moved by hand, for tests of expiry, retries, rate limits and send windows:
/// `sleep` returns at once, advancing the time by what was asked and remembering it.
public final class ManualClock: GatewayClock {
    private let state: Mutex<(now: Date, sleeps: [Double])>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        state = Mutex((start, []))
    }

    public func now() -> Date { state.withLock { $0.now } }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        state.withLock { s in
            s.sleeps.append(seconds)
            if seconds > 0 { s.now = s.now.addingTimeInterval(seconds) }
        }
    }

    /// Moves the time forward.
    public func advance(by seconds: Double) {
        state.withLock { $0.now = $0.now.addingTimeInterval(seconds) }
    }

    /// Every wait asked of this clock, in order.
    public var sleeps: [Double] { state.withLock { $0.sleeps } }
}
