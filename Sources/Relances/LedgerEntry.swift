import Foundation
import Gateway

/// One line of the proof-of-dispatch ledger: one delivery attempt — to whom (masked),
/// on which channel, the hash of the text, what came of it, when — chained to the
/// line before by ``hash``.
public struct LedgerEntry: Sendable, Hashable {
    /// Position in the ledger, from 1 without gaps; 0 until appended.
    public var seq: Int64
    public var relanceID: Int64
    /// Always masked (`24106****67`, `j***@exemple.ga`), even with debug logging: the
    /// ledger proves a send without becoming a copy of the taxpayers' directory.
    public var recipient: String
    public var channel: String
    /// SHA-256 of the text sent (its UTF-8 bytes), 64 lowercase hex digits.
    public var textSHA256: String
    /// The provider's id of the message; empty when the attempt failed.
    public var providerID: String
    /// `sent`, or `failed:` and the channel's error code (`failed:timeout`).
    public var outcome: String
    /// When the attempt ended, ISO-8601 UTC to the second. Kept as text: the hash
    /// covers exactly what is stored.
    public var at: String
    /// The previous entry's ``hash`` (``Ledger/genesis`` for the first).
    public var prevHash: String
    /// SHA-256 of ``canonical`` (the fields above and ``prevHash``).
    public var hash: String
    /// The relance's `acteur` when it was sent: who had it sent through the API, else who
    /// created or last changed it (a JWT's `sub`, an API token's label); empty when nobody
    /// authenticated did (the CLI, an open server).
    public var acteur: String = ""

    /// An entry to append. The recipient is masked and the text hashed here, so neither
    /// reaches the table in clear; ``Ledger/append(_:in:)`` sets the sequence and the chain.
    public init(relanceID: Int64, recipient: String, channel: String, text: String, providerID: String?,
                outcome: String, at: Date) {
        self.init(seq: 0, relanceID: relanceID, recipient: Masking.mask(recipient), channel: channel,
                  textSHA256: SHA256.hex(text), providerID: providerID ?? "", outcome: outcome,
                  at: ISO8601.string(from: at), prevHash: "", hash: "")
    }

    /// A delivery attempt as an entry. `recipient` is the address the relance was sent
    /// to; a channel's normalised address (in the receipt) wins when it accepted it.
    public init(_ attempt: DeliveryAttempt, relanceID: Int64, recipient: String, text: String) {
        switch attempt.result {
        case .success(let receipt):
            self.init(relanceID: relanceID, recipient: receipt.recipient.isEmpty ? recipient : receipt.recipient,
                      channel: attempt.channel, text: text, providerID: receipt.messageID, outcome: "sent", at: attempt.finishedAt)
        case .failure(let error):
            self.init(relanceID: relanceID, recipient: recipient, channel: attempt.channel, text: text, providerID: nil,
                      outcome: "failed:\(error.code)", at: attempt.finishedAt)
        }
    }

    /// An entry as stored (already masked and hashed).
    init(seq: Int64, relanceID: Int64, recipient: String, channel: String, textSHA256: String, providerID: String,
         outcome: String, at: String, prevHash: String, hash: String, acteur: String = "") {
        self.acteur = acteur
        self.seq = seq
        self.relanceID = relanceID
        self.recipient = recipient
        self.channel = channel
        self.textSHA256 = textSHA256
        self.providerID = providerID
        self.outcome = outcome
        self.at = at
        self.prevHash = prevHash
        self.hash = hash
    }

    /// The bytes the hash covers: a version line, then one `name=length:value` line per
    /// field in a fixed order, the length (in UTF-8 bytes) making it unambiguous whatever
    /// a value contains. Written out in the README so an auditor can recompute it.
    public var canonical: String {
        let fields: [(String, String)] = [
            ("seq", String(seq)), ("relance_id", String(relanceID)), ("recipient", recipient), ("channel", channel),
            ("text_sha256", textSHA256), ("provider_id", providerID), ("outcome", outcome), ("at", at), ("prev_hash", prevHash),
        ] + (acteur.isEmpty ? [] : [("acteur", acteur)])   // absent when empty: entries written before keep their hashes
        var out = "relances-ledger-v1\n"
        for (name, value) in fields { out += "\(name)=\(value.utf8.count):\(value)\n" }
        return out
    }

    /// The hash this entry should carry, from its fields and ``prevHash``.
    public var expectedHash: String { SHA256.hex(canonical) }
}
