import Foundation

/// The keys a taxpayer is found by, as people type them: a name without accents or case
/// (« Nzé », « nze », « NZÉ » are all `nze`), a phone number without spaces nor the
/// +241/0 prefixes (« 06 58 43 30 32 », « +241 6 58 43 30 32 » are both `658433032`).
///
/// The store keeps both keys in columns that triggers fill in plain SQL (schema v7), so
/// any writer (an import, the API, the `sqlite3` shell) keeps them right, and a search
/// reads two short columns per row instead of folding every name at each keystroke.
/// The Swift functions below fold the typed term exactly as the SQL folds the rows.
public enum SearchKey {
    /// Accented letters and what they fold to; combining marks (a name pasted in
    /// decomposed form) fold to nothing. Frozen with migration v7, which embeds it:
    /// a change is a new migration that recomputes the columns.
    static let folds: [(String, String)] = {
        let lower: [(String, String)] = [
            ("à", "a"), ("á", "a"), ("â", "a"), ("ã", "a"), ("ä", "a"), ("å", "a"), ("æ", "ae"), ("ç", "c"),
            ("è", "e"), ("é", "e"), ("ê", "e"), ("ë", "e"), ("ì", "i"), ("í", "i"), ("î", "i"), ("ï", "i"),
            ("ñ", "n"), ("ò", "o"), ("ó", "o"), ("ô", "o"), ("õ", "o"), ("ö", "o"), ("ø", "o"), ("œ", "oe"),
            ("ù", "u"), ("ú", "u"), ("û", "u"), ("ü", "u"), ("ý", "y"), ("ÿ", "y"),
        ]
        let upper = lower.map { ($0.0.uppercased(), $0.1) }
        let marks = ["\u{0300}", "\u{0301}", "\u{0302}", "\u{0303}", "\u{0308}", "\u{030A}", "\u{030C}", "\u{0327}"].map { ($0, "") }
        return lower + upper + marks + [("\u{2019}", "'")]
    }()

    /// Separators people write in phone numbers, dropped (the phone rule's, plus tab).
    static let phoneSeparators = [" ", "\t", "-", ".", "(", ")", "/", "+", "\u{00A0}", "\u{202F}"]

    /// Characters that separate or join parts of a name, and what they become: a hyphen
    /// is a space (« NZÉ-ONDO » is found by « nze ondo »), an apostrophe nothing
    /// (« N'DONG » by « ndong »). ASCII ones too, so they are applied before the folds.
    static let joiners: [(String, String)] = [("-", " "), ("\u{2010}", " "), ("\u{2013}", " "), ("'", ""), ("\u{2019}", ""), ("\u{2018}", "")]

    /// A name (or any typed term) folded: hyphens made spaces, apostrophes dropped,
    /// accents off, ASCII lower case, runs of spaces made one, blanks trimmed.
    public static func name(_ text: String) -> String {
        var out = ""
        for ch in text {
            // Characters compare canonically: a decomposed « é » folds as a composed one.
            if let joined = joinerFolds[ch] { out += joined } else if let folded = characterFolds[ch] { out += folded } else { out.append(ch) }
        }
        var lowered = String.UnicodeScalarView()
        for u in out.unicodeScalars {
            if u == " ", lowered.last == " " { continue }
            lowered.append(("A"..."Z").contains(u) ? Unicode.Scalar(u.value + 32)! : u)
        }
        return String(lowered).trimmingCharacters(in: .whitespaces)
    }

    private static let joinerFolds: [Character: String] = Dictionary(uniqueKeysWithValues: joiners.map { (Character($0.0), $0.1) })

    private static let characterFolds: [Character: String] = {
        var d: [Character: String] = [:]
        for (from, to) in folds where from.count == 1 { d[Character(from)] = to }
        return d
    }()

