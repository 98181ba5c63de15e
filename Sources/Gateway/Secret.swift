/// A value that must never be printed: passwords, client secrets, tokens.
/// It prints as `****` in logs, errors, `description`, `dump` and string interpolation.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// The value itself; read it only where it is sent.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var isEmpty: Bool { value.isEmpty }
    public var description: String { "****" }
    public var debugDescription: String { "****" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
