import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One exchange over a bare TCP socket: sends exactly the bytes given (broken ones
/// too), reads the first final response, then half-closes and waits for the server to
/// close. The blocking socket calls run on a thread of their own, never on Swift's
/// cooperative pool (the server's handlers need it), and every step has a deadline.
enum RawExchange {
    struct Answer: Sendable, CustomStringConvertible {
        /// Nil when no whole status line came before the close or the deadline.
        var status: Int?
        /// Lowercased names.
        var headers: [String: String]
        var body: [UInt8]
        /// The server closed the connection once we stopped sending.
        var closed: Bool
        /// The deadline passed: the server neither answered nor closed.
        var timedOut: Bool

        /// The `detail` of a JSON error body, when there is one.
        var detail: String? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
            return object["detail"] as? String
        }

        var description: String {
            "status \(status.map(String.init) ?? "none"), closed \(closed), timed out \(timedOut), body «\(String(decoding: body.prefix(200), as: UTF8.self))»"
        }
    }

    /// Sends `bytes` to 127.0.0.1:`port` and reads the answer; `headRequest` when the
    /// answer has no body whatever its Content-Length says.
    static func run(port: Int, bytes: [UInt8], headRequest: Bool = false, timeout: Double = 20) async -> Answer {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: blocking(port: port, bytes: bytes, headRequest: headRequest, timeout: timeout))
            }
            thread.start()
        }
    }

    private static func blocking(port: Int, bytes: [UInt8], headRequest: Bool, timeout: Double) -> Answer {
        var answer = Answer(status: nil, headers: [:], body: [], closed: false, timedOut: false)
        let deadline = Date().addingTimeInterval(timeout)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return answer }
        defer { close(fd) }
        // A server that stops reading must not block our send past the deadline.
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return answer }

        // The server may refuse before reading everything (413, 431): a failed send is
        // not an error, its answer is still there to read.
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                sent += n
            }
        }

        var buffer: [UInt8] = []
        var answered = false
        var halfClosed = false
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if !answered, let parsed = parse(buffer, headRequest: headRequest) {
                (answer.status, answer.headers, answer.body) = (parsed.status, parsed.headers, parsed.body)
                answered = true
            }
            if answered && !halfClosed {
                // Done sending: a keep-alive server now reads the end of the stream and closes.
                shutdown(fd, Int32(SHUT_WR))
                halfClosed = true
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { answer.timedOut = true; break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, left * 1000)))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { answer.timedOut = true; break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                answer.closed = true
                if !answered, let parsed = parse(buffer, headRequest: headRequest, atEnd: true) {
                    (answer.status, answer.headers, answer.body) = (parsed.status, parsed.headers, parsed.body)
                }
                break
            }
            buffer += chunk[0..<n]
        }
        return answer
    }

    /// The first final (non-1xx) response in `buffer`, once it is whole.
    private static func parse(_ buffer: [UInt8], headRequest: Bool, atEnd: Bool = false) -> (status: Int, headers: [String: String], body: [UInt8])? {
        var from = 0
        while true {
            guard let end = find([13, 10, 13, 10], in: buffer, from: from) else { return nil }
            let lines = String(decoding: buffer[from..<end], as: UTF8.self).components(separatedBy: "\r\n")
            let parts = lines[0].split(separator: " ")
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            if status < 200 { from = end + 4; continue }
            let bodyStart = end + 4
            if headRequest { return (status, headers, []) }
            if let length = headers["content-length"].flatMap(Int.init) {
                guard buffer.count >= bodyStart + length else { return nil }
                return (status, headers, Array(buffer[bodyStart..<bodyStart + length]))
            }
            return atEnd ? (status, headers, Array(buffer[bodyStart...])) : nil
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count + from else { return nil }
        var i = from
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0] && Array(haystack[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }
}
