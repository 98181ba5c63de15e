import Foundation

/// The time, injected: tests of token expiry, retries and send windows move it by hand
/// and never sleep.
public protocol GatewayClock: Sendable {
    func now() -> Date
    /// Waits `seconds` (or returns at once in a test clock). Throws on cancellation.
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemClock: GatewayClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
