/// A message text with placeholders (`{nom}`, `{montant}`…), checked when the config
/// loads so a typo stops start-up instead of reaching a taxpayer.
public struct MessageTemplate: Sendable, Hashable {
    /// The placeholders a template may use.
    public static let placeholders = ["nom", "prenom", "montant", "echeance", "taxe"]

    /// The office's existing text, the default for every sendable type.
    public static let standard = MessageTemplate("Rappel : Vous avez une taxe de {montant} FCFA à payer. Échéance : {echeance}")

    public let text: String

    public init(_ text: String) { self.text = text }

    /// The names between braces that are not placeholders.
    public static func unknownPlaceholders(in text: String) -> [String] {
        names(in: text).filter { !placeholders.contains($0) }
    }

    /// Fills the placeholders; a missing value leaves an empty string.
    public func render(_ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            if Self.placeholders.contains(name) { out += values[name] ?? "" } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    static func names(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }
}
