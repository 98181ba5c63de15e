import Foundation
import Gateway
import HTTP
import ProviderSandbox

/// The curl client's requests/s against the sandbox with 20 ms per message, 64 in flight.
enum ClientBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        var sandboxConfig = SandboxConfiguration()
        sandboxConfig.faults.latency = 0.020
        let sandbox = ProviderSandbox(configuration: sandboxConfig, logger: Logger(level: .error))
        try sandbox.start()
        defer { sandbox.stop() }
        let client = CurlHTTPClient(configuration: .init(maxConcurrentRequests: 64, logger: Logger(level: .error)))
        let token = try await client.postForm("\(sandbox.keycloakURL)/realms/Messaging/protocol/openid-connect/token",
                                              fields: [("grant_type", "password"), ("client_id", "api-messaging"),
                                                       ("username", "relances"), ("password", "sandbox")])
        let accessToken = ((try? JSONSerialization.jsonObject(with: token.body)) as? [String: Any])?["access_token"] as? String ?? ""
        let body = Data(#"{"to":"2410661234567","sender":"VENTIS","isOTP":false,"message":"Rappel"}"#.utf8)
        let url = "\(sandbox.messagingURL)/message"
        let total = 6_400
        let started = Date()
        let ok = Counter()
        await forEachConcurrently(0..<total, limit: 64) { _ in
            let r = try? await client.postJSON(url, body: body, headers: ["Authorization": "Bearer \(accessToken)"])
            if r?.status == 200, r?.text.hasPrefix("+SUCCESS") == true { ok.add() }
        }
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(total) / elapsed
        return [BenchmarkRow(name: "client POST to sandbox (20 ms latency, 64 in flight)", figure: "\(formatted(rate)) req/s",
                             target: "≥ 2,000 req/s (limit 3,200)", met: rate >= 2_000,
                             note: "\(ok.value)/\(total) +SUCCESS in \(String(format: "%.1f", elapsed)) s")]
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
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
