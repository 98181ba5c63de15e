import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on POSIX sockets: a thread per connection while it has a
/// request to serve, idle connections parked in one `poll` loop (``IdleConnections``),
/// keep-alive, `Content-Length` bodies, limits on every size, wait and address, and a
/// graceful shutdown that lets requests in flight finish.
///
/// Handlers are async; the connection's thread waits for each one, so blocking is
/// confined to threads the server owns, never Swift's cooperative pool.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    let handler: HTTPHandler
    let fastPath: (@Sendable (HTTPRequest) -> HTTPResponse?)?
    private let state = Mutex(State())

    struct State {
        var listener: Int32 = -1
        var port = 0
        var stopping = false
        var stopped = false
        var connections: [Int32: ConnectionFlag] = [:]
        /// Open connections by IPv4 address (network order).
        var perAddress: [UInt32: Int] = [:]
        /// Connections being served on a thread, by address.
        var busyPerAddress: [UInt32: Int] = [:]
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Whether a connection is handling a request; read by shutdown, written by the
    /// connection's thread without taking the server's lock.
    final class ConnectionFlag: Sendable {
        let busy = Atomic<Bool>(false)
        /// The peer's IPv4 address, network order: what the per-address cap counts.
        let address: UInt32
        init(address: UInt32) { self.address = address }
    }

    /// Connections waiting for a request, watched by one thread.
    let idle = IdleConnections()
    /// Connections being served on a thread right now (at most `maxConnections`).
    private let active = Atomic<Int>(0)

    private let stopping = Atomic<Bool>(false)
    /// Threads answering 503 beyond the cap; bounded so a flood cannot make threads.
    private let rejecting = Atomic<Int>(0)
    private static let maxRejecting = 64

    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), handler: @escaping HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
        self.fastPath = nil
    }

    /// Serves a router: its immediate routes run on the connection's thread, the others
    /// as async handlers.
    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), router: HTTPRouter) {
        self.configuration = configuration
        self.handler = router.handler
        self.fastPath = router.fastPath
    }

    /// The port listened on (after ``start()``).
    public var port: Int { state.withLock { $0.port } }

    /// Binds, listens and starts accepting on a thread of its own. Answers the port.
    @discardableResult
    public func start() throws -> Int {
        guard idle.isUsable else { throw HTTPServerError.socket("pipe: \(Self.errno())") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError.socket("socket: \(Self.errno())") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(configuration.port).bigEndian)
        let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw HTTPServerError.socket("'\(configuration.host)' is not an IPv4 address to listen on")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let why = Self.errno()
            close(fd)
            throw HTTPServerError.socket("cannot listen on \(configuration.host):\(configuration.port): \(why)")
        }
        guard listen(fd, 1024) == 0 else {
            close(fd)
            throw HTTPServerError.socket("listen: \(Self.errno())")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: actual.sin_port))
        state.withLock {
            $0.listener = fd
            $0.port = port
        }
        // A thread: `accept` blocks until a client connects.
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "http-accept"
        thread.start()
        // A thread: the idle connections' loop blocks in `poll`.
        let poller = Thread { [self] in idle.run(self) }
        poller.name = "http-idle"
        poller.start()
        return port
    }

    /// Stops accepting, closes idle connections, waits up to `grace` seconds for
    /// requests in flight, then closes what is left.
    ///
    /// It blocks the calling thread while it waits: call it from a plain thread (the
    /// signal path of ``shutdownOnTermination(grace:signals:onSignal:)``). From async
    /// code, `await` ``stop(grace:)``; where one can neither block nor await (a `deinit`,
    /// a `defer`), ``beginShutdown(grace:)``.
    ///
    /// Descriptors are only ever closed by the thread that uses them, and only shut
    /// down here under the lock while still registered: a number reused by a newer
    /// socket can never be touched by mistake.
    @available(*, noasync, message: "it blocks: await stop(grace:), or beginShutdown(grace:) where one cannot await")
    public func shutdown(grace: Double = 10) {
        stopping.store(true, ordering: .sequentiallyConsistent)
        idle.wake()
        state.withLock { s in
            s.stopping = true
            // Wakes the accept thread, which closes the listener itself.
            if s.listener >= 0 { Glibc.shutdown(s.listener, Int32(SHUT_RDWR)) }
            for (fd, flag) in s.connections where !flag.busy.load(ordering: .sequentiallyConsistent) {
                Glibc.shutdown(fd, Int32(SHUT_RD))
            }
        }
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline, state.withLock({ !$0.connections.isEmpty || $0.listener >= 0 }) { usleep(10_000) }
        let waiters = state.withLock { s in
            for fd in s.connections.keys { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
            s.stopped = true
            defer { s.stopWaiters.removeAll() }
            return s.stopWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// ``shutdown(grace:)`` for async code: the waiting (up to `grace` seconds) is done
    /// by a thread of the server's own, and the caller's task is suspended, holding no
    /// thread of the cooperative pool, until the server has stopped.
    public func stop(grace: Double = 10) async {
        beginShutdown(grace: grace)
        await stopped()
    }

    /// Starts ``shutdown(grace:)`` and returns at once, for a caller that can neither
    /// block nor await (a `deinit`, a `defer` in async code). ``stopped()`` says when it
    /// has finished.
    public func beginShutdown(grace: Double = 10) {
        // A thread: the shutdown waits (polling for the requests in flight), which must
        // never hold a thread of the cooperative pool.
        let stopper = Thread { [self] in shutdown(grace: grace) }
        stopper.name = "http-shutdown"
        stopper.start()
    }

    /// Blocks the calling thread until ``shutdown(grace:)`` has finished.
    @available(*, noasync, message: "it blocks: await stopped()")
    public func waitUntilStopped() {
        while !state.withLock({ $0.stopped }) { usleep(50_000) }
    }

    /// Returns once ``shutdown(grace:)`` has finished, without holding a thread.
    public func stopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let already = state.withLock { s -> Bool in
                if !s.stopped { s.stopWaiters.append(continuation) }
                return s.stopped
            }
            if already { continuation.resume() }
        }
    }

    /// Shuts down gracefully when SIGINT or SIGTERM arrives: a thread of the server's
    /// own stops accepting, lets requests in flight finish (up to `grace` seconds) and
    /// closes the rest. A second signal during that time ends the process at once, as
    /// an impatient operator expects. Pair it with ``waitUntilStopped()`` or ``stopped()``.
    ///
    /// - Parameter onSignal: called first with the signal's number (to log it).
    public func shutdownOnTermination(grace: Double = 10, signals: [Int32] = [SIGINT, SIGTERM],
                                      onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) {
        SignalWaiter.onTermination(signals) { [self] number in
            // A thread of its own: the shutdown blocks while requests finish, and the
            // signal thread must stay free to see a second signal.
            let stopper = Thread {
                onSignal(number)
                self.shutdown(grace: grace)
            }
            stopper.name = "http-shutdown"
            stopper.start()
        }
    }

    /// Connections open right now, idle or not.
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// Connections parked idle in the poll loop right now.
    public var idleConnections: Int { idle.count }

    private func acceptLoop(_ listener: Int32) {
        while true {
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            if fd < 0 {
                if !isStopping {
                    if Glibc.errno == EINTR || Glibc.errno == ECONNABORTED { continue }
                    if Glibc.errno == EMFILE || Glibc.errno == ENFILE { usleep(10_000); continue }
                }
                state.withLock { s in
                    close(listener)
                    s.listener = -1
                }
                return
            }
            let address = peer.sin_addr.s_addr
            let flag = ConnectionFlag(address: address)
            let admitted = state.withLock { s -> Bool in
                guard !s.stopping, s.connections.count < configuration.maxOpenConnections,
                      s.perAddress[address, default: 0] < configuration.maxConnectionsPerAddress else { return false }
                s.connections[fd] = flag
                s.perAddress[address, default: 0] += 1
                return true
            }
            guard admitted else {
                reject(fd) { close(fd) }
                continue
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            // No thread until it sends something: a client that connects and waits costs
            // a descriptor, not a thread.
            idle.park(HTTPConnection(fd: fd, server: self, flag: flag, peer: peer))
        }
    }

    /// Serves a connection that has something to read, on a thread of its own, then
    /// parks it again (keep-alive) or closes it. Beyond `maxConnections` requests at
    /// once, 503 and close.
    func resume(_ connection: HTTPConnection) {
        let address = connection.flag.address
        let admitted = state.withLock { s -> Bool in
            guard s.busyPerAddress[address, default: 0] < configuration.maxBusyConnectionsPerAddress else { return false }
            s.busyPerAddress[address, default: 0] += 1
            return true
        }
        guard admitted, active.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue <= configuration.maxConnections else {
            if admitted {
                active.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                state.withLock { Self.release(address, from: &$0.busyPerAddress) }
            }
            reject(connection.fd) { self.finish(connection) }
            return
        }
        // A thread: the connection blocks in `recv` and `send`, and waits for its handler.
        let thread = Thread { [self] in
            let end = connection.serve()
            active.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            state.withLock { Self.release(address, from: &$0.busyPerAddress) }
            if end == .park && !isStopping { idle.park(connection) } else { finish(connection) }
        }
        // Handlers run here too (see ConnectionExecutor): room for SQLite and JSON.
        thread.stackSize = 1024 * 1024
        thread.start()
    }

    /// Forgets and closes a connection; called once, by whoever holds it last.
    func finish(_ connection: HTTPConnection) {
        state.withLock { s in
            s.connections.removeValue(forKey: connection.fd)
            Self.release(connection.flag.address, from: &s.perAddress)
            close(connection.fd)
        }
    }

    /// One less for `address`; the entry goes at zero, so the table holds only addresses in use.
    private static func release(_ address: UInt32, from counts: inout [UInt32: Int]) {
        if let n = counts[address] { counts[address] = n > 1 ? n - 1 : nil }
    }

    var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Answers 503, then `done` (which closes), on a short-lived thread that lingers so
    /// the client reads the answer (see ``LingeringClose``); beyond a few at once,
    /// answers and closes here.
    private func reject(_ fd: Int32, then done: @escaping @Sendable () -> Void) {
        let busy = ResponseWriter.serialize(HTTPResponse.error(status: 503, detail: "Service Unavailable"), head: false, keepAlive: false)
        _ = busy.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard rejecting.wrappingAdd(1, ordering: .relaxed).newValue <= Self.maxRejecting else {
            rejecting.wrappingSubtract(1, ordering: .relaxed)
            done()
            return
        }
        // A thread: lingering blocks in `recv` until the client has read the answer.
        let thread = Thread { [self] in
            LingeringClose.drain(fd, limit: configuration.lingerTimeout)
            done()
            rejecting.wrappingSubtract(1, ordering: .relaxed)
        }
        thread.stackSize = 128 * 1024
        thread.start()
    }

    static func errno() -> String { String(cString: strerror(Glibc.errno)) }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case socket(String)
    public var description: String {
        switch self { case .socket(let why): why }
    }
}
