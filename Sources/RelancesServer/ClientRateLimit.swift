import Foundation
import Gateway
import Synchronization

/// A token bucket per API client (its valid bearer token, else its address): `rate`
/// requests a second, bursts of twice that. A request over it is refused at once
/// (429 with `Retry-After`), never queued: a runaway script cannot starve the office.
final class ClientRateLimit: Sendable {
    let rate: Double
    let burst: Double
    private let clock: any GatewayClock
    private struct State {
        var buckets: [String: (tokens: Double, updated: Date)] = [:]
        var lastPrune = Date.distantPast
    }
    private let state = Mutex(State())
    /// Buckets idle this long are full again and can be forgotten.
    private var idle: Double { burst / rate }
    /// Above this many buckets, the idle ones are forgotten (at most once per `idle`).
    static let pruneAbove = 10_000
    /// Above this many after that, all recently used, the oldest-updated half goes too:
    /// those clients only get their burst back early, and the map stays bounded.
    static let cap = 50_000

    init(rate: Double, clock: any GatewayClock) {
        self.rate = rate
        self.burst = max(1, 2 * rate)
        self.clock = clock
    }

    /// How many clients have a bucket.
    var clients: Int { state.withLock { $0.buckets.count } }

    /// Nil when `client` may go on, else the seconds until it may.
    func check(_ client: String) -> Double? {
        let now = clock.now()
        return state.withLock { s in
            // Not on every request: a walk over every bucket under the lock would slow
            // every client down exactly when many are calling.
            if s.buckets.count > Self.pruneAbove, now.timeIntervalSince(s.lastPrune) >= idle {
                s.lastPrune = now
                s.buckets = s.buckets.filter { now.timeIntervalSince($0.value.updated) < idle }
                if s.buckets.count > Self.cap {
                    let oldestFirst = s.buckets.sorted { $0.value.updated < $1.value.updated }
                    s.buckets = Dictionary(uniqueKeysWithValues: oldestFirst.dropFirst(oldestFirst.count / 2).map { ($0.key, $0.value) })
                }
            }
            var bucket = s.buckets[client] ?? (burst, now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                s.buckets[client] = bucket
                return (1 - bucket.tokens) / rate
            }
            bucket.tokens -= 1
            s.buckets[client] = bucket
            return nil
        }
    }
}
