import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One client's conversation with the ``SMTPSandbox``, line by line.
struct SMTPSession {
    let fd: Int32
    let server: SMTPSandbox
    private var buffer: [UInt8] = []
    /// Where the conversation is read and written: the socket, or after STARTTLS the
    /// TLS relay's decrypted side.
    private var input: Int32
    private var output: Int32
    private var relay: TLSRelay?

    init(fd: Int32, server: SMTPSandbox) {
        self.fd = fd
        self.server = server
        self.input = fd
        self.output = fd
    }

    mutating func run() {
        defer { relay?.stop() }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        reply("220 sandbox.mairie-libreville.ga ESMTP relances sandbox")
        var from: String?
        var recipients: [String] = []
        var user: String?
        while let line = readLine() {
            let upper = line.uppercased()
            if upper.hasPrefix("EHLO") {
                let tls = server.tls != nil && relay == nil ? ["250-STARTTLS"] : []
                reply(["250-sandbox.mairie-libreville.ga"] + tls + ["250-AUTH PLAIN LOGIN", "250-8BITMIME", "250-SIZE 10485760", "250 SMTPUTF8"])
            } else if upper.hasPrefix("HELO") {
                reply("250 sandbox.mairie-libreville.ga")
            } else if upper.hasPrefix("AUTH PLAIN") {
                var encoded = String(line.dropFirst(10)).trimmingCharacters(in: .whitespaces)
                if encoded.isEmpty {
                    reply("334 ")
                    guard let next = readLine() else { return }
                    encoded = next
                }
                let parts = (Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? "")
                    .split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 3, server.checkLogin(parts[1], parts[2]) {
                    user = parts[1]
                    reply("235 2.7.0 Authentication successful")
                } else {
                    reply("535 5.7.8 Authentication credentials invalid")
                }
            } else if upper.hasPrefix("AUTH LOGIN") {
                reply("334 VXNlcm5hbWU6")
                guard let name = readLine() else { return }
                reply("334 UGFzc3dvcmQ6")
                guard let pass = readLine() else { return }
                let decode = { (text: String) in Data(base64Encoded: text).map { String(decoding: $0, as: UTF8.self) } ?? "" }
                if server.checkLogin(decode(name), decode(pass)) {
                    user = decode(name)
                    reply("235 2.7.0 Authentication successful")
                } else {
                    reply("535 5.7.8 Authentication credentials invalid")
                }
            } else if upper.hasPrefix("MAIL FROM:") {
                if server.requiresAuth && user == nil { reply("530 5.7.0 Authentication required"); continue }
                from = Self.address(line.dropFirst(10))
                recipients = []
                reply("250 2.1.0 Ok")
            } else if upper.hasPrefix("RCPT TO:") {
                guard from != nil else { reply("503 5.5.1 MAIL first"); continue }
                let to = Self.address(line.dropFirst(8))
                if let refusal = server.refusal(for: to) {
                    reply("550 \(refusal)")
                } else {
                    recipients.append(to)
                    reply("250 2.1.5 Ok")
                }
            } else if upper == "DATA" {
                guard let sender = from, !recipients.isEmpty else { reply("503 5.5.1 RCPT first"); continue }
                reply("354 End data with <CR><LF>.<CR><LF>")
                var lines: [String] = []
                while let l = readLine() {
                    if l == "." { break }
                    lines.append(l.hasPrefix(".") ? String(l.dropFirst()) : l)
                }
                switch server.currentFault() {
                case .none:
                    server.accept(.init(from: sender, recipients: recipients, data: lines.joined(separator: "\r\n") + "\r\n", user: user,
                                        overTLS: relay != nil))
                    reply("250 2.0.0 Ok: queued as \(UUID().uuidString.prefix(8))")
                case .temporary(let text): reply("451 \(text)")
                case .permanent(let text): reply("554 \(text)")
                case .hang:
                    while !server.isStopped, readLine() != nil {}
                    return
                case .drop: return
                }
                from = nil
                recipients = []
            } else if upper == "RSET" {
                from = nil
                recipients = []
                reply("250 2.0.0 Ok")
            } else if upper == "NOOP" {
                reply("250 2.0.0 Ok")
            } else if upper == "QUIT" {
                reply("221 2.0.0 Bye")
                return
            } else if upper == "STARTTLS" {
                guard let tls = server.tls, relay == nil else { reply("454 4.7.0 TLS not available in this sandbox"); continue }
                reply("220 2.0.0 Ready to start TLS")
                guard let started = TLSRelay(client: fd, certificate: tls.certificate, key: tls.key) else { return }
                // A new conversation inside TLS: nothing said before counts (RFC 3207).
                relay = started
                (input, output) = (started.input, started.output)
                buffer = []
                (from, recipients, user) = (nil, [], nil)
            } else {
                reply("502 5.5.2 Command not recognized")
            }
        }
    }

    /// `<a@b>` (with any parameters after it) → `a@b`.
    static func address(_ text: Substring) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let open = trimmed.firstIndex(of: "<"), let close = trimmed[open...].firstIndex(of: ">") else {
            return String(trimmed.split(separator: " ").first ?? "")
        }
        return String(trimmed[trimmed.index(after: open)..<close])
    }

    private func reply(_ lines: String...) { reply(lines) }

    private func reply(_ lines: [String]) {
        let bytes = Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
        if relay == nil {
            _ = LoopbackSocket.sendAll(output, bytes)
        } else {
            var done = 0
            while done < bytes.count {
                let n = bytes[done...].withUnsafeBytes { Glibc.write(output, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }

    /// The next line without its CRLF, nil when the client is gone (or silent 30 s).
    private mutating func readLine() -> String? {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<end])
                buffer.removeFirst(end + 1)
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let n = relay == nil ? recv(input, &chunk, chunk.count, 0) : Glibc.read(input, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer += chunk[..<n]
        }
    }
}
