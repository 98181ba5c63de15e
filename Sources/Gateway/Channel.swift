import Foundation

/// A way of delivering one message to one recipient: an SMS provider, an e-mail
/// spool, a file of letters to print.
///
/// A channel is built once, at start-up, by the factory registered for its kind in
/// the channel table (see ``ChannelKind``). Building validates the configuration and
/// never touches the network; using the network is `send`'s job. Channels are shared
/// by every concurrent sender, so they must be safe to call from many tasks at once.
/// A channel never calls another channel: fan-out, retries and fallback belong to the
/// ``Dispatcher``.
public protocol Channel: Sendable {
    /// The name this channel has in the routing config (`"ventis"`, `"letters"`).
    var name: String { get }

    /// The kind of address this channel can deliver to. The routing config is refused
    /// at load when a relance type is routed to a channel that cannot reach its address.
    var accepts: AddressKind { get }

    /// Delivers one message and answers what the provider said.
    ///
    /// Called by the dispatcher, once per attempt, possibly from many tasks at once.
    /// Everything a channel may need travels inside `delivery`, so adding a field to
    /// ``Delivery`` breaks no channel. `delivery.id` is stable across attempts: a
    /// provider that supports idempotency keys should be given it.
    ///
    /// - Throws: ``ChannelError`` only; its ``ChannelError/isRetryable`` decides
    ///   whether the dispatcher tries again or moves to the route's fallback.
    func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt

    /// Whether the channel could send right now (the SMS channel can obtain a token,
    /// the spool folder is writable). Used by `GET /api/channels`; must not send.
    func checkHealth() async -> ChannelHealth

    /// What `send` would do with `delivery` before any network: whether the recipient
    /// is one it can deliver to, and the text exactly as it would go out (after any
    /// transliteration). The campaign pre-flight asks; it must not send or block.
    func check(_ delivery: Delivery) -> DeliveryCheck

    /// Finishes what the channel holds open (a file of letters being assembled) and lets
    /// go of what it holds. Called once at shutdown, after the last `send` returned.
    func close() async

    /// A folder of documents the channel writes for the office to download (the PDF
    /// letters), or nil. `GET /api/courriers/{file}` serves files from these folders only.
    var documentsFolder: URL? { get }
}

extension Channel {
    public func checkHealth() async -> ChannelHealth { .healthy("ok") }
    public func check(_ delivery: Delivery) -> DeliveryCheck { DeliveryCheck(text: delivery.body) }
    public func close() async {}
    public var documentsFolder: URL? { nil }
}

/// A channel's verdict on a delivery it has not sent (see ``Channel/check(_:)``).
public struct DeliveryCheck: Sendable, Equatable {
    /// Why the recipient cannot be delivered to (French, as a relance's note), or nil.
    public var problem: String?
    /// The text as the channel would send it.
    public var text: String

    public init(problem: String? = nil, text: String) {
        self.problem = problem
        self.text = text
    }
}

/// What a channel answers to a health check.
public enum ChannelHealth: Sendable, Equatable {
    case healthy(String)
    case unhealthy(String)

    public var isHealthy: Bool { if case .healthy = self { true } else { false } }
    public var detail: String {
        switch self { case .healthy(let s), .unhealthy(let s): s }
    }
}

/// The kind of address a channel delivers to and a relance type needs.
public enum AddressKind: String, Sendable, Codable, CaseIterable {
    case phone, email, postal
    /// A channel that writes whatever address it is given (the file sink).
    case any

    /// Whether a channel accepting `self` can deliver to an address of `needed` kind.
    public func canReach(_ needed: AddressKind) -> Bool {
        self == .any || self == needed
    }
}
