import Foundation

/// The office's letterhead and signature, from the channel's settings.
struct Letterhead: Sendable {
    var name: String
    var addressLines: [String]
    var phone: String
    var place: String
    var signature: [String]
}

/// One letter laid out on an A4 page: letterhead top left (logo top right), place and
/// date, the taxpayer's name and address where a DL window envelope shows them (its
/// window 110 mm from the left, 45 to 90 mm from the top), the reference, the tax, the
/// amount, the due date, the type's text, the signature.
enum LetterLayout {
    static let mm = 72.0 / 25.4

    static func page(_ letter: Letter, head: Letterhead, hasLogo: Bool, date: Date) -> Data {
        var page = PDFPage()
        let top = PDFDocument.a4.height
        let left = 20 * mm, right = PDFDocument.a4.width - 20 * mm
        var y = top - 20 * mm
        page.text(head.name, x: left, y: y, size: 13, font: .bold)
        for line in head.addressLines { y -= 13; page.text(line, x: left, y: y, size: 9) }
        if !head.phone.isEmpty { y -= 13; page.text("Tél. : \(head.phone)", x: left, y: y, size: 9) }
        if hasLogo { page.image(x: right - 25 * mm, y: top - 45 * mm, width: 25 * mm, height: 25 * mm) }

        page.textRight("\(head.place), le \(frenchDate(date))", right: right, y: top - 40 * mm)

        // The window: name first, then the address as written, one line per comma or line break.
        var windowY = top - 55 * mm
        let windowX = 110 * mm
        page.text(letter.name.isEmpty ? "Madame, Monsieur" : letter.name, x: windowX, y: windowY, size: 11, font: .bold)
        for line in addressLines(letter.address).prefix(5) {
            windowY -= 14
            page.text(line, x: windowX, y: windowY, size: 11)
        }

        y = top - 105 * mm
        page.text("Objet : rappel de paiement\(letter.tax.isEmpty ? "" : " – \(letter.tax)")", x: left, y: y, size: 11, font: .bold)
        y -= 18
        page.text("Référence : \(letter.reference)", x: left, y: y)
        if !letter.tax.isEmpty { y -= 14; page.text("Taxe : \(letter.tax)", x: left, y: y) }
        if let amount = letter.amount { y -= 14; page.text("Montant dû : \(amount)", x: left, y: y, font: .bold) }
        if let due = letter.due { y -= 14; page.text("Date d'échéance : \(frenchDate(due))", x: left, y: y) }
        y -= 28
        for line in PDFPage.wrap(letter.text, width: right - left, size: 11) {
            page.text(line, x: left, y: y, size: 11)
            y -= 15
            if y < 60 * mm { break }   // a template longer than a page is cut, the signature kept
        }
        y = min(y - 20, 55 * mm)
        for (i, line) in head.signature.enumerated() {
            page.text(line, x: 120 * mm, y: y - Double(i) * 14, size: 11, font: i == 0 ? .bold : .regular)
        }
        page.line(x1: left, y1: 15 * mm, x2: right, y2: 15 * mm)
        page.text("\(head.name) – \(head.addressLines.joined(separator: ", "))", x: left, y: 10 * mm, size: 7)
        return page.content
    }

    /// « 45 000 FCFA » from `45000.00` (centimes shown only when there are any).
    static func amount(_ text: String) -> String? {
        guard let value = Decimal(string: text.trimmingCharacters(in: .whitespaces)) else { return nil }
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "fr_FR")
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = " "
        formatter.decimalSeparator = ","
        formatter.minimumFractionDigits = value == value.rounded ? 0 : 2
        formatter.maximumFractionDigits = 2
        return (formatter.string(from: value as NSDecimalNumber) ?? text) + " FCFA"
    }

    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    /// « 25 novembre 2026 », in Libreville's time (UTC+1).
    static func frenchDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 3600)!
        let c = calendar.dateComponents([.day, .month, .year], from: date)
        return "\(c.day!) \(months[c.month! - 1]) \(c.year!)"
    }

    static func addressLines(_ address: String) -> [String] {
        address.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension Decimal {
    fileprivate var rounded: Decimal {
        var copy = self, result = Decimal()
        NSDecimalRound(&result, &copy, 0, .plain)
        return result
    }
}

/// What a letter says, from a delivery.
struct Letter: Codable, Sendable {
    var deliveryID: String
    var name: String
    var address: String
    var reference: String
    var tax: String
    var amount: String?
    var due: Date?
    var text: String
}
