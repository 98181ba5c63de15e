import Foundation
import Gateway

/// An accepted API token and the name its requests are recorded under (`acteur`).
///
/// Configured as `label:token` (`guichet:9f2c…`), or the token alone, then labelled
/// `jeton-1`, `jeton-2`… by position. A token that itself contains `:` needs a label.
public struct APIToken: Sendable, Equatable {
    public var label: String
    public var value: Secret

    /// Shorter than this, a token (or the JWT secret) could be guessed; `serve` refuses it.
    public static let minimumLength = 16

    public init(label: String, value: Secret) {
        self.label = label
        self.value = value
    }

    /// Reads `label:token` entries; `index` (from 0) names an unlabelled one.
    public init(parsing entry: String, index: Int) {
        if let colon = entry.firstIndex(of: ":") {
            let label = entry[..<colon]
            if !label.isEmpty, label.count <= 64,
               label.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._@-".unicodeScalars.contains($0) }) {
                self.init(label: String(label), value: Secret(String(entry[entry.index(after: colon)...])))
                return
            }
        }
        self.init(label: "jeton-\(index + 1)", value: Secret(entry))
    }

    public static func parse(_ entries: [String]) -> [APIToken] {
        entries.enumerated().map { APIToken(parsing: $1, index: $0) }
    }

    /// Why `secret`, read from `source` (`--token`, `RELANCES_API_TOKENS`, `.env`…),
    /// cannot protect the API: empty, or too short to resist guessing. Nil when fine.
    public static func weakness(of secret: String, what: String, source: String) -> String? {
        let length = secret.trimmingCharacters(in: .whitespaces).count
        if length == 0 {
            return "refusing to start: \(what) from \(source) is empty (an unset variable?): anyone could call the API. "
                + "Set it to at least \(minimumLength) random characters (e.g. `openssl rand -hex 24`)."
        }
        if length < minimumLength {
            return "refusing to start: \(what) from \(source) has \(length) characters, fewer than \(minimumLength): it could be guessed. "
                + "Use at least \(minimumLength) random characters (e.g. `openssl rand -hex 24`)."
        }
        return nil
    }
}
