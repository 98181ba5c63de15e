import Foundation
import ProviderSandbox
#if canImport(Glibc)
import Glibc
#endif

/// The smallest WebSocket client (RFC 6455) that can talk to Chromium's DevTools on
/// loopback: text messages, masked as a client must, pings answered, no extensions.
/// Blocking: `receive()` is called from one reader thread, `send` from any thread.
/// `@unchecked Sendable`: `buffer`, its one `var`, is touched by `init` (before the
/// client is shared), then only by that reader thread; sends hold `sending`.
final class WebSocketClient: @unchecked Sendable {
    enum Failure: Error, CustomStringConvertible {
        case connect(String)
        case handshake(String)
        var description: String {
            switch self {
            case .connect(let why): "WebSocket: could not connect: \(why)"
            case .handshake(let answer): "WebSocket: the server refused the upgrade: \(answer)"
            }
        }
    }

    private let fd: Int32
    private let sending = NSLock()
    /// Bytes read but not yet consumed; only the reader thread touches it.
    private var buffer: [UInt8] = []

    /// `url`: `ws://127.0.0.1:<port>/<path>`.
    init(url: String) throws {
        guard let u = URL(string: url), let port = u.port else { throw Failure.connect("bad URL \(url)") }
        guard let fd = LoopbackSocket.connect(port: port) else { throw Failure.connect(String(cString: strerror(errno))) }
        self.fd = fd
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let head = "GET \(u.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
        LoopbackSocket.sendAll(fd, Array(head.utf8))
        // The answer's head; its Sec-WebSocket-Accept is not checked: the peer is the
        // browser this test started, on loopback.
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while buffer.count < 65_536 {
            if let r = buffer.firstRange(of: end) {
                let answer = String(decoding: buffer[..<r.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<r.upperBound)
                guard answer.hasPrefix("HTTP/1.1 101") else { Glibc.close(fd); throw Failure.handshake(answer) }
                return
            }
            guard fill() else { break }
        }
        Glibc.close(fd)
        throw Failure.handshake(String(decoding: buffer, as: UTF8.self))
    }

    /// Sends one text message in one frame.
    func send(_ text: String) {
        send(opcode: 0x1, Array(text.utf8))
    }

    /// The next text message; nil once the connection is closed.
    func receive() -> String? {
        var message: [UInt8] = []
        while true {
            guard let (fin, opcode, payload) = frame() else { return nil }
            switch opcode {
            case 0x8: return nil
            case 0x9: send(opcode: 0xA, payload)
            case 0xA: continue
            default:
                message += payload
                if fin { return String(decoding: message, as: UTF8.self) }
            }
        }
    }

    /// Ends the connection: a blocked `receive()` then answers nil.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    deinit { Glibc.close(fd) }

    private func send(opcode: UInt8, _ payload: [UInt8]) {
        var frame: [UInt8] = [0x80 | opcode]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame.append(0x80 | 127); frame += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        sending.withLock { _ = LoopbackSocket.sendAll(fd, frame) }
    }

    private func frame() -> (fin: Bool, opcode: UInt8, payload: [UInt8])? {
        guard let head = take(2) else { return nil }
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            guard let b = take(2) else { return nil }
            length = Int(b[0]) << 8 | Int(b[1])
        } else if length == 127 {
            guard let b = take(8) else { return nil }
            length = b.reduce(0) { $0 << 8 | Int($1) }
        }
        // A server never masks, but the format allows it.
        let mask = head[1] & 0x80 != 0 ? take(4) : nil
        guard var payload = take(length) else { return nil }
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
        return (head[0] & 0x80 != 0, head[0] & 0x0F, payload)
    }

    private func take(_ count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        defer { buffer.removeFirst(count) }
        return Array(buffer[..<count])
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            buffer += chunk[..<n]
            return true
        }
    }
}
