/// How an SMS text is encoded and how many parts (segments) it costs: providers bill
/// and throttle per segment.
///
/// GSM 03.38 (GSM-7) fits 160 characters in one SMS, 153 per part when the text is
/// split; its extension characters (`€ [ ] { } ^ ~ | \` and form feed) take two. Any
/// other character forces UCS-2: 70 per SMS, 67 per part.
public enum SMSText {
    public enum Encoding: String, Sendable, Codable { case gsm7 = "GSM-7", ucs2 = "UCS-2" }

    public struct Analysis: Sendable, Equatable {
        public var encoding: Encoding
        /// Septets (GSM-7) or UTF-16 code units (UCS-2).
        public var units: Int
        public var segments: Int
        /// The characters that forced UCS-2, in order of appearance (empty for GSM-7).
        public var nonGSMCharacters: [Character]

        public init(encoding: Encoding, units: Int, segments: Int, nonGSMCharacters: [Character]) {
            self.encoding = encoding
            self.units = units
            self.segments = segments
            self.nonGSMCharacters = nonGSMCharacters
        }
    }

    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public static func analyze(_ text: String) -> Analysis {
        var septets: [Int] = []
        var outside: [Character] = []
        for ch in text {
            if let size = septetCount(ch) { septets.append(size) } else if !outside.contains(ch) { outside.append(ch) }
        }
        if outside.isEmpty {
            let total = septets.reduce(0, +)
            return Analysis(encoding: .gsm7, units: total, segments: parts(septets, single: 160, multi: 153), nonGSMCharacters: [])
        }
        let units = text.map { $0.utf16.count }
        return Analysis(encoding: .ucs2, units: units.reduce(0, +), segments: parts(units, single: 70, multi: 67), nonGSMCharacters: outside)
    }

    public static func segments(_ text: String) -> Int { analyze(text).segments }

    /// Septets `ch` takes in GSM-7, or nil if GSM-7 cannot say it.
    static func septetCount(_ ch: Character) -> Int? {
        if basic.contains(ch) { return 1 }
        if extended.contains(ch) { return 2 }
        // Swift sees CR LF as one character; GSM-7 has both, one septet each.
        if ch == "\r\n" { return 2 }
        return nil
    }

    /// Splits units into parts without cutting a character (an escape pair, a surrogate pair).
    static func parts(_ sizes: [Int], single: Int, multi: Int) -> Int {
        let total = sizes.reduce(0, +)
        if total == 0 { return 1 }
        if total <= single { return 1 }
        var count = 1, used = 0
        for size in sizes {
            if used + size > multi { count += 1; used = 0 }
            used += size
        }
        return count
    }

    /// Replaces characters that force UCS-2 by GSM-7 look-alikes (’ → ', « → ",
    /// œ → oe, ê → e…), keeping the accents GSM-7 has (é è ù ì ò à Ç É Ä Ö Ñ Ü…).
    /// Characters with no look-alike are kept, so the text is never silently cut.
    public static func transliterate(_ text: String) -> String {
        var out = ""
        for ch in text {
            if septetCount(ch) != nil { out.append(ch) } else if let replacement = lookalikes[ch] { out += replacement } else { out.append(ch) }
        }
        return out
    }

    static let lookalikes: [Character: String] = [
        "’": "'", "‘": "'", "‚": "'", "′": "'", "“": "\"", "”": "\"", "„": "\"", "«": "\"", "»": "\"",
        "…": "...", "–": "-", "—": "-", "‐": "-", "−": "-", "\u{00A0}": " ", "\u{202F}": " ", "\u{2009}": " ", "\t": " ",
        "œ": "oe", "Œ": "OE", "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ÿ": "y",
        "ç": "c", "á": "a", "í": "i", "ó": "o", "ú": "u", "ã": "a", "õ": "o",
        "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O", "Ù": "U", "Û": "U", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U",
        "`": "'", "•": "-", "°": "o", "‹": "<", "›": ">",
        // Invisible characters that would force UCS-2 for nothing.
        "\u{00AD}": "", "\u{200B}": "", "\u{FEFF}": "",
    ]
}
