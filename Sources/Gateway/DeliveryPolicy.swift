/// How the dispatcher treats one channel: retries, backoff and rate. Set per channel
/// in the routing config under `retry` and `rate`.
public struct DeliveryPolicy: Sendable, Hashable {
    /// Attempts on this channel for one message, the first included.
    public var maxAttempts: Int = 3
    /// The wait before the second attempt; doubled for each further one (with jitter).
    public var initialDelay: Double = 0.5
    /// No single wait is longer than this.
    public var maxDelay: Double = 10
    /// Retrying stops once the waits would add up to more than this.
    public var maxTotalDelay: Double = 60
    /// Messages per second on this channel, for every caller together (nil: unlimited).
    public var ratePerSecond: Double?
    /// SMS segments per second (providers bill and throttle by segment; nil: unlimited).
    public var segmentsPerSecond: Double?
    /// When the channel may send (nil: at any time).
    public var window: SendWindow?
    /// What the provider bills, in FCFA, for the pre-flight's estimate: per message
    /// (a letter's postage) and per SMS segment. Nil: not priced.
    public var pricePerMessage: Double?
    public var pricePerSegment: Double?

    public init(maxAttempts: Int = 3, initialDelay: Double = 0.5, maxDelay: Double = 10, maxTotalDelay: Double = 60,
                ratePerSecond: Double? = nil, segmentsPerSecond: Double? = nil, window: SendWindow? = nil) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxTotalDelay = maxTotalDelay
        self.ratePerSecond = ratePerSecond
        self.segmentsPerSecond = segmentsPerSecond
        self.window = window
    }
}
