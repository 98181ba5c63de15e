import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One client connection: read a request, hand it to the handler, write the answer,
/// and again while keep-alive holds. Served on a thread while it has requests, parked
/// in ``IdleConnections`` between them; owned by one thread at a time, handed over
/// whole (hence `@unchecked Sendable`).
final class HTTPConnection: @unchecked Sendable {
    let fd: Int32
    let server: HTTPServer
    var config: HTTPServerConfiguration { server.configuration }
    private var buffer: [UInt8] = []
    private var start = 0          // where unread bytes begin in `buffer`
    private var served = 0
    /// Where `recv` writes: allocated while the connection is served, dropped when it is
    /// parked (two thousand idle clients must not hold 32 KiB each).
    private var chunk: [UInt8] = []
    private let executor = ConnectionExecutor()

    private let peer: String
    let flag: HTTPServer.ConnectionFlag
    private var date = (second: -1, text: "")

    init(fd: Int32, server: HTTPServer, flag: HTTPServer.ConnectionFlag, peer address: sockaddr_in) {
        self.fd = fd
        self.server = server
        self.flag = flag
        var address = address
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &address.sin_addr, &text, socklen_t(INET_ADDRSTRLEN))
        peer = "\(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(UInt16(bigEndian: address.sin_port))"
    }

    enum End {
        /// Closed, or to be closed.
        case closed
        /// Idle between two requests: park it.
        case park
    }

    /// Serves requests while they come; returns when the connection must close, or has
    /// been idle for ``HTTPServerConfiguration/keepAliveHold`` (then it is parked).
    func serve() -> End {
        if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: 16 * 1024) }
        while true {
            let outcome = readRequest()
            switch outcome {
            case .idle:
                buffer = []
                start = 0
                chunk = []
                return .park
            case .closed:
                return .closed
            case .refuse(let status, let detail):
                refuse(HTTPResponse.error(status: status, detail: detail))
                return .closed
            case .refuseWith(let response):
                refuse(response)
                return .closed
            case .request(let request, let keepAlive, let began):
                flag.busy.store(true, ordering: .sequentiallyConsistent)
                let response = handle(request)
                served += 1
                let again = keepAlive && served < config.maxRequestsPerConnection && !server.isStopping && !response.dropsConnection
                if !response.dropsConnection { write(response, head: request.method == "HEAD", keepAlive: again) }
                flag.busy.store(false, ordering: .sequentiallyConsistent)
                if config.accessLog {
                    let ms = Date().timeIntervalSince(began) * 1000
                    config.logger.info("request", ["method": request.method, "path": request.path,
                                                   "status": response.dropsConnection ? "dropped" : String(response.status),
                                                   "ms": Self.tenths(ms)])
                }
                if !again { return .closed }
            }
        }
    }

    /// `12.3`: milliseconds to a tenth, as `%.1f` writes them, without `String(format:)`.
    static func tenths(_ ms: Double) -> String {
        let t = Int((max(0, ms) * 10).rounded())
        return "\(t / 10).\(t % 10)"
    }

    /// Writes a refusal, then discards what the client still sends for a while, so that
    /// it reads the answer instead of a reset; the body is never kept.
    private func refuse(_ response: HTTPResponse) {
        write(response, head: false, keepAlive: false)
        LingeringClose.drain(fd, limit: config.lingerTimeout)
    }

    /// Runs the async handler on this (dedicated) thread, which waits for it.
    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        if let fast = server.fastPath, let response = fast(request) { return response }
        let box = ResponseBox()
        let handler = server.handler
        executor.run { box.response = await handler(request) }
        return box.response ?? HTTPResponse.error(status: 500, detail: "Internal Server Error")
    }

    private func write(_ response: HTTPResponse, head: Bool, keepAlive: Bool) {
        let now = Int(time(nil))
        if now != date.second { date = (now, HTTPDate.format(now)) }
        let bytes = ResponseWriter.serialize(response, head: head, keepAlive: keepAlive, date: date.text)
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 { if errno == EINTR { continue }; return }
                sent += n
            }
        }
    }

    enum Outcome {
        case request(HTTPRequest, keepAlive: Bool, began: Date)
        case refuse(Int, String)
        case refuseWith(HTTPResponse)
        case closed
        /// Nothing came within ``HTTPServerConfiguration/keepAliveHold``.
        case idle
    }

    private func readRequest() -> Outcome {
        // Wait for the first byte a short while (at once when the poll loop found the
        // connection readable; else it goes back there), then the whole head and body
        // must arrive within the read timeout. Empty lines before the request line are
        // skipped (RFC 9112 §2.2: some clients send a CRLF after a body), a few at most.
        var blankLines = 0
        while true {
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
                let n = fill(timeout: config.keepAliveHold)
                if n < 0 { return .idle }
                if n == 0 { return .closed }
                continue
            }
            guard buffer[start] == 13 else { break }
            if buffer.count - start < 2 {
                let n = fill(timeout: config.keepAliveHold)
                if n < 0 { return .idle }
                if n == 0 { return .closed }
                continue
            }
            guard buffer[start + 1] == 10 else { break }
            blankLines += 1
            if blankLines > 4 { return .refuse(400, "Bad Request") }
            start += 2
        }
        let began = Date()
        let deadline = began.addingTimeInterval(config.readTimeout)
        let headLimit = config.maxRequestLineBytes + config.maxHeaderBytes
        var headEnd: Int?
        var searchFrom = start
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer, from: max(start, searchFrom - 3))
            if headEnd != nil { break }
            searchFrom = buffer.count
            let pending = buffer.count - start
            if Self.find([13, 10], in: buffer, from: start) == nil, pending > config.maxRequestLineBytes {
                return .refuse(414, "URI Too Long")
            }
            if pending > headLimit { return .refuse(431, "Request Header Fields Too Large") }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return .refuse(408, "Request Timeout") }
            let n = fill(timeout: left)
            if n == 0 { return .closed }
            if n < 0 { return .refuse(408, "Request Timeout") }
        }
        let lineEnd = Self.find([13, 10], in: buffer, from: start) ?? headEnd!
        if lineEnd - start > config.maxRequestLineBytes { return .refuse(414, "URI Too Long") }
        // Each limit on its own: a short request line must not lend its unused bytes to
        // the headers (a 40 KB header under a 32 KB limit was let through).
        if headEnd! - lineEnd > config.maxHeaderBytes { return .refuse(431, "Request Header Fields Too Large") }
        let head = Array(buffer[start..<headEnd!])
        start = headEnd! + 4
        guard let parsed = RequestHead.parse(head, limits: config) else { return .refuse(400, "Bad Request") }
        if case .failure(let status, let detail) = parsed { return .refuse(status, detail) }
        guard case .success(var request, let keepAlive, let length, let expectsContinue) = parsed else { return .refuse(400, "Bad Request") }
        request.remoteAddress = peer
        // Before the body is read (or `100 Continue` invites it): a stranger's upload is
        // refused from its head, never held in memory.
        if let admission = config.admission {
            if let refusal = admission(&request) { return .refuseWith(refusal) }
            request.admitted = true
        }
        if length > 0 {
            if expectsContinue && buffer.count - start < length {
                let cont = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                _ = cont.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            while buffer.count - start < length {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return .refuse(408, "Request Timeout") }
                let n = fill(timeout: left)
                if n == 0 { return .closed }
                if n < 0 { return .refuse(408, "Request Timeout") }
            }
            request.body = Data(buffer[start..<start + length])
            start += length
        }
        return .request(request, keepAlive: keepAlive, began: began)
    }

    /// Reads what is there (waiting up to `timeout`); answers bytes read, 0 at end of
    /// stream or error, -1 on timeout.
    private func fill(timeout: Double) -> Int {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(max(1, min(timeout * 1000, Double(Int32.max))))
        while true {
            let ready = poll(&pfd, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { return -1 }
            if ready < 0 { return 0 }
            break
        }
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return 0 }
        buffer.append(contentsOf: chunk[0..<n])
        return n
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = max(0, from)
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] {
                var match = true
                for k in 1..<needle.count where haystack[i + k] != needle[k] { match = false; break }
                if match { return i }
            }
            i += 1
        }
        return nil
    }
}

/// The handler's answer, carried from its task to the connection thread.
/// `@unchecked Sendable`: written once by the handler's task, read by the connection
/// thread only after `executor.run` has returned, which waits for that task to end.
private final class ResponseBox: @unchecked Sendable {
    var response: HTTPResponse?
}
