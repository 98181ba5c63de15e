/// RFC 4180 CSV as spreadsheets export it: a BOM dropped, `;` or `,` separated
/// (guessed from the header line), quoted fields with `""` and line breaks inside.
public enum CSVParser {
    public struct Row: Sendable, Equatable {
        /// The line the row starts on (1 = the header).
        public var line: Int
        public var fields: [String]
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(line: Int)
        case empty
        public var description: String {
            switch self {
            case .unterminatedQuote(let line): "line \(line): a quoted field is never closed"
            case .empty: "the file is empty (a header row is needed)"
            }
        }
    }

    public static func parse(_ text: String) -> Result<[Row], Failure> {
        var chars = Substring(text)
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        let headerLine = chars.prefix { $0 != "\n" && $0 != "\r\n" }
        let separator: Character = headerLine.filter { $0 == ";" }.count >= headerLine.filter { $0 == "," }.count && headerLine.contains(";") ? ";" : ","
        var rows: [Row] = []
        var field = "", fields: [String] = []
        var line = 1, rowStart = 1
        var quoted = false, quoteStart = 0
        var i = chars.startIndex
        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Row(line: rowStart, fields: fields)) }
            fields = []
            field = ""
        }
        while i < chars.endIndex {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    let next = chars.index(after: i)
                    if next < chars.endIndex && chars[next] == "\"" { field.append("\""); i = chars.index(after: next); continue }
                    quoted = false
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c == "\r\n" ? "\n" : c)
                }
            } else if c == "\"" && field.isEmpty {
                quoted = true
                quoteStart = line
            } else if c == separator {
                fields.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" {
                endRow()
                line += 1
                rowStart = line
            } else {
                field.append(c)
            }
            i = chars.index(after: i)
        }
        if quoted { return .failure(.unterminatedQuote(line: quoteStart)) }
        if !field.isEmpty || !fields.isEmpty { endRow() }
        return rows.isEmpty ? .failure(.empty) : .success(rows)
    }
}
