import Foundation

/// Reads CSV rows one at a time from a file or from memory, holding one chunk of the
/// file and one row: an import of a million rows costs what one row costs.
public struct CSVReader {
    private var read: () throws(CSVParser.Failure) -> Data?
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var line = 1
    private var separator: UInt8 = UInt8(ascii: ",")
    private var started = false
    /// Rows whose bytes were not UTF-8 and were read as Windows-1252 (what Excel's
    /// « CSV (séparateur : point-virgule) » writes on a French Windows).
    public private(set) var windows1252Rows = 0

    /// Rows of a file, read in chunks of `chunkSize` bytes.
    public init(file: FileHandle, chunkSize: Int = 1 << 20) {
        read = { () throws(CSVParser.Failure) -> Data? in
            do {
                let data = try file.read(upToCount: chunkSize)
                return data?.isEmpty == false ? data : nil
            } catch {
                throw .unreadable(error.localizedDescription)
            }
        }
    }

    /// Rows of text in memory.
    public init(_ data: Data) {
        var given: Data? = data
        read = { () throws(CSVParser.Failure) -> Data? in
            defer { given = nil }
            return given?.isEmpty == false ? given : nil
        }
    }

    /// Makes sure `count` bytes from `position` are buffered, if the file has them.
    private mutating func fill(_ count: Int) throws(CSVParser.Failure) -> Bool {
        while buffer.count - position < count && !finished {
            guard let more = try read() else { finished = true; break }
            buffer.removeFirst(position)
            position = 0
            buffer.append(contentsOf: more)
        }
        return buffer.count - position >= count
    }

    /// Drops the BOM and guesses the separator from the header line: `;` when it has
    /// at least as many as `,` (as French spreadsheets export), else `,`.
    private mutating func start() throws(CSVParser.Failure) {
        started = true
        if try fill(3), buffer[position] == 0xEF, buffer[position + 1] == 0xBB, buffer[position + 2] == 0xBF { position += 3 }
        var end = position
        while true {
            while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
            if end < buffer.count || finished { break }
            let scanned = end - position
            _ = try fill(scanned + 1)
            end = position + scanned
        }
        let header = buffer[position..<end]
        let semicolons = header.filter { $0 == UInt8(ascii: ";") }.count
        let commas = header.filter { $0 == UInt8(ascii: ",") }.count
        separator = semicolons > 0 && semicolons >= commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    /// The next row with something in it (blank lines are skipped), nil at the end.
    public mutating func next() throws(CSVParser.Failure) -> CSVParser.Row? {
        if !started { try start() }
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        while true {
            guard try fill(1) else { return nil }
            var fields: [String] = []
            var field: [UInt8] = []
            let rowStart = line
            var quoted = false, quoteStart = 0, ended = false, converted = false
            func finishField() throws(CSVParser.Failure) {
                if let text = String(validating: field, as: UTF8.self) {
                    fields.append(text)
                } else if let text = Windows1252.decode(field) {
                    fields.append(text)
                    converted = true
                } else {
                    throw .notUTF8(line: line)
                }
                field.removeAll(keepingCapacity: true)
            }
            while !ended {
                guard try fill(1) else { break }
                let c = buffer[position]
                position += 1
                if quoted {
                    if c == quote {
                        if try fill(1), buffer[position] == quote { field.append(quote); position += 1 } else { quoted = false }
                    } else if c == carriage, try fill(1), buffer[position] == newline {
                        continue   // CRLF inside a field is a line break: kept as \n
                    } else {
                        if c == newline { line += 1 }
                        field.append(c)
                    }
                } else if c == quote && field.isEmpty {
                    quoted = true
                    quoteStart = line
                } else if c == separator {
                    try finishField()
                } else if c == newline {
                    ended = true
                } else if c == carriage, try fill(1), buffer[position] == newline {
                    continue
                } else {
                    field.append(c)
                }
            }
            if quoted { throw .unterminatedQuote(line: quoteStart) }
            try finishField()
            if ended { line += 1 }
            if converted { windows1252Rows += 1 }
            if fields.count == 1 && fields[0].isEmpty { continue }
            return CSVParser.Row(line: rowStart, fields: fields)
        }
    }
}
