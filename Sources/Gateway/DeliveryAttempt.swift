import Foundation

/// One try of one message on one channel, as the store records it.
public struct DeliveryAttempt: Sendable {
    public var deliveryID: String
    /// 1 for the first try of this delivery, counting across channels.
    public var number: Int
    public var channel: String
    public var startedAt: Date
    public var finishedAt: Date
    public var result: Result<Receipt, ChannelError>

    public init(deliveryID: String, number: Int, channel: String, startedAt: Date, finishedAt: Date,
                result: Result<Receipt, ChannelError>) {
        self.deliveryID = deliveryID
        self.number = number
        self.channel = channel
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
    }
}

/// How a delivery ended, after retries and fallbacks.
public enum DispatchResult: Sendable {
    /// A channel accepted it.
    case delivered(Receipt, attempts: [DeliveryAttempt])
    /// Every channel of the route failed; the error is the last one.
    case failed(ChannelError, attempts: [DeliveryAttempt])
    /// No route sends this type (`appel`, `visite`, or a type left out of the config).
    case noRoute(RelanceType)
    /// The route's channel is outside its send window: nothing was tried; send again
    /// at `until` (the next opening).
    case deferred(until: Date)

    public var attempts: [DeliveryAttempt] {
        switch self {
        case .delivered(_, let a), .failed(_, let a): a
        case .noRoute, .deferred: []
        }
    }
}
