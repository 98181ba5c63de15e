/// The waits between attempts: exponential, capped, with jitter so that a thousand
/// messages failing together do not come back together.
public struct Backoff: Sendable {
    public var initial: Double
    public var maximum: Double
    /// A number in 0..<1; injected so tests know the schedule.
    public var random: @Sendable () -> Double

    public init(initial: Double, maximum: Double, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.initial = initial
        self.maximum = maximum
        self.random = random
    }

    /// The wait after failed attempt `attempt` (1-based): `initial × 2^(attempt-1)`,
    /// capped at `maximum`, then drawn between half of it and all of it.
    public func delay(after attempt: Int) -> Double {
        let exponent = min(max(attempt - 1, 0), 30)
        let base = min(maximum, initial * Double(1 << exponent))
        return base / 2 + base / 2 * random()
    }
}
