import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns a response into bytes: status line, the handler's headers, then `Date`,
/// `Content-Length` and `Connection` as the server decides them.
enum ResponseWriter {
    static func serialize(_ response: HTTPResponse, head: Bool, keepAlive: Bool, date: String = HTTPDate.format(Int(time(nil)))) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256 + (head ? 0 : response.body.count))
        out += Array("HTTP/1.1 \(response.status) \(reason(response.status))\r\n".utf8)
        for field in response.headers.fields {
            let lower = field.name.lowercased()
            if lower == "content-length" || lower == "connection" || lower == "date" { continue }
            // A header value never carries a line break into the response.
            let value = field.value.contains(where: { $0 == "\r" || $0 == "\n" })
                ? field.value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ") : field.value
            out += Array("\(field.name): \(value)\r\n".utf8)
        }
        out += Array("Date: \(date)\r\nContent-Length: \(response.body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n".utf8)
        if !head { out += response.body }
        return out
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

/// The `Date` header. Each connection caches it for the second, so no lock is shared.
enum HTTPDate {
    static func format(_ second: Int) -> String {
        var t = time_t(second)
        var parts = tm()
        gmtime_r(&t, &parts)
        var bytes = [Int8](repeating: 0, count: 64)
        let n = strftime(&bytes, bytes.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: bytes[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