    /// A typed phone number's national digits (separators, `00241`, `241` before a 0 or
    /// eight more digits, and the trunk 0 dropped); nil when `text` is not made of
    /// digits and separators only, or leaves fewer than 3 digits: too little to tell
    /// anyone apart (« 06 » would find half the office).
    public static func phone(_ text: String) -> String? {
        var digits = text
        for sep in phoneSeparators { digits = digits.replacingOccurrences(of: sep, with: "") }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if digits.hasPrefix("00241") { digits = String(digits.dropFirst(5)) }
        else if digits.hasPrefix("2410") || (digits.hasPrefix("241") && digits.count >= 11) { digits = String(digits.dropFirst(3)) }
        if digits.hasPrefix("0") { digits = String(digits.dropFirst()) }
        return digits.count >= 3 ? digits : nil
    }

    /// The condition a `contribuable` row meets to match `term` (its columns unaliased,
    /// so it reads in a subquery too), with its values; nil for a blank term.
    static func match(_ term: String) -> (sql: String, values: [SQLValue])? {
        let trimmed = term.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        func like(_ s: String) -> SQLValue {
            .text("%" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_") + "%")
        }
        guard let phone = phone(trimmed) else { return ("cle_nom LIKE ? ESCAPE '\\'", [like(name(trimmed))]) }
        return ("(cle_nom LIKE ? ESCAPE '\\' OR cle_telephone LIKE ? ESCAPE '\\')", [like(name(trimmed)), like(phone)])
    }

    /// `name(_:)` in SQL: the statements that set `column` of the rows `filter` (empty,
    /// or ` WHERE …`) selects to the folded `x`. Several short ones: one expression of
    /// every fold nested would overflow SQLite's parser. A fold step only rewrites a key
    /// that still holds a character beyond ASCII, so a plain name costs one write.
    /// (SQLite's lower() folds ASCII only, as `name(_:)` does.)
    /// `also`: more assignments made by the first statement. lower() and trim() come
    /// first: the folds only make lower-case ASCII, and remove no blank.
    static func nameSQL(set column: String, to x: String, also: String, table: String, filter: String) -> [String] {
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        let joined = joiners.reduce("(\(x))") { "replace(\($0), \(literal($1.0)), \(literal($1.1)))" }
        // Runs of up to eight spaces made one, as `name(_:)` does.
        let spaced = (0..<3).reduce(joined) { e, _ in "replace(\(e), '  ', ' ')" }
        var statements = ["UPDATE \(table) SET \(column) = trim(lower(\(spaced)), ' '), \(also)\(filter);"]
        let beyondASCII = (filter.isEmpty ? " WHERE " : filter + " AND ") + "\(column) GLOB '*[^ -~]*'"
        for start in stride(from: 0, to: folds.count, by: 12) {
            let replaced = folds[start..<min(start + 12, folds.count)].reduce(column) {
                "replace(\($0), \(literal($1.0)), \(literal($1.1)))"
            }
            statements.append("UPDATE \(table) SET \(column) = \(replaced)\(beyondASCII);")
        }
        return statements
    }

    /// `phone(_:)` in SQL, of the expression `x` (for any text: the key of a stored
    /// value that is no number is never typed as digits, so it finds nothing wrong).
    static func phoneSQL(_ x: String) -> String {
        var d = "COALESCE(\(x), '')"
        for sep in phoneSeparators {
            let literal = switch sep {
            case "\t": "char(9)"
            case "\u{00A0}": "char(160)"
            case "\u{202F}": "char(8239)"
            default: "'\(sep)'"
            }
            d = "replace(\(d), \(literal), '')"
        }
        return """
            (SELECT CASE WHEN e LIKE '0%' THEN substr(e, 2) ELSE e END FROM \
            (SELECT CASE WHEN d LIKE '00241%' THEN substr(d, 6) WHEN d LIKE '2410%' OR (d LIKE '241%' AND length(d) >= 11) THEN substr(d, 4) ELSE d END AS e FROM \
            (SELECT \(d) AS d)))
            """
    }
}
