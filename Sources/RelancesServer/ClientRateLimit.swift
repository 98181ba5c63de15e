import Foundation
import Gateway
import Synchronization

/// A token bucket per API client (its bearer token, else its address): `rate`
/// requests a second, bursts of twice that. A request over it is refused at once
/// (429 with `Retry-After`), never queued: a runaway script cannot starve the office.
final class ClientRateLimit: Sendable {
    let rate: Double
    let burst: Double
    private let clock: any GatewayClock
    private let buckets = Mutex<[String: (tokens: Double, updated: Date)]>([:])
    /// Buckets idle this long are full again and can be forgotten.
    private var idle: Double { burst / rate }

    init(rate: Double, clock: any GatewayClock) {
        self.rate = rate
        self.burst = max(1, 2 * rate)
        self.clock = clock
    }

    /// Nil when `client` may go on, else the seconds until it may.
    func check(_ client: String) -> Double? {
        let now = clock.now()
        return buckets.withLock { b in
            if b.count > 10_000 { b = b.filter { now.timeIntervalSince($0.value.updated) < idle } }
            var bucket = b[client] ?? (burst, now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                b[client] = bucket
                return (1 - bucket.tokens) / rate
            }
            bucket.tokens -= 1
            b[client] = bucket
            return nil
        }
    }
}
