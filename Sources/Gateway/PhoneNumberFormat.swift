import Foundation

/// Phone numbers as the SMS provider wants them: digits only, country code first, then
/// the national significant number (Gabon: `241` and 8 digits, `24177123456`).
///
/// It lives in the core, not in a channel, because the import and the pre-flight judge
/// numbers too, and must judge them by the same rule as the channel that sends.
///
/// Gabon's plan since November 2019: 9 digits nationally, a trunk `0` then 8 digits
/// (`077 12 34 56`), and 8 digits after `+241`. The trunk 0 is not part of the
/// international number, so a 9-digit national number loses it; an 8-digit number
/// keeps its leading 0, which belongs to it (`06 03 12 34` → `24106031234`). Anything
/// that does not come out as the country code and `nationalDigits` digits is refused,
/// so it fails before any network call with a note saying what a right one looks like.
public struct PhoneNumberFormat: Sendable, Hashable {
    public var countryCode: String
    /// Digits after the country code (8 in Gabon).
    public var nationalDigits: Int
    /// The provider integration note's form (`0661234567` → `2410661234567`): the trunk 0
    /// kept and any length from `nationalDigits` to 15 digits accepted. Off by default:
    /// the network does not route those numbers.
    public var keepTrunkZero: Bool

    public init(countryCode: String = "241", nationalDigits: Int = 8, keepTrunkZero: Bool = false) {
        self.countryCode = countryCode
        self.nationalDigits = nationalDigits
        self.keepTrunkZero = keepTrunkZero
    }

    /// Separators people write in numbers, dropped.
    /// (Non-breaking spaces come with numbers pasted from French documents.)
    static let separators: Set<Character> = [" ", "\t", "-", ".", "(", ")", "/", "+", "\u{00A0}", "\u{202F}"]

    /// The number to send, or what is wrong with it (``explain(_:)`` says it in full).
    public func format(_ raw: String) -> Result<String, PhoneNumberError> {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .failure(.empty) }
        if trimmed.contains(where: { $0.isLetter }) { return .failure(.letters(raw)) }
        if let bad = trimmed.first(where: { !Self.separators.contains($0) && !($0.isASCII && $0.isNumber) }) {
            return .failure(.character(raw, bad))
        }
        if trimmed.dropFirst().contains("+") { return .failure(.character(raw, "+")) }
        var digits = trimmed.filter { $0.isNumber }
        if keepTrunkZero { return legacy(raw, trimmed, digits) }
        // `+…` and `00…` are international; so is the country code written without them,
        // since no national number starts with it and is longer than a national one.
        let international: Bool
        if trimmed.hasPrefix("+") {
            international = true
        } else if digits.hasPrefix("00") {
            digits.removeFirst(2)
            international = true
        } else {
            international = digits.hasPrefix(countryCode) && digits.count > nationalDigits + 1
        }
        var national = Substring(digits)
        if international {
            guard digits.hasPrefix(countryCode) else { return .failure(.otherCountry(raw, expected: countryCode)) }
            national = national.dropFirst(countryCode.count)
        }
        if national.count == nationalDigits + 1 && national.hasPrefix("0") { national = national.dropFirst() }
        guard national.count == nationalDigits else {
            return .failure(.wrongLength(raw, digits: international ? digits.count - countryCode.count : digits.count,
                                         afterCountryCode: international))
        }
        return .success(countryCode + national)
    }

    /// The integration note's rule: the country code in front of anything that does not
    /// start with it, its 0 kept.
    private func legacy(_ raw: String, _ trimmed: String, _ digits: String) -> Result<String, PhoneNumberError> {
        var digits = digits
        if trimmed.hasPrefix("00") { digits = String(digits.dropFirst(2)) }
        if !digits.hasPrefix(countryCode) { digits = countryCode + digits }
        let subscriber = digits.count - countryCode.count
        if subscriber < nationalDigits { return .failure(.tooShort(raw, subscriber)) }
        if digits.count > 15 { return .failure(.tooLong(raw, digits.count)) }
        return .success(digits)
    }

    /// What is wrong and what a right number looks like, in French (a relance's note, an
    /// import's or a pre-flight's report).
    public func explain(_ error: PhoneNumberError) -> String {
        if case .empty = error { return error.description }
        return "\(error.description) ; \(correctForm)"
    }

    /// How a right number is written, for the office's people.
    public var correctForm: String {
        if countryCode == "241" && nationalDigits == 8 {
            return "un numéro correct a 9 chiffres commençant par 0, comme « 077 12 34 56 » (ou « +241 77 12 34 56 »)"
        }
        return "un numéro correct a \(nationalDigits) chiffres après l'indicatif \(countryCode) (ou le 0 puis ces chiffres)"
    }
}

public enum PhoneNumberError: Error, Equatable, CustomStringConvertible {
    case empty
    case letters(String)
    case character(String, Character)
    /// Not the digits a number has, counted after the country code when it was written.
    case wrongLength(String, digits: Int, afterCountryCode: Bool)
    /// An international number of another country.
    case otherCountry(String, expected: String)
    case tooShort(String, Int)
    case tooLong(String, Int)

    public var description: String {
        switch self {
        case .empty: "aucun numéro de téléphone"
        case .letters(let n): "le numéro « \(n) » contient des lettres"
        case .character(let n, let c): "le numéro « \(n) » contient un caractère non permis (« \(c) »)"
        case .wrongLength(let n, let count, let after):
            "le numéro « \(n) » a \(count) chiffre\(count > 1 ? "s" : "")\(after ? " après l'indicatif" : "")"
        case .otherCountry(let n, let expected): "le numéro « \(n) » n'a pas l'indicatif \(expected)"
        case .tooShort(let n, let count): "le numéro « \(n) » est trop court (\(count) chiffres après l'indicatif)"
        case .tooLong(let n, let count): "le numéro « \(n) » a \(count) chiffres, plus que les 15 permis (E.164)"
        }
    }
}
