import Foundation
import Gateway
import ProviderSandbox
import Synchronization
import Testing

@Suite struct DispatcherTests {
    let delivery = Delivery(id: "relance-1", type: .sms, recipient: "0661234567", body: "Rappel")

    func dispatcher(_ channels: [RecordingChannel], route: Route, policy: DeliveryPolicy = DeliveryPolicy(),
                    clock: ManualClock = ManualClock()) -> Dispatcher {
        Dispatcher(routes: [.sms: route], channels: Dictionary(uniqueKeysWithValues: channels.map { ($0.name, $0 as any Channel) }),
                   policies: Dictionary(uniqueKeysWithValues: channels.map { ($0.name, policy) }),
                   clock: clock, logger: Logger(sink: MemoryLogSink()), random: { 0.5 })
    }

    @Test func retryableFailuresAreRetriedWithBackoffThenSucceed() async {
        let a = RecordingChannel("a", script: [.failure(.timeout(seconds: 30)), .failure(.providerUnavailable(status: 502, body: "")), .success(())])
        let clock = ManualClock()
        let d = dispatcher([a], route: Route(channels: ["a"]), policy: DeliveryPolicy(maxAttempts: 3, initialDelay: 1, maxDelay: 10), clock: clock)
        let result = await d.send(delivery)
        guard case .delivered(let receipt, let attempts) = result else { Issue.record("not delivered: \(result)"); return }
        #expect(receipt.channel == "a")
        #expect(attempts.map(\.number) == [1, 2, 3])
        // Backoff 1 s then 2 s, each drawn at 3/4 of its base with random() = 0.5.
        #expect(clock.sleeps == [0.75, 1.5])
    }

    @Test func aPermanentFailureMovesToTheFallbackAtOnce() async {
        let a = RecordingChannel("a", script: [.failure(.refused(code: "21", message: "numéro invalide"))])
        let b = RecordingChannel("b", script: [])
        let clock = ManualClock()
        let result = await dispatcher([a, b], route: Route(channels: ["a"], fallback: ["b"]), clock: clock).send(delivery)
        guard case .delivered(let receipt, let attempts) = result else { Issue.record("not delivered: \(result)"); return }
        #expect(receipt.channel == "b")
        #expect(attempts.map(\.channel) == ["a", "b"])
        #expect(clock.sleeps.isEmpty)
        #expect(a.deliveries.count == 1)
    }

    @Test func exhaustedRetriesMoveToTheFallbacksInOrder() async {
        let fail = Result<Void, ChannelError>.failure(.connection("refused"))
        let a = RecordingChannel("a", script: [fail, fail])
        let b = RecordingChannel("b", script: [fail, fail])
        let c = RecordingChannel("c", script: [])
        let recorded = Mutex<[String]>([])
        let d = dispatcher([a, b, c], route: Route(channels: ["a"], fallback: ["b", "c"]), policy: DeliveryPolicy(maxAttempts: 2))
        let result = await d.send(delivery) { attempt in recorded.withLock { $0.append("\(attempt.number):\(attempt.channel)") } }
        guard case .delivered(let receipt, _) = result else { Issue.record("not delivered: \(result)"); return }
        #expect(receipt.channel == "c")
        #expect(recorded.withLock { $0 } == ["1:a", "2:a", "3:b", "4:b", "5:c"])
    }

    @Test func everyChannelFailingReportsTheLastError() async {
        let a = RecordingChannel("a", script: [.failure(.invalidRecipient("lettres dans le numéro"))])
        let result = await dispatcher([a], route: Route(channels: ["a"])).send(delivery)
        guard case .failed(let error, let attempts) = result else { Issue.record("not failed: \(result)"); return }
        #expect(error == .invalidRecipient("lettres dans le numéro"))
        #expect(attempts.count == 1)
    }

    @Test func theTotalDelayCapStopsRetrying() async {
        let fail = Result<Void, ChannelError>.failure(.timeout(seconds: 1))
        let a = RecordingChannel("a", script: [fail, fail, fail, fail, fail])
        let clock = ManualClock()
        let policy = DeliveryPolicy(maxAttempts: 5, initialDelay: 4, maxDelay: 100, maxTotalDelay: 10)
        let result = await dispatcher([a], route: Route(channels: ["a"]), policy: policy, clock: clock).send(delivery)
        guard case .failed = result else { Issue.record("not failed: \(result)"); return }
        // Waits 3 then 6 (9 in all); the next, 12, would pass the 10 s cap.
        #expect(clock.sleeps == [3, 6])
        #expect(a.deliveries.count == 3)
    }

