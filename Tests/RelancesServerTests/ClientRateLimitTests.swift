import Foundation
import Gateway
@testable import RelancesServer
import Testing

@Suite struct ClientRateLimitTests {
    /// Past `pruneAbove` clients, idle buckets are forgotten at most once per idle
    /// interval; when more than `cap` are all recent, the oldest-updated half goes too,
    /// so a flood of new addresses cannot grow the map without bound.
    @Test func theBucketsStayBoundedUnderAFloodOfClients() {
        let clock = ManualClock(Date())
        let limit = ClientRateLimit(rate: 1, clock: clock)   // idle: 2 s
        let early = ClientRateLimit.pruneAbove + 2, late = ClientRateLimit.cap + 5_000
        for i in 0..<early { _ = limit.check("early \(i)") }   // the last one prunes: nothing idle yet
        clock.advance(by: 1)
        for i in 0..<late { _ = limit.check("late \(i)") }
        #expect(limit.clients == early + late)
        clock.advance(by: 1)
        #expect(limit.check("next") == nil)
        // The early ones were idle 2 s: gone; the late ones still over the cap: half kept.
        #expect(limit.clients == late - late / 2 + 1)
        #expect(limit.clients <= ClientRateLimit.cap)
    }
}
