import Foundation
import ProviderSandbox
#if canImport(Glibc)
import Glibc
#endif

/// One request as raw bytes over a fresh loopback connection (even bytes no HTTP client
/// would send), then the first answer and how the connection ended. Every wait has a
/// deadline; reads poll and sleep so the cooperative pool stays free for the server.
enum RawRequest {
    struct Answer {
        var status: Int
        var headers: [String: String]   // lowercased names
        var body: Data
        /// The server closed the connection (orderly or by reset) before the deadline.
        var closed: Bool
    }

    enum Failure: Error, CustomStringConvertible {
        case connect(String)
        case noAnswer(received: Int)
        var description: String {
            switch self {
            case .connect(let why): "could not connect: \(why)"
            case .noAnswer(let n): "no complete HTTP answer (\(n) bytes received before the end or the deadline)"
            }
        }
    }

    /// Sends `bytes`, half-closes (the server then sees the end of the stream after
    /// them), and reads until the server closes or `timeout` passes.
    static func send(_ bytes: [UInt8], port: Int, timeout: Double = 10) async throws -> Answer {
        guard let fd = LoopbackSocket.connect(port: port) else { throw Failure.connect(String(cString: strerror(errno))) }
        defer { close(fd) }
        // A server that stops reading (a refusal) must not block the sender forever.
        var sendTimeout = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        // Refused before the end or not, the answer may still be there: read it.
        LoopbackSocket.sendAll(fd, bytes)
        shutdown(fd, Int32(SHUT_WR))

        var buffer: [UInt8] = []
        var closed = false
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 0) > 0 else { try await Task.sleep(nanoseconds: 2_000_000); continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { closed = true; break }
            buffer += chunk[0..<n]
        }
        guard let answer = parse(buffer, closed: closed) else { throw Failure.noAnswer(received: buffer.count) }
        return answer
    }

    /// A well-formed request: the head lines given, `Host` and `Content-Length` added.
    static func request(_ method: String, _ target: String, headers: [String] = [], body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for line in headers { head += line + "\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// The first answer in `bytes`, if whole.
    static func parse(_ bytes: [UInt8], closed: Bool) -> Answer? {
        guard let end = find([13, 10, 13, 10], in: bytes) else { return nil }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        return Answer(status: status, headers: headers, body: Data(bytes[(end + 4)..<(end + 4 + length)]), closed: closed)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return i
        }
        return nil
    }
}