    @Test func aTypeWithoutARouteIsRefused() async {
        let a = RecordingChannel("a", script: [])
        let d = dispatcher([a], route: Route(channels: ["a"]))
        let result = await d.send(Delivery(id: "r-2", type: .visite, recipient: "x", body: "y"))
        guard case .noRoute(.visite) = result else { Issue.record("expected no route: \(result)"); return }
        #expect(a.deliveries.isEmpty)
    }

    @Test func retryClassificationIsDecidedByTheError() {
        let retryable: [ChannelError] = [.timeout(seconds: 30), .connection("x"), .providerUnavailable(status: 500, body: "")]
        let permanent: [ChannelError] = [.invalidRecipient("x"), .refused(code: "1", message: "x"), .unexpectedAnswer(status: 200, body: "?"),
                                         .authentication("x"), .endpointNotFound(url: "u"), .rejected(status: 400, body: ""), .storage("x"), .cancelled]
        #expect(retryable.allSatisfy { $0.isRetryable })
        #expect(permanent.allSatisfy { !$0.isRetryable })
        #expect(ChannelError.timeout(seconds: 30).reportedStatus == 408)
        #expect(ChannelError.connection("x").reportedStatus == 503)
        #expect(ChannelError.timeout(seconds: 30).description == "Délai dépassé (408) : pas de réponse du fournisseur en 30 s")
        let long = String(repeating: "é", count: 2000)
        #expect(ChannelError.providerUnavailable(status: 500, body: long).description.utf8.count < 1200)
    }
}

@Suite struct RateAndBackoffTests {
    @Test func theBucketLetsABurstThroughThenSpacesCallers() {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 10, burst: 2, clock: clock)
        #expect(limiter.reserve() == 0)
        #expect(limiter.reserve() == 0)
        #expect(abs(limiter.reserve() - 0.1) < 1e-9)
        #expect(abs(limiter.reserve() - 0.2) < 1e-9)
        clock.advance(by: 1)
        // A second later the debt (2 units) is repaid and the bucket refilled to its burst.
        #expect(limiter.reserve() == 0)
    }

    @Test func costsCountAsSeveralUnits() {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 4, burst: 4, clock: clock)
        #expect(limiter.reserve(3) == 0)
        #expect(abs(limiter.reserve(3) - 0.5) < 1e-9)
    }

    @Test func aSustainedRateNeverExceedsTheLimit() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 50, burst: 5, clock: clock)
        let start = clock.now()
        for _ in 0..<505 { try await limiter.acquire() }
        let elapsed = clock.now().timeIntervalSince(start)
        // 5 go at once (the burst), the other 500 at 50 per second.
        #expect(abs(elapsed - 10) < 1e-6)
    }

    @Test func backoffDoublesCapsAndJitters() {
        let low = Backoff(initial: 0.5, maximum: 4, random: { 0 })
        let high = Backoff(initial: 0.5, maximum: 4, random: { 0.999999 })
        #expect((1...6).map { low.delay(after: $0) } == [0.25, 0.5, 1, 2, 2, 2])
        #expect((1...6).map { (high.delay(after: $0) * 1000).rounded() / 1000 } == [0.5, 1, 2, 4, 4, 4])
    }
}

/// Shutdown reaches every channel, once, and what they share after them.
@Suite struct DispatcherCloseTests {
    final class Closing: Channel, Sendable {
        let name: String
        let accepts = AddressKind.any
        let closed = Mutex(0)
        init(_ name: String) { self.name = name }
        func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
            Receipt(channel: name, messageID: "x", acceptedAt: Date(), recipient: delivery.recipient)
        }
        func close() async { closed.withLock { $0 += 1 } }
    }

    final class Resource: SharedResource {
        let closed = Mutex(false)
        func close() { closed.withLock { $0 = true } }
    }

    @Test func closeReachesEveryChannelAndThenTheSharedResources() async {
        let a = Closing("a"), b = Closing("b")
        let resources = ChannelResources()
        let shared = resources.shared("r") { Resource() }
        #expect(resources.shared("r") { Resource() } === shared)   // made once
        let dispatcher = Dispatcher(routes: [.sms: Route(channels: ["a"])], channels: ["a": a, "b": b], resources: resources)
        await dispatcher.close()
        #expect(a.closed.withLock { $0 } == 1 && b.closed.withLock { $0 } == 1)
        #expect(shared.closed.withLock { $0 })
    }
}
