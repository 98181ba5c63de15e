import Foundation
import HTTP
import ProviderSandbox
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Idle clients must not hold what serves requests: before, 1,024 idle keep-alive
/// connections (one thread each) made the server answer 503 to everyone.
@Suite(.serialized) struct IdleConnectionTests {
    /// A TCP connection to 127.0.0.1:`port` from `source` (127.0.0.x: distinct source
    /// addresses on loopback, as distinct clients would be).
    static func connect(from source: String, to port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let ok = withUnsafePointer(to: &local) { l in
            withUnsafePointer(to: &remote) { r in
                l.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } == 0
                    && r.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } == 0
            }
        }
        if !ok { close(fd); return nil }
        return fd
    }

    /// Sends a GET and reads the answer's status and body (at most `timeout` seconds).
    static func get(_ fd: Int32, _ path: String, timeout: Double = 10) -> (status: Int, body: String)? {
        guard LoopbackSocket.sendAll(fd, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)) else { return nil }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n"), let lengthLine = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
               let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
               text.utf8.count - text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound) >= length {
                let status = Int(text.split(separator: " ")[1]) ?? 0
                return (status, String(text[end.upperBound...]))
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            received += chunk[0..<n]
        }
        return nil
    }

    /// Whether the server closed `fd` within `timeout` seconds.
    static func closedByServer(_ fd: Int32, timeout: Double) -> Bool {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) <= 0
    }

    /// Room for a few thousand descriptors in this process (clients and server both).
    static func raiseFileLimit(to wanted: UInt) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    static func server(_ change: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        var config = HTTPServerConfiguration()
        config.lingerTimeout = 0.2
        change(&config)
        let router = HTTPRouter()
        router.add("GET", "/healthz", immediate: { _ in .json(["status": "ok"]) })
        let server = HTTPServer(configuration: config, router: router)
        try server.start()
        return server
    }

    /// Runs blocking socket work on a thread of its own: these tests wait in `poll` for
    /// seconds, which on Swift's cooperative pool (two threads here) would stall the
    /// other tests running beside them.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread { continuation.resume(returning: body()) }.start() }
    }

    /// Polls `condition` every 10 ms for at most `seconds`.
    static func within(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline { if condition() { return true }; usleep(10_000) }
        return condition()
    }

    /// 2,000 idle connections from 20 addresses (half of them after one request, half
    /// that never sent anything): all stay open, parked, and `/healthz` from another
    /// address is still answered. (The time it takes is in `relances-bench idle`.)
    @Test(.timeLimit(.minutes(2)))
    func twoThousandIdleConnectionsLeaveTheServerAnswering() async throws {
        Self.raiseFileLimit(to: 8192)
        let server = try Self.server()
        defer { server.beginShutdown(grace: 1) }
        struct Seen: Sendable {
            var connected = 0, answered = 0, parked = false, open = 0, probe: (status: Int, body: String)?, openAfter = 0, again: Int?
        }
        let seen = await Self.onThread { () -> Seen in
            var seen = Seen()
            var idle: [Int32] = []
            defer { idle.forEach { close($0) } }
            for i in 0..<2000 {
                guard let fd = Self.connect(from: "127.0.0.\(2 + i / 100)", to: server.port) else { break }
                idle.append(fd)
            }
            seen.connected = idle.count
            guard idle.count == 2000 else { return seen }
            // Half of them ask once, as a keep-alive client does, then fall silent.
            for fd in idle[..<1000] where Self.get(fd, "/healthz")?.status == 200 { seen.answered += 1 }
            seen.parked = Self.within(30) { server.idleConnections == 2000 }
            seen.open = server.openConnections
            guard let probe = Self.connect(from: "127.0.0.200", to: server.port) else { return seen }
            defer { close(probe) }
            seen.probe = Self.get(probe, "/healthz")
            // And the idle ones are still there, and still served when they speak again.
            seen.openAfter = server.openConnections
            seen.again = Self.get(idle[1500], "/healthz")?.status
            return seen
        }
        #expect(seen.connected == 2000)
        #expect(seen.answered == 1000)
        #expect(seen.parked && seen.open == 2000)
        #expect(seen.probe?.status == 200 && seen.probe?.body == #"{"status":"ok"}"#)
        #expect(seen.openAfter == 2001 && seen.again == 200)
    }

    /// One address cannot open more than its share: beyond `maxConnectionsPerAddress`,
    /// 503 and close; another address is still admitted.
    @Test(.timeLimit(.minutes(1)))
    func oneAddressCannotTakeEveryConnection() async throws {
        let server = try Self.server { $0.maxConnectionsPerAddress = 3 }
        defer { server.beginShutdown(grace: 1) }
        let statuses = await Self.onThread { () -> [Int?] in
            var mine = (0..<3).compactMap { _ in Self.connect(from: "127.0.0.7", to: server.port) }
            defer { mine.forEach { close($0) } }
            guard mine.count == 3, Self.within(10, { server.openConnections == 3 }) else { return [] }
            var out: [Int?] = []
            for source in ["127.0.0.7", "127.0.0.8"] {
                let fd = Self.connect(from: source, to: server.port)
                out.append(fd.flatMap { Self.get($0, "/healthz")?.status })
                if let fd { close(fd) }
            }
            // Closing one gives the address its room back.
            close(mine.removeFirst())
            _ = Self.within(10) { server.openConnections == 2 }
            let again = Self.connect(from: "127.0.0.7", to: server.port)
            out.append(again.flatMap { Self.get($0, "/healthz")?.status })
            if let fd = again { close(fd) }
            return out
        }
        #expect(statuses == [503, 200, 200])
    }

    /// Near its limit of open connections the server keeps idle ones only briefly, so
    /// new clients find room; far from it, an idle client keeps its connection.
    @Test(.timeLimit(.minutes(1)))
    func nearTheLimitIdleConnectionsAreClosedSooner() async throws {
        let server = try Self.server { $0.maxOpenConnections = 8; $0.crowdedIdleTimeout = 0.3; $0.idleTimeout = 600 }
        defer { server.beginShutdown(grace: 1) }
        let seen = await Self.onThread { () -> [Bool] in
            guard let lone = Self.connect(from: "127.0.0.9", to: server.port) else { return [] }
            defer { close(lone) }
            let keptAlone = !Self.closedByServer(lone, timeout: 1)   // 1 of 8: not crowded
            let crowd = (0..<6).compactMap { _ in Self.connect(from: "127.0.0.10", to: server.port) }
            defer { crowd.forEach { close($0) } }
            // 7 of 8 open: crowded, so idle ones go after 0.3 s.
            let closedInCrowd = Self.closedByServer(lone, timeout: 10)
            let roomAgain = Self.within(10) { server.openConnections <= 6 }
            let fresh = Self.connect(from: "127.0.0.11", to: server.port)
            defer { if let fd = fresh { close(fd) } }
            return [keptAlone, crowd.count == 6, closedInCrowd, roomAgain, fresh.flatMap { Self.get($0, "/healthz")?.status } == 200]
        }
        #expect(seen == [true, true, true, true, true])
    }

    /// A slow client holds a thread until its request is whole: one address sending
    /// heads a byte at a time cannot take every thread (before, it could take all 1,024).
    @Test(.timeLimit(.minutes(1)))
    func oneSlowAddressCannotTakeEveryThread() async throws {
        let server = try Self.server { $0.maxBusyConnectionsPerAddress = 2 }
        defer { server.beginShutdown(grace: 1) }
        let (refused, other) = await Self.onThread { () -> (Bool, Int?) in
            // Two requests begun and never finished: each holds a thread once the server
            // has read their first bytes.
            let slow = (0..<2).compactMap { _ in Self.connect(from: "127.0.0.12", to: server.port) }
            defer { slow.forEach { close($0) } }
            for fd in slow { LoopbackSocket.sendAll(fd, Array("GET /healthz HTTP/1.1\r\nHost: 127".utf8)) }
            func status(from source: String) -> Int? {
                guard let fd = Self.connect(from: source, to: server.port) else { return nil }
                defer { close(fd) }
                return Self.get(fd, "/healthz")?.status
            }
            // Both taken off the idle list onto threads of their own: only then may a third
            // from that address ask, or it could take one of their two places itself.
            let holding = Self.within(10) { server.openConnections == 2 && server.idleConnections == 0 }
            // Once both hold their threads, that address is refused…
            let refused = holding && Self.within(10) { status(from: "127.0.0.12") == 503 }
            // …and another is still served.
            return (refused, status(from: "127.0.0.13"))
        }
        #expect(refused && other == 200)
    }
}
