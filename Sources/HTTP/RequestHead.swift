import Foundation

/// The request line and headers, parsed strictly: anything malformed is a 400, never
/// a guess.
public enum RequestHead {
    enum Parsed {
        case success(HTTPRequest, keepAlive: Bool, bodyLength: Int, expectsContinue: Bool)
        case failure(Int, String)
    }

    static func parse(_ head: [UInt8], limits: HTTPServerConfiguration) -> Parsed? {
        guard !hasControlByte(head) else { return .failure(400, "Bad Request") }
        guard let text = String(validating: head, as: UTF8.self) else { return .failure(400, "Bad Request") }
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst()
        if requestLine.utf8.count > limits.maxRequestLineBytes { return .failure(414, "URI Too Long") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        let method = String(parts[0])
        guard !method.isEmpty, method.utf8.allSatisfy({ isTokenByte($0) }) else { return nil }
        let version = parts[2]
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return version.hasPrefix("HTTP/") ? .failure(505, "HTTP Version Not Supported") : nil
        }
        var target = Substring(parts[1])
        if target.hasPrefix("http://") || target.hasPrefix("https://"), let scheme = target.range(of: "://") {
            // absolute-form: keep the path.
            let afterScheme = target[scheme.upperBound...]
            target = afterScheme.firstIndex(of: "/").map { afterScheme[$0...] } ?? "/"
        }
        guard target.hasPrefix("/") else { return nil }
        let rawPath: Substring
        let rawQuery: Substring
        if let q = target.firstIndex(of: "?") {
            rawPath = target[..<q]
            rawQuery = target[target.index(after: q)...]
        } else {
            rawPath = target
            rawQuery = ""
        }
        guard let path = percentDecode(rawPath, plusAsSpace: false) else { return nil }
        guard let query = parseQuery(rawQuery) else { return nil }

        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix(" "), !line.hasPrefix("\t") else { return nil }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy({ isTokenByte($0) }) else { return nil }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            headers.add(String(name), value)
        }
        let lengths = headers.fields.filter { $0.name.caseInsensitiveCompare("Content-Length") == .orderedSame }.map(\.value)
        var length = 0
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 12,
                  first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(first) else { return nil }
            if n > limits.maxBodyBytes { return .failure(413, "Request Entity Too Large") }
            length = n
        }
        if let te = headers["Transfer-Encoding"] {
            return te.lowercased().contains("chunked") ? .failure(411, "Length Required") : .failure(501, "Not Implemented")
        }
        let connection = headers["Connection"]?.lowercased() ?? ""
        let keepAlive = version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        let expects = headers["Expect"]?.lowercased() == "100-continue"
        let request = HTTPRequest(method: method, path: path, query: query, headers: headers)
        return .success(request, keepAlive: keepAlive, bodyLength: length, expectsContinue: expects)
    }

    /// A form-urlencoded body as a dictionary (the last value of a repeated name wins).
    public static func form(_ body: Data) -> [String: String]? {
        guard let text = String(data: body, encoding: .utf8), let pairs = parseQuery(Substring(text)) else { return nil }
        var out: [String: String] = [:]
        for pair in pairs { out[pair.name] = pair.value }
        return out
    }

    /// A NUL, a bare CR or LF, or any other control byte but a tab (RFC 9110 §5.5): one
    /// reader may cut a value there and another not, so a header could mean two things.
    static func hasControlByte(_ head: [UInt8]) -> Bool {
        for i in head.indices {
            switch head[i] {
            case 9: continue
            case 13: if i + 1 == head.count || head[i + 1] != 10 { return true }
            case 10: if i == 0 || head[i - 1] != 13 { return true }
            case 0..<32, 127: return true
            default: continue
            }
        }
        return false
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// `a=1&b=deux+mots&c=%C3%A9` → pairs; nil when an escape is broken or not UTF-8.
    static func parseQuery(_ raw: Substring) -> [(name: String, value: String)]? {
        var pairs: [(name: String, value: String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let (n, v): (Substring, Substring)
            if let eq = part.firstIndex(of: "=") { (n, v) = (part[..<eq], part[part.index(after: eq)...]) } else { (n, v) = (part, "") }
            guard let name = percentDecode(n, plusAsSpace: true), let value = percentDecode(v, plusAsSpace: true) else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    static func percentDecode(_ s: Substring, plusAsSpace: Bool) -> String? {
        if !s.contains("%") && !(plusAsSpace && s.contains("+")) { return String(s) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hex(h), let lv = hex(l) else { return nil }
                bytes.append(hv << 4 | lv)
            } else if plusAsSpace && b == UInt8(ascii: "+") {
                bytes.append(32)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: b - 48
        case 65...70: b - 55
        case 97...102: b - 87
        default: nil
        }
    }
}
