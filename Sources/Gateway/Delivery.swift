import Foundation

/// One message to one recipient, as the dispatcher hands it to a channel.
///
/// New needs are met by new fields here (with defaults), never by new parameters of
/// ``Channel/send(_:)``, so that adding one breaks no channel.
public struct Delivery: Sendable, Hashable, Codable {
    /// Stable across attempts and restarts (`relance-42`): the idempotency key.
    public var id: String
    /// The relance type, which chose the route.
    public var type: RelanceType
    /// The address as the office holds it: a phone number, an e-mail, a postal address.
    /// Channels normalise it (the SMS channel formats the number) and say so in the receipt.
    public var recipient: String
    /// A subject line, for the channels that have one (e-mail, letters).
    public var subject: String
    /// The text of the message, UTF-8, sent as given.
    public var body: String
    /// Anything else a channel or a log line may use (`relance_id`, `contribuable`, ...).
    public var metadata: [String: String]

    public init(id: String, type: RelanceType, recipient: String, subject: String = "",
                body: String, metadata: [String: String] = [:]) {
        self.id = id
        self.type = type
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.metadata = metadata
    }
}
