import Foundation

/// What a channel answers when a message was accepted.
public struct Receipt: Sendable, Hashable, Codable {
    /// The name of the channel that accepted the message.
    public var channel: String
    /// The provider's identifier of the message (the Ventis UUID, the file line id).
    public var messageID: String
    /// When the provider accepted it.
    public var acceptedAt: Date
    /// The address actually used, after normalisation (`24177123456`).
    public var recipient: String
    /// The provider's raw answer, cut to about 1 KB.
    public var providerAnswer: String
    /// Facts worth keeping: the SMS encoding and segment count, the file written.
    public var details: [String: String]
    /// What the office reads in the relance's notes (French), in the channel's words:
    /// « SMS envoyé via Ventis. UUID: … », « Lettre prête à imprimer : … ». Empty: a
    /// generic note naming the channel and ``messageID`` is written instead.
    public var note: String

    public init(channel: String, messageID: String, acceptedAt: Date, recipient: String,
                providerAnswer: String = "", details: [String: String] = [:], note: String = "") {
        self.note = note
        self.channel = channel
        self.messageID = messageID
        self.acceptedAt = acceptedAt
        self.recipient = recipient
        self.providerAnswer = String(providerAnswer.prefix(ChannelError.bodyLimit))
        self.details = details
    }
}
