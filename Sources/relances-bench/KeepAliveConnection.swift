import Foundation
import ProviderSandbox
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client on one keep-alive socket, for one load-test thread:
/// requests go out one after the other on the same connection, which is opened again
/// when the server closes it. Never used from Swift's cooperative pool.
final class KeepAliveConnection {
    let port: Int
    /// Seconds a request may wait for its answer before it counts as a transport failure.
    let timeout: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(port: Int, timeout: Int = 30) {
        self.port = port
        self.timeout = timeout
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The status and body, or nil when the connection failed (nothing is retried: a
    /// POST or PATCH sent twice would be the load test's own duplicate).
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String] = []) -> (status: Int, body: [UInt8])? {
        if fd < 0 && !connectNow() { return nil }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        for line in headers { head += line + "\r\n" }
        let bytes = Array((head + "\r\n" + (body ?? "")).utf8)
        guard LoopbackSocket.sendAll(fd, bytes), let answer = readResponse() else { reset(); return nil }
        if answer.close { reset() }
        return (answer.status, answer.body)
    }

    /// Closes the connection; the next request opens a new one.
    func disconnect() { reset() }

    private func connectNow() -> Bool {
        guard let connected = LoopbackSocket.connect(port: port) else { return false }
        fd = connected
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return true
    }

    private func reset() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer.removeAll(keepingCapacity: true)
    }

    private func fill() -> Bool {
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
    }

    private func readResponse() -> (status: Int, body: [UInt8], close: Bool)? {
        var end: Int?
        var from = 0
        while end == nil {
            end = Self.headEnd(buffer, from: from)
            if end == nil {
                from = max(0, buffer.count - 3)
                guard fill() else { return nil }
            }
        }
        let head = String(decoding: buffer[0..<end!], as: UTF8.self)
        var status = 0
        var length = 0
        var close = false
        for (i, line) in head.split(separator: "\r\n").enumerated() {
            if i == 0 {
                let parts = line.split(separator: " ")
                status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if name == "content-length" { length = Int(value) ?? 0 }
                if name == "connection" && value.lowercased() == "close" { close = true }
            }
        }
        let bodyStart = end! + 4
        while buffer.count < bodyStart + length { guard fill() else { return nil } }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        buffer.removeFirst(bodyStart + length)
        return (status, body, close)
    }

    static func headEnd(_ bytes: [UInt8], from: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var i = from
        while i <= bytes.count - 4 {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}
