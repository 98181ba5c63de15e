import Foundation
import Gateway

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
    /// The page kept for a letter of an envelope that never came (the process stopped
    /// between two letters to one address): said, so nobody posts it as a letter, and so
    /// the pages after it keep the numbers their receipts gave.
    static func blank(head: Letterhead) -> Data {
        var page = PDFPage()
        let left = 20 * mm, top = PDFDocument.a4.height
        page.text(head.name, x: left, y: top - 20 * mm, size: 13, font: .bold)
        page.text("Page laissée blanche : la lettre prévue ici n'a pas été envoyée.", x: left, y: top - 105 * mm, size: 11, font: .bold)
        page.text("Ne pas poster cette page ; les autres lettres de cette enveloppe sont avant ou après elle.", x: left, y: top - 112 * mm, size: 10)
        return page.content
    }

    static func amount(_ text: String) -> String? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let units = parts.first, !units.isEmpty, units.allSatisfy(\.isNumber),
              parts.count == 1 || parts[1].allSatisfy(\.isNumber) else { return nil }
        var digits = String(units.drop { $0 == "0" })
        if digits.isEmpty { digits = "0" }
        var grouped = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(" ") }
            grouped.append(ch)
        }
        let cents = parts.count == 2 ? String(parts[1].prefix(2)).padding(toLength: 2, withPad: "0", startingAt: 0) : "00"
        return grouped + (cents == "00" ? "" : ",\(cents)") + " FCFA"
    }

    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]

    /// « 25 novembre 2026 », in Libreville's time (UTC+1).
    static func frenchDate(_ date: Date) -> String {
        let (year, month, day) = CivilDate.fromDays(Int(((date.timeIntervalSince1970 + 3600) / 86_400).rounded(.down)))
        return "\(day) \(months[month - 1]) \(year)"
    }

    static func addressLines(_ address: String) -> [String] {
        address.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
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
    /// Its page in the run's PDF, given when it arrived (journals of older runs have none:
    /// their letters are in page order).
    var page: Int?
}
