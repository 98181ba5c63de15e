import Foundation
import Gateway
import HTTP
import ProviderSandbox

/// The server's requests/s for a small JSON GET, loaded by `wrk` from a second process.
enum ServerBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        let router = HTTPRouter()
        router.add("GET", "/api/ping", immediate: { _ in .json(["statut": "ok", "service": "relances"]) })
        var config = HTTPServerConfiguration()
        config.logger = Logger(level: .error)
        config.maxConnections = 4096
        let server = HTTPServer(configuration: config, router: router)
        let port = try server.start()
        defer { server.shutdown(grace: 1) }
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return [BenchmarkRow(name: "server GET keep-alive (wrk)", figure: "not run", note: "wrk is not installed (apt-get install wrk)")]
        }
        let output = try runProcess(wrk, ["-t2", "-c64", "-d5s", "--latency", "http://127.0.0.1:\(port)/api/ping"])
        let rate = Double(firstMatch(#"Requests/sec:\s+([0-9.]+)"#, in: output) ?? "") ?? 0
        let p99 = firstMatch(#"99%\s+([0-9.]+[a-z]+)"#, in: output) ?? "?"
        let errors = firstMatch(#"Non-2xx or 3xx responses: (\d+)"#, in: output) ?? "0"
        return [BenchmarkRow(name: "server GET keep-alive (wrk -t2 -c64 -d5s)", figure: "\(formatted(rate)) req/s",
                             target: "≥ 40,000 req/s", met: rate >= 40_000, note: "p99 \(p99), non-2xx \(errors), \(coreCount) cores shared with wrk")]
    }
}

func runProcess(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
          let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
          match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text) else { return nil }
    return String(text[range])
}
