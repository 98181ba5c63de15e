/// A message text with placeholders (`{nom}`, `{montant}`…), checked when the config
/// loads so a typo stops start-up instead of reaching a taxpayer.
public struct MessageTemplate: Sendable, Hashable {
    /// The placeholders a template may use: `{nom_complet}` is « Prénom NOM » (no
    /// title: the data has none, and a wrong « M. » offends more than none); `{taxe}`
    /// reads inside a sentence (« votre taxe de voirie »); `{montant}` as people write
    /// it (« 45 000 »); `{nombre}` the debts a grouped message covers (1 otherwise).
    public static let placeholders = ["nom", "prenom", "montant", "echeance", "taxe", "nom_complet", "nombre"]

    /// The default text of a relance for one debt, when the config gives none: names
    /// the taxpayer and the tax, and fits one SMS for usual names (GSM-7 only).
    public static let standard = MessageTemplate("{nom_complet}, votre {taxe} de {montant} FCFA (échéance {echeance}) reste à payer. Merci de la régler à la mairie.")

    /// The default text of one message for several debts of one taxpayer (a run groups
    /// them, see `grouper` in the routing config): the count and the total.
    public static let standardGroupe = MessageTemplate("{nom_complet}, vous avez {nombre} taxes impayées pour un total de {montant} FCFA. Merci de les régler à la mairie.")

    public let text: String
    /// The template cut at its placeholders, in order: what ``render(_:)`` fills, and
    /// what the generator turns into SQL. Cut once, not at every message.
    public let segments: [Segment]

    public init(_ text: String) {
        self.text = text
        segments = Self.segments(of: text)
    }

    /// The names between braces that are not placeholders.
    public static func unknownPlaceholders(in text: String) -> [String] {
        names(in: text).filter { !placeholders.contains($0) }
    }

    /// A piece of a template: text as written, or a known placeholder. A name between
    /// braces that is no placeholder stays text (the loader refuses it anyway).
    public enum Segment: Sendable, Hashable {
        case text(String)
        case placeholder(String)
    }

    static func segments(of text: String) -> [Segment] {
        var out: [Segment] = []
        var pending = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            pending += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            if Self.placeholders.contains(name) {
                if !pending.isEmpty { out.append(.text(pending)) }
                pending = ""
                out.append(.placeholder(name))
            } else {
                pending += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        pending += rest
        if !pending.isEmpty { out.append(.text(pending)) }
        return out
    }

    /// Fills the placeholders; a missing value leaves an empty string.
    public func render(_ values: [String: String]) -> String {
        segments.reduce(into: "") { out, segment in
            switch segment {
            case .text(let t): out += t
            case .placeholder(let name): out += values[name] ?? ""
            }
        }
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
