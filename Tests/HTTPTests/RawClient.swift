import Foundation
import ProviderSandbox
#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP client for server tests: sends exactly the bytes given (even broken
/// ones) and reads responses by their Content-Length, with a deadline on every read.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        guard let fd = LoopbackSocket.connect(port: port) else { throw RawClientError.connect(String(cString: strerror(errno))) }
        self.fd = fd
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends every byte; false when the connection refused them (reset, broken pipe).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        LoopbackSocket.sendAll(fd, bytes)
    }

    /// Stops sending (the server then reads the end of the stream).
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// One request with a `Content-Length` body, and its response.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String = "",
                 timeout: Double = 10) async -> Response? {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        send(head + "\r\n" + body)
        return await response(timeout: timeout)
    }

    enum Ending: Equatable { case closed, reset, open }

    /// How the connection ended (within the timeout): an orderly close, a reset, or
    /// still open. Bytes that arrive first are kept.
    func ending(timeout: Double = 10) async -> Ending {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard await readable(until: deadline) else { return .open }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return .closed }
            if n < 0 { if errno == EINTR { continue }; return .reset }
            buffer += chunk[0..<n]
        }
    }

    struct Response {
        var status: Int
        var headers: [String: String]   // lowercased names
        var body: String
    }

    /// Reads one response; nil when the connection closed first or the deadline passed.
    func response(timeout: Double = 10) async -> Response? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    if let colon = line.firstIndex(of: ":") {
                        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    }
                }
                let status = Int(head[0].split(separator: " ")[1]) ?? 0
                let length = Int(headers["content-length"] ?? "0") ?? 0
                let isHead = headers["x-test-head"] != nil
                let need = end + 4 + (isHead ? 0 : length)
                while buffer.count < need {
                    if !(await fill(until: deadline)) { return nil }
                }
                let body = String(decoding: buffer[(end + 4)..<need], as: UTF8.self)
                buffer.removeFirst(need)
                return Response(status: status, headers: headers, body: body)
            }
            if !(await fill(until: deadline)) { return nil }
        }
    }

    /// Reads a response to a HEAD request (no body despite Content-Length).
    func headResponse(timeout: Double = 10) async -> Response? {
        let deadline = Date().addingTimeInterval(timeout)
        while find([13, 10, 13, 10]) == nil { if !(await fill(until: deadline)) { return nil } }
        let end = find([13, 10, 13, 10])!
        let head = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end + 4)
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return Response(status: Int(head[0].split(separator: " ")[1]) ?? 0, headers: headers, body: "")
    }

    /// Whether the server closed the connection (within the timeout).
    func isClosed(timeout: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            guard await readable(until: deadline) else { return false }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return true }
            buffer += chunk[0..<n]
        }
    }

    /// Bytes that arrived after the last response read.
    var leftover: [UInt8] { buffer }

    /// Waits for bytes without holding a thread of Swift's cooperative pool, which the
    /// server's handlers need (the machine may have only two).
    private func readable(until deadline: Date) async -> Bool {
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 0) > 0 { return true }
            try? await Task.sleep(nanoseconds: 2_000_000)
        }
        return false
    }

    private func fill(until deadline: Date) async -> Bool {
        guard await readable(until: deadline) else { return false }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where Array(buffer[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}

enum RawClientError: Error { case connect(String) }
