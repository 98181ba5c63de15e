import Foundation
import Gateway
import HTTP

/// The server's requests/s for a small JSON GET, loaded by `wrk` from a second process.
enum ServerBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        let router = HTTPRouter()
        router.add("GET", "/api/ping", immediate: { _ in .json(["statut": "ok", "service": "relances"]) })
        // The same answer from an async handler: a Task per request, the connection's
        // thread waiting on it (what most API routes pay).
        router.get("/api/ping-async") { _ in .json(["statut": "ok", "service": "relances"]) }
        var config = HTTPServerConfiguration()
        config.logger = Logger(level: .error)
        config.maxConnections = 4096
        let server = HTTPServer(configuration: config, router: router)
        let port = try server.start()
        defer { server.beginShutdown(grace: 1) }
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return [BenchmarkRow(name: "server GET keep-alive (wrk)", figure: "not run", note: "wrk is not installed (apt-get install wrk)")]
        }
        return [try measure(wrk, "http://127.0.0.1:\(port)/api/ping", "server GET keep-alive (wrk -t2 -c64 -d5s)", target: 40_000),
                try measure(wrk, "http://127.0.0.1:\(port)/api/ping-async", "  same, async handler (Task per request)", target: nil)]
    }

    static func measure(_ wrk: String, _ url: String, _ name: String, target: Double?) throws -> BenchmarkRow {
        let output = try runProcess(wrk, ["-t2", "-c64", "-d5s", "--latency", url])
        let rate = Double(firstMatch(#"Requests/sec:\s+([0-9.]+)"#, in: output) ?? "") ?? 0
        let p99 = firstMatch(#"99%\s+([0-9.]+[a-z]+)"#, in: output) ?? "?"
        let errors = firstMatch(#"Non-2xx or 3xx responses: (\d+)"#, in: output) ?? "0"
        let socketErrors = firstMatch(#"Socket errors: ([^\n]+)"#, in: output).map { ", socket errors: \($0)" } ?? ""
        guard rate > 0 else { return BenchmarkRow(name: name, figure: "failed", note: "wrk said: \(output.prefix(300))") }
        return BenchmarkRow(name: name, figure: "\(formatted(rate)) req/s", target: target.map { "≥ \(formatted($0)) req/s" } ?? "",
                            met: target.map { rate >= $0 },
                            note: "p99 \(p99), non-2xx \(errors)\(socketErrors), \(coreCount) cores shared with wrk")
    }
}
