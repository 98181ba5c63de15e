import Foundation
import Synchronization

/// A token bucket shared by every caller of one channel: `rate` units per second,
/// bursts up to `burst`. Callers reserve units and are told how long to wait, so the
/// waiting happens outside the lock and the clock can be a test clock.
public final class RateLimiter: Sendable {
    public let rate: Double
    public let burst: Double
    private let clock: any GatewayClock
    private let state: Mutex<(tokens: Double, updated: Date)>

    public init(rate: Double, burst: Double? = nil, clock: any GatewayClock) {
        precondition(rate > 0, "a rate limit must be positive")
        self.rate = rate
        self.burst = max(1, burst ?? max(1, rate / 10))
        self.clock = clock
        self.state = Mutex((self.burst, clock.now()))
    }

    /// Takes `cost` units and answers how many seconds the caller must wait before
    /// using them (0 when they were there). Reservations queue up fairly: each one
    /// pushes the next caller's wait further.
    public func reserve(_ cost: Double = 1) -> Double {
        let now = clock.now()
        return state.withLock { s in
            let elapsed = max(0, now.timeIntervalSince(s.updated))
            s.tokens = min(burst, s.tokens + elapsed * rate)
            s.updated = now
            s.tokens -= cost
            return s.tokens >= 0 ? 0 : -s.tokens / rate
        }
    }

    /// Reserves and waits.
    public func acquire(_ cost: Double = 1) async throws {
        let wait = reserve(cost)
        if wait > 0 { try await clock.sleep(seconds: wait) }
    }
}
