import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A local SMTP server that speaks enough ESMTP for the `smtp` channel (EHLO, AUTH
/// PLAIN and LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), records each message it
/// accepts, and fails on demand: a 4xx or 5xx answer, a refused recipient, a server
/// that hangs or drops the connection. One thread per connection: it serves tests and
/// the demo, not a town's mail.
public final class SMTPSandbox: Sendable {
    /// How the server misbehaves, changeable while it runs.
    public enum Fault: Sendable, Equatable {
        case none
        /// `451 <text>` after the message's data: a temporary failure.
        case temporary(String)
        /// `554 <text>` after the message's data: a permanent refusal.
        case permanent(String)
        /// Greets, then never answers the message's end.
        case hang
        /// Closes the connection, without answering, at the message's end.
        case drop
    }

    /// One message accepted: the envelope and the data as received (dot-unstuffed).
    public struct Message: Sendable, Equatable {
        public var from: String
        public var recipients: [String]
        public var data: String
        /// The user that signed in, if any.
        public var user: String?
        /// Whether it came after STARTTLS.
        public var overTLS: Bool = false
    }

    struct State {
        var fault: Fault = .none
        var refused: [String: String] = [:]
        var messages: [Message] = []
        var connections = 0
        var descriptors: Set<Int32> = []
        var stopped = false
    }

    /// Sign-in the server wants; nil: AUTH is offered but not required.
    public let username: String?
    /// PEM certificate and key files: STARTTLS is offered (through `openssl s_server`).
    public let tls: (certificate: String, key: String)?
    private let password: String?
    private let state = Mutex(State())
    private let listener: Int32
    public let port: Int
    private let waiters = Mutex<[(count: Int, continuation: CheckedContinuation<Void, Never>)]>([])

    /// Listens on 127.0.0.1:`port` (0: any free port) at once.
    public init(port: Int = 0, username: String? = nil, password: String? = nil, tls: (certificate: String, key: String)? = nil) throws {
        self.tls = tls
        self.username = username
        self.password = password
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SandboxError("cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            let why = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SandboxError("cannot listen on 127.0.0.1:\(port) for SMTP: \(why)")
        }
        listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        // A thread: `accept` blocks.
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "smtp-sandbox"
        thread.start()
    }

    /// `smtp://127.0.0.1:port`, for the channel's `url`.
    public var url: String { "smtp://127.0.0.1:\(port)" }

    /// The variables that point the `smtp` channel here.
    public var environment: [String: String] {
        var env = ["SMTP_URL": url]
        if let username { env["SMTP_USERNAME"] = username }
        if let password { env["SMTP_PASSWORD"] = password }
        return env
    }

    public var fault: Fault {
        get { state.withLock { $0.fault } }
        set { state.withLock { $0.fault = newValue } }
    }

    /// Answers `550 <text>` to RCPT for this address (before any data is sent).
    public func refuse(_ address: String, _ text: String = "5.1.1 boîte inconnue") {
        state.withLock { $0.refused[address.lowercased()] = text }
    }

    public var messages: [Message] { state.withLock { $0.messages } }
    /// Connections accepted so far.
    public var connections: Int { state.withLock { $0.connections } }

    /// Returns once `count` messages were accepted in all.
    public func waitForMessages(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { $0.messages.count >= count }
            if ready { continuation.resume() } else { waiters.withLock { $0.append((count, continuation)) } }
        }
    }

    /// Stops listening and closes every connection (hung ones included).
    public func stop() {
        // Under the lock, so no descriptor is shut down after its session closed it and
        // its number went to someone else's socket.
        state.withLock { s in
            s.stopped = true
            for fd in s.descriptors { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        // Only shut down here: the accept thread closes the listener when accept fails,
        // so its number cannot be reused (by another server) while the thread still waits on it.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted = state.withLock { s -> Bool in
                if s.stopped { return false }
                s.connections += 1
                s.descriptors.insert(fd)
                return true
            }
            guard accepted else { Glibc.close(fd); return }
            // A thread a session: it blocks in `recv` on the client's socket.
            let thread = Thread { [self] in
                var session = SMTPSession(fd: fd, server: self)
                session.run()
                state.withLock { s in
                    s.descriptors.remove(fd)
                    Glibc.close(fd)
                }
            }
            thread.name = "smtp-session"
            thread.start()
        }
    }

    // What a session asks of the server.

    func checkLogin(_ user: String, _ pass: String) -> Bool {
        guard let username else { return true }
        return user == username && pass == password
    }

    var requiresAuth: Bool { username != nil }

    func refusal(for address: String) -> String? { state.withLock { $0.refused[address.lowercased()] } }

    func currentFault() -> Fault { state.withLock { $0.fault } }

    var isStopped: Bool { state.withLock { $0.stopped } }

    func accept(_ message: Message) {
        let count = state.withLock { s -> Int in
            s.messages.append(message)
            return s.messages.count
        }
        let ready = waiters.withLock { all -> [CheckedContinuation<Void, Never>] in
            let due = all.filter { $0.count <= count }.map(\.continuation)
            all.removeAll { $0.count <= count }
            return due
        }
        for waiter in ready { waiter.resume() }
    }
}
