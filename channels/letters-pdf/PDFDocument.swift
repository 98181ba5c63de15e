import Foundation

/// A small PDF 1.4 writer: A4 pages of text in the standard Helvetica fonts with
/// WinAnsiEncoding (so French accents print without embedding a font), an optional
/// JPEG image, and a cross-reference table whose offsets are counted as the bytes are
/// written. Enough for letters; nothing more.
struct PDFDocument {
    static let a4 = (width: 595.28, height: 841.89)

    /// One page's drawing operators (see ``PDFPage``).
    var pages: [Data] = []
    /// A JPEG drawn as `/Logo` on the pages that ask for it.
    var logo: JPEGImage?

    func render() -> Data {
        var out = Data()
        var offsets: [Int] = []
        func object(_ body: Data) {
            offsets.append(out.count)
            out.append(Data("\(offsets.count) 0 obj\n".utf8))
            out.append(body)
            out.append(Data("\nendobj\n".utf8))
        }
        func object(_ text: String) { object(Data(text.utf8)) }

        out.append(Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8))
        // Fixed numbers: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 logo (or a
        // placeholder), then a content stream and a page object for each page.
        let first = 6
        let kids = (0..<pages.count).map { "\(first + 2 * $0 + 1) 0 R" }.joined(separator: " ")
        object("<< /Type /Catalog /Pages 2 0 R >>")
        object("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        if let logo {
            var body = Data(("<< /Type /XObject /Subtype /Image /Width \(logo.width) /Height \(logo.height) /ColorSpace /\(logo.colorSpace) "
                             + "/BitsPerComponent 8 /Filter /DCTDecode /Length \(logo.data.count) >>\nstream\n").utf8)
            body.append(logo.data)
            body.append(Data("\nendstream".utf8))
            object(body)
        } else {
            object("null")
        }
        let resources = "<< /Font << /F1 3 0 R /F2 4 0 R >>" + (logo == nil ? "" : " /XObject << /Logo 5 0 R >>") + " >>"
        for (index, content) in pages.enumerated() {
            var stream = Data("<< /Length \(content.count) >>\nstream\n".utf8)
            stream.append(content)
            stream.append(Data("\nendstream".utf8))
            object(stream)
            object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.a4.width) \(Self.a4.height)] /Resources \(resources) "
                   + "/Contents \(first + 2 * index) 0 R >>")
        }
        let xref = out.count
        var table = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        out.append(Data(table.utf8))
        return out
    }
}

/// Drawing one page: text at positions, in points from the bottom left.
struct PDFPage {
    private(set) var content = Data()

    enum Font: String { case regular = "F1", bold = "F2" }

    mutating func text(_ string: String, x: Double, y: Double, size: Double = 10, font: Font = .regular) {
        content.append(Data("BT /\(font.rawValue) \(Self.number(size)) Tf \(Self.number(x)) \(Self.number(y)) Td (".utf8))
        content.append(Self.winAnsi(string))
        content.append(Data(") Tj ET\n".utf8))
    }

    /// Right-aligned at `right`, measured with Helvetica's widths.
    mutating func textRight(_ string: String, right: Double, y: Double, size: Double = 10, font: Font = .regular) {
        text(string, x: right - Self.width(string, size: size, bold: font == .bold), y: y, size: size, font: font)
    }

    mutating func image(x: Double, y: Double, width: Double, height: Double) {
        content.append(Data("q \(Self.number(width)) 0 0 \(Self.number(height)) \(Self.number(x)) \(Self.number(y)) cm /Logo Do Q\n".utf8))
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double) {
        content.append(Data("0.5 w \(Self.number(x1)) \(Self.number(y1)) m \(Self.number(x2)) \(Self.number(y2)) l S\n".utf8))
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// The string in WinAnsi (Windows-1252) bytes, escaped for a PDF literal string.
    /// Characters it lacks become `?`; typographic spaces become plain ones.
    static func winAnsi(_ string: String) -> Data {
        var out = Data()
        for scalar in string.unicodeScalars {
            let byte: UInt8
            switch scalar.value {
            case 0x28, 0x29, 0x5C: out.append(0x5C); byte = UInt8(scalar.value)
            case 0x20...0x7E: byte = UInt8(scalar.value)
            case 0xA0...0xFF: byte = UInt8(scalar.value)
            case 0x202F, 0x2009: byte = 0x20
            default: byte = windows1252[scalar.value] ?? 0x3F
            }
            out.append(byte)
        }
        return out
    }

    /// Windows-1252's characters in 0x80–0x9F, by code point.
    static let windows1252: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
        0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
        0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// Helvetica's advance widths (thousandths of the size) for ASCII; others count as 556.
    static func width(_ string: String, size: Double, bold: Bool = false) -> Double {
        var total = 0
        for scalar in string.unicodeScalars {
            let v = Int(scalar.value)
            total += (32..<127).contains(v) ? (bold ? helveticaBold[v - 32] : helvetica[v - 32]) : 556
        }
        return Double(total) * size / 1000
    }

    static let helvetica: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]
    static let helveticaBold: [Int] = [
        278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
        556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
        611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    ]

    /// Words wrapped to lines no wider than `width` points.
    static func wrap(_ text: String, width: Double, size: Double) -> [String] {
        var lines: [String] = []
        for paragraph in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            for word in paragraph.split(separator: " ") {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                if !current.isEmpty && Self.width(candidate, size: size) > width {
                    lines.append(current)
                    current = String(word)
                } else {
                    current = candidate
                }
            }
            lines.append(current)
        }
        return lines
    }
}

/// A baseline JPEG's size and colours, read from its frame header, to embed it as is.
struct JPEGImage {
    let data: Data
    let width: Int
    let height: Int
    let colorSpace: String

    /// Nil when `data` is not a JPEG whose frame header can be found.
    init?(_ data: Data) {
        let bytes = [UInt8](data)
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                height = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
                width = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8])
                colorSpace = switch bytes[i + 9] { case 1: "DeviceGray"; case 4: "DeviceCMYK"; default: "DeviceRGB" }
                self.data = data
                return
            }
            i += 2 + length
        }
        return nil
    }
}
