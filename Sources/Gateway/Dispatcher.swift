import Foundation

/// Sends deliveries through their routes: each channel of the route in order, each
/// with its retries, then the fallback channels, honouring every channel's rate.
///
/// One dispatcher serves a whole program; it is safe to call from any number of tasks.
/// It knows no channel by name: channels come from the routing config and the table.
public final class Dispatcher: Sendable {
    public let routes: [RelanceType: Route]
    public let channels: [String: any Channel]
    public let policies: [String: DeliveryPolicy]
    let limiters: [String: RateLimiter]
    let segmentLimiters: [String: RateLimiter]
    let clock: any GatewayClock
    let logger: Logger
    let random: @Sendable () -> Double
    /// The config this dispatcher was built from, when it came from one (for
    /// `relances channels` and `GET /api/channels`).
    public let config: RoutingConfig?
    /// Sends by channel and outcome, retries, provider latency.
    public let metrics: Metrics
    /// What the channels share (the HTTP client), closed after them.
    let resources: ChannelResources?

    public init(routes: [RelanceType: Route], channels: [String: any Channel],
                policies: [String: DeliveryPolicy] = [:], clock: any GatewayClock = SystemClock(),
                logger: Logger = Logger(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                config: RoutingConfig? = nil, metrics: Metrics = Metrics(), resources: ChannelResources? = nil) {
        self.config = config
        self.resources = resources
        self.metrics = metrics
        self.routes = routes
        self.channels = channels
        self.policies = policies
        self.clock = clock
        self.logger = logger.labelled("dispatcher")
        self.random = random
        self.limiters = policies.compactMapValues { p in p.ratePerSecond.map { RateLimiter(rate: $0, clock: clock) } }
        self.segmentLimiters = policies.compactMapValues { p in p.segmentsPerSecond.map { RateLimiter(rate: $0, clock: clock) } }
    }

    /// Closes every channel (a letters file being assembled is finished), then what
    /// they share. Called once at shutdown, when no send is in flight any more.
    public func close() async {
        for name in channels.keys.sorted() { await channels[name]!.close() }
        resources?.close()
    }

    /// The folders of documents channels write for download (see ``Channel/documentsFolder``).
    public var documentsFolders: [URL] {
        channels.keys.sorted().compactMap { channels[$0]!.documentsFolder }
    }

    /// The route of a type, or nil when nothing sends it.
    public func route(for type: RelanceType) -> Route? {
        guard let route = routes[type], !route.all.isEmpty else { return nil }
        return route
    }

    /// The route's first channel's verdict on a delivery, without sending it: the
    /// channel, whether the recipient is one it can deliver to, the text it would send,
    /// and its price policy. Nil when nothing sends the type.
    public func check(_ delivery: Delivery) -> (channel: String, check: DeliveryCheck, policy: DeliveryPolicy)? {
        guard let name = route(for: delivery.type)?.channels.first, let channel = channels[name] else { return nil }
        return (name, channel.check(delivery), policies[name] ?? DeliveryPolicy())
    }

    /// Sends one delivery to completion: delivered, failed on every channel, or no route.
    ///
    /// `onAttempt` is called after each attempt, before the next one starts: a single
    /// send records it at once; a batch writes a send's attempts with its outcome, in
    /// one transaction.
    public func send(_ delivery: Delivery,
                     onAttempt: @Sendable (DeliveryAttempt) async -> Void = { _ in }) async -> DispatchResult {
        guard let route = route(for: delivery.type) else { return .noRoute(delivery.type) }
        if let first = route.channels.first, let window = policies[first]?.window {
            let now = clock.now()
            if !window.isOpen(at: now) { return .deferred(until: window.nextOpening(from: now)) }
        }
        var attempts: [DeliveryAttempt] = []
        var lastError = ChannelError.cancelled
        channels: for name in route.all {
            guard let channel = channels[name] else { continue }
            let policy = policies[name] ?? DeliveryPolicy()
            let backoff = Backoff(initial: policy.initialDelay, maximum: policy.maxDelay, random: random)
            var waited = 0.0
            for attemptOnChannel in 1...max(1, policy.maxAttempts) {
                if Task.isCancelled { lastError = .cancelled; break channels }
                do {
                    try await limiters[name]?.acquire()
                    if let segments = segmentLimiters[name] {
                        try await segments.acquire(Double(SMSText.segments(delivery.body)))
                    }
                } catch {
                    lastError = .cancelled
                    break channels
                }
                let started = clock.now()
                let result: Result<Receipt, ChannelError>
                do { result = .success(try await channel.send(delivery)) } catch { result = .failure(error) }
                let attempt = DeliveryAttempt(deliveryID: delivery.id, number: attempts.count + 1, channel: name,
                                              startedAt: started, finishedAt: clock.now(), result: result)
                attempts.append(attempt)
                record(attempt, retry: attemptOnChannel > 1)
                await onAttempt(attempt)
                switch result {
                case .success(let receipt):
                    countSend(channel: name, outcome: "sent")
                    return .delivered(receipt, attempts: attempts)
                case .failure(let error):
                    lastError = error
                    logger.info("attempt failed", ["delivery": delivery.id, "channel": name, "attempt": attemptOnChannel,
                                                   "error": error.code, "retryable": error.isRetryable])
                    guard error.isRetryable, attemptOnChannel < policy.maxAttempts else { continue channels }
                    let delay = backoff.delay(after: attemptOnChannel)
                    guard waited + delay <= policy.maxTotalDelay else { continue channels }
                    waited += delay
                    do { try await clock.sleep(seconds: delay) } catch { break channels }
                }
            }
        }
        countSend(channel: attempts.last?.channel ?? "none", outcome: "failed")
        return .failed(lastError, attempts: attempts)
    }

    /// One per delivery, whatever its retries and fallbacks: the channel that took it,
    /// or the last one tried when every channel failed.
    private func countSend(channel: String, outcome: String) {
        metrics.increment("relances_sends_total", ["channel": channel, "outcome": outcome],
                          help: "Deliveries by the channel that ended them and outcome (sent or failed).")
    }

    private func record(_ attempt: DeliveryAttempt, retry: Bool) {
        let outcome: String
        switch attempt.result {
        case .success: outcome = "sent"
        case .failure(let error): outcome = error.code
        }
        metrics.increment("relances_attempts_total", ["channel": attempt.channel, "outcome": outcome],
                          help: "Delivery attempts by channel and outcome (sent or the error code).")
        if retry {
            metrics.increment("relances_retries_total", ["channel": attempt.channel], help: "Attempts that were retries.")
        }
        metrics.observe("relances_provider_seconds", attempt.finishedAt.timeIntervalSince(attempt.startedAt),
                        ["channel": attempt.channel], help: "Time a channel took to answer one attempt.")
    }
}
