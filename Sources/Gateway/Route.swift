/// Where a relance type goes: its channels in order, then its fallback channels.
public struct Route: Sendable, Hashable {
    public var channels: [String]
    public var fallback: [String]

    public init(channels: [String], fallback: [String] = []) {
        self.channels = channels
        self.fallback = fallback
    }

    /// Every channel tried, in order.
    public var all: [String] { channels + fallback }
}
