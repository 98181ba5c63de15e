import Foundation

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
        case notUTF8(line: Int)
        case unreadable(String)
        public var description: String {
            switch self {
            case .unterminatedQuote(let line): "line \(line): a quoted field is never closed"
            case .empty: "the file is empty (a header row is needed)"
            case .notUTF8(let line): "ligne \(line) : ni UTF-8 ni Windows-1252 (not UTF-8); enregistrez le fichier depuis le tableur au format « CSV UTF-8 »"
            case .unreadable(let why): "cannot be read: \(why)"
            }
        }
    }

    /// Every row of `text` (the header first).
    public static func parse(_ text: String) -> Result<[Row], Failure> {
        var reader = CSVReader(Data(text.utf8))
        var rows: [Row] = []
        do {
            while let row = try reader.next() { rows.append(row) }
        } catch {
            return .failure(error)
        }
        return rows.isEmpty ? .failure(.empty) : .success(rows)
    }
}
