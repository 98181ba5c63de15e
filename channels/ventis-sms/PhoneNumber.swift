/// Phone numbers as Ventis wants them: digits only, country code first.
///
/// The office's rule (Gabon, 241): keep the digits; a number that starts with the
/// country code stays as it is; any other gets the country code in front, its
/// leading 0 kept (`0661234567` → `2410661234567`).
public struct PhoneNumberFormat: Sendable, Hashable {
    public var countryCode: String
    /// Keep the national trunk 0 after the country code (the office's numbers need it).
    public var keepTrunkZero: Bool
    /// Fewer subscriber digits than this cannot be a number.
    public var minimumSubscriberDigits: Int

    public init(countryCode: String = "241", keepTrunkZero: Bool = true, minimumSubscriberDigits: Int = 8) {
        self.countryCode = countryCode
        self.keepTrunkZero = keepTrunkZero
        self.minimumSubscriberDigits = minimumSubscriberDigits
    }

    /// Separators people write in numbers, dropped.
    /// (Non-breaking spaces come with numbers pasted from French documents.)
    static let separators: Set<Character> = [" ", "\t", "-", ".", "(", ")", "/", "+", "\u{00A0}", "\u{202F}"]

    /// The number to send, or why it cannot be used (in French, for the relance's notes).
    public func format(_ raw: String) -> Result<String, PhoneNumberError> {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .failure(.empty) }
        if trimmed.contains(where: { $0.isLetter }) { return .failure(.letters(raw)) }
        if let bad = trimmed.first(where: { !Self.separators.contains($0) && !($0.isASCII && $0.isNumber) }) {
            return .failure(.character(raw, bad))
        }
        if trimmed.dropFirst().contains("+") { return .failure(.character(raw, "+")) }
        var digits = trimmed.filter { $0.isNumber }
        if trimmed.hasPrefix("00") { digits = String(digits.dropFirst(2)) }   // 00241… is the international prefix
        if !digits.hasPrefix(countryCode) {
            digits = countryCode + (keepTrunkZero || !digits.hasPrefix("0") ? digits : String(digits.dropFirst()))
        }
        let subscriber = digits.count - countryCode.count
        if subscriber < minimumSubscriberDigits { return .failure(.tooShort(raw, subscriber)) }
        if digits.count > 15 { return .failure(.tooLong(raw, digits.count)) }
        return .success(digits)
    }
}

import Foundation

public enum PhoneNumberError: Error, Equatable, CustomStringConvertible {
    case empty
    case letters(String)
    case character(String, Character)
    case tooShort(String, Int)
    case tooLong(String, Int)

    public var description: String {
        switch self {
        case .empty: "aucun numéro de téléphone"
        case .letters(let n): "le numéro « \(n) » contient des lettres"
        case .character(let n, let c): "le numéro « \(n) » contient un caractère non permis (« \(c) »)"
        case .tooShort(let n, let count): "le numéro « \(n) » est trop court (\(count) chiffres après l'indicatif)"
        case .tooLong(let n, let count): "le numéro « \(n) » a \(count) chiffres, plus que les 15 permis (E.164)"
        }
    }
}
