import Foundation

/// What a search compares, so an operator finds a taxpayer as they type them: names
/// without accents or case (« Nzé », « nze », « NZÉ » all find « NZE »), phone numbers
/// by their digits only, without the country code or the leading 0 (« 0658433032 »,
/// « +241 06 58 43 30 32 » and « 06 58 43 30 32 » are one number).
public enum SearchKey {
    /// Lower case, accents dropped, apostrophes dropped (« N'DONG » is « ndong »),
    /// hyphens and runs of spaces made one space.
    public static func name(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for u in text.decomposedStringWithCanonicalMapping.lowercased().unicodeScalars {
            switch u {
            case "'", "\u{2019}", "\u{2018}", "`": continue
            case "-", "\u{2010}", "\u{2013}", "_", ".", ",": pendingSpace = !out.isEmpty; continue
            case "\u{0153}": out.append(contentsOf: "oe".unicodeScalars); pendingSpace = false; continue
            case "\u{00E6}": out.append(contentsOf: "ae".unicodeScalars); pendingSpace = false; continue
            default: break
            }
            if u.properties.generalCategory == .nonspacingMark { continue }
            if u.properties.isWhitespace { pendingSpace = !out.isEmpty; continue }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(u)
        }
        return String(out)
    }

    /// The digits of a number without the international prefix (`00`), Gabon's code
    /// (241) or the leading zeros; empty when the text holds fewer than 3 digits (a
    /// name, or too little to search by).
    public static func phone(_ text: String) -> String {
        var digits = Substring(String(text.unicodeScalars.filter { $0.properties.numericType == .decimal && $0.isASCII }.map(Character.init)))
        if digits.hasPrefix("00") { digits = digits.dropFirst(2) }
        if digits.hasPrefix("241") && digits.count >= 8 { digits = digits.dropFirst(3) }
        while digits.hasPrefix("0") { digits = digits.dropFirst() }
        return digits.count >= 3 ? String(digits) : ""
    }

    /// True when `text` looks like a phone number being typed (digits, spaces, `+`,
    /// dots, dashes, brackets) rather than a name.
    public static func looksLikePhone(_ text: String) -> Bool {
        let allowed = Set("0123456789 +.-()")
        return text.contains(where: \.isNumber) && text.allSatisfy { allowed.contains($0) }
    }

    /// The SQL condition a taxpayer (aliased `alias`) meets to match `term`, with its
    /// values: by name (in either order, first name or last name first), or by phone
    /// when the term looks like one. Uses the functions ``Database`` registers.
    static func condition(_ term: String, alias: String) -> (sql: String, values: [SQLValue])? {
        let trimmed = term.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        if looksLikePhone(trimmed) {
            let key = phone(trimmed)
            // Too few digits to tell anyone apart: an empty answer, not the whole office.
            guard !key.isEmpty else { return ("0", []) }
            return ("instr(cle_telephone(\(alias).telephone), ?) > 0", [.text(key)])
        }
        let key = name(trimmed)
        return ("(instr(cle_nom(\(alias).prenom || ' ' || \(alias).nom), ?) > 0 OR instr(cle_nom(\(alias).nom || ' ' || \(alias).prenom), ?) > 0)",
                [.text(key), .text(key)])
    }
}
