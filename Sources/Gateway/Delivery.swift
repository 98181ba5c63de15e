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
    /// Set when several messages of one run go to one address together (a taxpayer's
    /// letters): a channel that can keep them together (one PDF page range, one
    /// envelope) does; the others ignore it.
    public var envelope: Envelope?

    public init(id: String, type: RelanceType, recipient: String, subject: String = "",
                body: String, metadata: [String: String] = [:], envelope: Envelope? = nil) {
        self.envelope = envelope
        self.id = id
        self.type = type
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.metadata = metadata
    }
}

/// Which part of an envelope a delivery is: `part` of `parts` (from 1), in the order
/// they are to be read. Every part of one envelope has the same `id`.
public struct Envelope: Sendable, Hashable, Codable {
    public var id: String
    public var part: Int
    public var parts: Int

    public init(id: String, part: Int, parts: Int) {
        (self.id, self.part, self.parts) = (id, part, parts)
    }
}
