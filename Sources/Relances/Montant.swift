/// An amount of FCFA, exact to the centime: stored as whole centimes, never as a
/// floating-point number, and written with two decimals (`"5000.00"`) as the API does.
public struct Montant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var centimes: Int64

    public init(centimes: Int64) { self.centimes = centimes }

    /// Reads `5000`, `5000.5`, `5000.50`, `5 000,50` (a spreadsheet's French format);
    /// nil for anything else, or more than two decimals, or a negative amount.
    public init?(_ text: String) {
        var t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
            .replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: "\u{202F}", with: "")
        t = t.replacingOccurrences(of: ",", with: ".")
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 13,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 2, fraction.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !fraction.isEmpty else { return nil }
        while fraction.count < 2 { fraction += "0" }
        guard let w = Int64(whole), let f = Int64(fraction) else { return nil }
        centimes = w * 100 + f
    }

    /// `5000.00`
    public var description: String {
        let sign = centimes < 0 ? "-" : ""
        let a = abs(centimes)
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public static func < (a: Montant, b: Montant) -> Bool { a.centimes < b.centimes }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self), let m = Montant(text) { self = m; return }
        if let number = try? c.decode(Double.self), number >= 0, let m = Montant(String(format: "%.2f", number)) { self = m; return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "montant invalide (ex. \"5000.00\")")
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

import Foundation
