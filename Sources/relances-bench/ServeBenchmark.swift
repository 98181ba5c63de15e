import Foundation
import Gateway
import HTTP
import ProviderSandbox

/// The real `relances serve` (an API token required, metrics counted, one access-log
/// line a request) on the demo database under `wrk -t2 -c64`, next to the bare router
/// answering `/healthz` in this process, in the same run: the targets are ratios, so a
/// machine shared with other work moves both sides together.
///
/// `RELANCES_BENCH_BEFORE=<path to another relances program>` also measures that one
/// (an earlier build) in the same run, for a before/after.
enum ServeBenchmark {
    static let token = "bench:" + String(repeating: "k", count: 32)

    static func run() async throws -> [BenchmarkRow] {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return [BenchmarkRow(name: "serve", figure: "not run", note: "wrk is not installed (apt-get install wrk)")]
        }
        guard let program = ServedAPI.program else {
            return [BenchmarkRow(name: "serve", figure: "not run",
                                 note: "the relances program is not built beside relances-bench: run `swift build -c release` first")]
        }
        let bare = try bareHealthz(wrk)
        var rows = [BenchmarkRow(name: "bare router, GET /healthz (wrk -t2 -c64 -d5s)", figure: "\(formatted(bare.rate)) req/s",
                                 note: "p99 \(bare.p99), the same route without auth, metrics or log")]
        rows += try await measure(program, wrk, label: "serve", bare: bare.rate)
        if let before = ProcessInfo.processInfo.environment["RELANCES_BENCH_BEFORE"], FileManager.default.isExecutableFile(atPath: before) {
            rows += try await measure(before, wrk, label: "before: serve", bare: bare.rate)
        }
        return rows
    }

    /// `/healthz` as `serve` registers it, on a router with nothing around it.
    static func bareHealthz(_ wrk: String) throws -> (rate: Double, p99: String, errors: String) {
        let router = HTTPRouter()
        router.get("/healthz") { _ in .json(["status": "ok"]) }
        var config = HTTPServerConfiguration()
        config.logger = Logger(level: .error)
        let server = HTTPServer(configuration: config, router: router)
        let port = try server.start()
        defer { server.beginShutdown(grace: 1) }
        return try load(wrk, "http://127.0.0.1:\(port)/healthz")
    }

    static func measure(_ program: String, _ wrk: String, label: String, bare: Double) async throws -> [BenchmarkRow] {
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await ServedAPI(program: program, folder: folder, arguments: [
            "--demo", "--db", folder.appendingPathComponent("demo.sqlite").path, "--token", token])
        let health = try load(wrk, "http://127.0.0.1:\(server.port)/healthz")
        let list = try load(wrk, "http://127.0.0.1:\(server.port)/api/relances/?limit=20")
        _ = await server.stop()
        let logged = ((try? String(contentsOf: server.log, encoding: .utf8)) ?? "").components(separatedBy: "msg=request").count - 1
        let healthRatio = health.rate / bare, listRatio = list.rate / health.rate
        return [
            BenchmarkRow(name: "\(label) GET /healthz (token, metrics, access log)", figure: "\(formatted(health.rate)) req/s",
                         target: "≥ 0.7× bare router", met: healthRatio >= 0.7,
                         note: String(format: "%.2f× bare, p99 %@, non-2xx %@, %@ lines logged", healthRatio, health.p99, health.errors,
                                      formatted(Double(logged)))),
            BenchmarkRow(name: "\(label) GET /api/relances/?limit=20 (demo database)", figure: "\(formatted(list.rate)) req/s",
                         target: "≥ 0.4× serve /healthz", met: listRatio >= 0.4,
                         note: String(format: "%.2f× /healthz, p99 %@, non-2xx %@", listRatio, list.p99, list.errors)),
        ]
    }

    static func load(_ wrk: String, _ url: String) throws -> (rate: Double, p99: String, errors: String) {
        let output = try runProcess(wrk, ["-t2", "-c64", "-d5s", "--latency", "-H", "Authorization: Bearer \(token.split(separator: ":").last!)", url])
        let rate = Double(firstMatch(#"Requests/sec:\s+([0-9.]+)"#, in: output) ?? "") ?? 0
        guard rate > 0 else { throw SandboxError("wrk said: \(output.prefix(300))") }
        return (rate, firstMatch(#"99%\s+([0-9.]+[a-z]+)"#, in: output) ?? "?", firstMatch(#"Non-2xx or 3xx responses: (\d+)"#, in: output) ?? "0")
    }
}
