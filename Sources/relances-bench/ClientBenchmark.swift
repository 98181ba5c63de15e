import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Synchronization

/// The curl client's requests/s against the sandbox with 20 ms per message and 64 in
/// flight (the ceiling is 64 / 0.020 = 3,200 req/s), bare and through the SMS channel.
enum ClientBenchmark {
    static let inFlight = 64
    static let total = 6_400

    static func run() async throws -> [BenchmarkRow] {
        var sandboxConfig = SandboxConfiguration()
        sandboxConfig.faults.latency = 0.020
        let sandbox = ProviderSandbox(configuration: sandboxConfig, logger: Logger(level: .error))
        try sandbox.start()
        defer { sandbox.beginStop() }
        return [try await bare(sandbox, sandboxConfig), try await channel(sandbox, sandboxConfig)]
    }

    /// POSTs of a ready message with a token fetched once: the client alone.
    static func bare(_ sandbox: ProviderSandbox, _ c: SandboxConfiguration) async throws -> BenchmarkRow {
        let client = CurlHTTPClient(configuration: .init(maxConcurrentRequests: inFlight, logger: Logger(level: .error)))
        let token = try await client.postForm(url: "\(sandbox.keycloakURL)/realms/\(c.realm)/protocol/openid-connect/token",
                                              fields: [("grant_type", "password"), ("client_id", c.clientID),
                                                       ("username", c.username), ("password", c.password)])
        let accessToken = ((try? JSONSerialization.jsonObject(with: token.body)) as? [String: Any])?["access_token"] as? String ?? ""
        let body = Data(#"{"to":"24166123456","sender":"VENTIS","isOTP":false,"message":"Rappel"}"#.utf8)
        let url = "\(sandbox.messagingURL)/message"
        let ok = Atomic<Int>(0)
        let started = Date()
        await forEachConcurrently(0..<total, limit: inFlight) { _ in
            let r = try? await client.postJSON(url: url, body: body, headers: ["Authorization": "Bearer \(accessToken)"])
            if r?.status == 200, r?.text.hasPrefix("+SUCCESS") == true { ok.add(1, ordering: .relaxed) }
        }
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(total) / elapsed
        return BenchmarkRow(name: "client POST to sandbox (20 ms latency, \(inFlight) in flight)", figure: "\(formatted(rate)) req/s",
                            target: "≥ 2,000 req/s (limit 3,200)", met: rate >= 2_000,
                            note: "\(ok.load(ordering: .relaxed))/\(total) +SUCCESS in \(String(format: "%.1f", elapsed)) s")
    }

    /// Whole `ventis-sms` sends: number formatting, the shared token, JSON, reply parsing.
    static func channel(_ sandbox: ProviderSandbox, _ c: SandboxConfiguration) async throws -> BenchmarkRow {
        let channel = try SMSBenchmark.ventisChannel(sandbox, c, maxConnections: inFlight)
        sandbox.reset()
        let ok = Atomic<Int>(0)
        let started = Date()
        await forEachConcurrently(0..<total, limit: inFlight) { i in
            let delivery = Delivery(id: "bench-\(i)", type: .sms, recipient: "0661\(String(format: "%05d", i))",
                                    body: "Rappel : Vous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026")
            if (try? await channel.send(delivery)) != nil { ok.add(1, ordering: .relaxed) }
        }
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(total) / elapsed
        return BenchmarkRow(name: "ventis-sms sends to sandbox (20 ms latency, \(inFlight) in flight)", figure: "\(formatted(rate)) msg/s",
                            target: "≥ 2,000 msg/s (limit 3,200)", met: rate >= 2_000,
                            note: "\(ok.load(ordering: .relaxed))/\(total) accepted, \(sandbox.tokenRequests) token request(s)")
    }
}
