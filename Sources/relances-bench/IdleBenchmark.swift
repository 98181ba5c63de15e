import Foundation
import Gateway
import HTTP
import ProviderSandbox
#if canImport(Glibc)
import Glibc
#endif

/// 2,000 idle keep-alive connections from 20 loopback addresses (127.0.0.2…21), then
/// `/healthz` from another address on a fresh connection, 200 times: how long a newcomer
/// waits while idle clients hold connections (they are parked in one poll loop, so they
/// hold no thread).
enum IdleBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 8192 {
            limit.rlim_cur = min(8192, limit.rlim_max)
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        let router = HTTPRouter()
        router.add("GET", "/healthz", immediate: { _ in .json(["status": "ok"]) })
        var config = HTTPServerConfiguration()
        config.logger = Logger(level: .error)
        let server = HTTPServer(configuration: config, router: router)
        let port = try server.start()
        defer { server.beginShutdown(grace: 1) }
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for i in 0..<2000 {
            guard let fd = connect(from: "127.0.0.\(2 + i / 100)", to: port) else {
                return [BenchmarkRow(name: "healthz beside 2,000 idle connections", figure: "failed", note: "connection \(i): \(String(cString: strerror(errno)))")]
            }
            idle.append(fd)
            // Half of them as keep-alive clients that asked once and fell silent.
            if i % 2 == 0, get(fd) != 200 {
                return [BenchmarkRow(name: "healthz beside 2,000 idle connections", figure: "failed", note: "idle client \(i) got no answer")]
            }
        }
        let parkedBy = Date().addingTimeInterval(30)
        while server.idleConnections < 2000 && Date() < parkedBy { usleep(10_000) }
        var times: [Double] = []
        for _ in 0..<200 {
            let start = Date()
            guard let fd = connect(from: "127.0.0.200", to: port) else { continue }
            let status = get(fd)
            close(fd)
            if status == 200 { times.append(Date().timeIntervalSince(start) * 1000) }
        }
        times.sort()
        guard times.count == 200 else {
            return [BenchmarkRow(name: "healthz beside 2,000 idle connections", figure: "failed", note: "\(200 - times.count) of 200 probes unanswered")]
        }
        let p50 = times[99], p99 = times[197], worst = times[199]
        return [BenchmarkRow(name: "healthz beside 2,000 idle connections", figure: String(format: "p99 %.1f ms", p99), target: "≤ 100 ms",
                             met: worst <= 100,
                             note: String(format: "new connection each, p50 %.1f ms, max %.1f ms; %d parked idle, %d open", p50, worst,
                                          server.idleConnections, server.openConnections))]
    }

    /// A connection to 127.0.0.1:`port` from the loopback address `source`.
    static func connect(from source: String, to port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in(), remote = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } } == 0
        let connected = bound && withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, size) } } == 0
        if !connected { close(fd); return nil }
        return fd
    }

    /// `GET /healthz` and its status (0 when no whole answer came within 5 s).
    static func get(_ fd: Int32) -> Int {
        guard LoopbackSocket.sendAll(fd, Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)) else { return 0 }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            // The answer is small and whole once its body (`{"status":"ok"}`) is there.
            if String(decoding: received, as: UTF8.self).hasSuffix("}") { break }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard text.hasSuffix("}"), let status = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return status
    }
}
