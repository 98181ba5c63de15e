import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import RelancesServer
import Testing

/// `GET /metrics` over loopback after a known batch: letters to a file sink, SMS to the
/// provider sandbox answering 500 to every message, the gateway built from a config file.
final class MetricsRig: Sendable {
    let store: SQLiteRelanceStore
    let sandbox: ProviderSandbox
    let server: HTTPServer
    let client = CurlHTTPClient(configuration: .init(logger: Logger(sink: MemoryLogSink())))
    let base: String
    let who: Int64

    init(tokens: [String] = []) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteRelanceStore(path: folder.appendingPathComponent("t.sqlite").path)
        sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        sandbox.faults = SandboxFaults(failureRate: 1)
        try sandbox.start()
        let config = folder.appendingPathComponent("routing.json")
        try Data("""
            {
              "channels": {
                "letters": { "kind": "file-sink", "path": "\(folder.appendingPathComponent("courrier.jsonl").path)", "fsync": "never" },
                "ventis": { "kind": "ventis-sms", "url": "\(sandbox.messagingURL)", "keycloak_host": "\(sandbox.keycloakURL)",
                            "username": "relances", "password": "sandbox", "timeout_seconds": 20,
                            "retry": { "max_attempts": 2, "initial_delay_ms": 1, "max_delay_ms": 1 } }
              },
              "routes": { "courrier": { "channels": ["letters"] }, "sms": { "channels": ["ventis"] } }
            }
            """.utf8).write(to: config)
        let log = Logger(sink: MemoryLogSink())
        let dispatcher = try GatewaySetup.dispatcher(configFile: config.path, environment: [:], logger: log)
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: log)
        let configuration = APIConfiguration(tokens: tokens, logger: log)
        let api = try LoopbackAPI(store: store, sender: sender, configuration: configuration)
        (server, base) = (api.server, api.base)
        who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456", adresse: "BP 1, Akébé"))
    }

    /// Neither blocks: the last reference often goes on the cooperative pool.
    deinit {
        server.beginShutdown(grace: 1)
        sandbox.beginStop()
    }

    func call(_ method: String, _ path: String, json: String? = nil, token: String? = nil) async throws -> HTTPClientResponse {
        var headers = HTTPHeaders()
        if json != nil { headers["Content-Type"] = "application/json" }
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await client.execute(HTTPClientRequest(method: method, url: base + path, headers: headers, body: Data((json ?? "").utf8)))
    }

    func create(_ type: RelanceType, token: String? = nil) async throws -> Int {
        let response = try await call("POST", "/api/relances", json: """
            {"contribuable_id": \(who), "type_relance": "\(type.rawValue)", "montant_due": "5000", "date_planifiee": "2026-11-24T08:00:00Z",
             "message": "Rappel : 5000.00 FCFA"}
            """, token: token)
        #expect(response.status == 201)
        return try #require((try JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["id"] as? Int)
    }

    /// The scrape's sample lines by series (`name{labels}` → value).
    static func samples(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            out[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return out
    }
}

@Suite struct MetricsEndpointTests {
    @Test func countersAfterAKnownBatch() async throws {
        let rig = try MetricsRig()
        var letters: [Int] = [], sms: [Int] = []
        for _ in 0..<5 { letters.append(try await rig.create(.courrier)) }
        for _ in 0..<2 { sms.append(try await rig.create(.sms)) }
        for _ in 0..<3 { _ = try await rig.create(.email) }          // left en_attente
        for id in letters + sms {
            let response = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
            #expect(response.status == 200)
        }
        // One relance claimed by a sender that has not finished: envoi_en_cours.
        let stuck = try await rig.create(.courrier)
        guard case .claimed = try rig.store.claim(Int64(stuck), now: Date()) else { Issue.record("not claimed"); return }
        #expect(try await rig.call("GET", "/api/relances/\(letters[0])").status == 200)
        #expect(try await rig.call("GET", "/api/relances/99999").status == 404)
        #expect(try await rig.call("GET", "/no/such/page").status == 404)
        #expect(try await rig.call("DELETE", "/api/relances/1").status == 405)

        let scrape = try await rig.call("GET", "/metrics")
        #expect(scrape.status == 200)
        #expect(scrape.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = String(decoding: scrape.body, as: UTF8.self)
        let s = MetricsRig.samples(text)
        // Deliveries and attempts by channel and outcome; the sandbox's 500 is retried once.
        #expect(s[#"relances_sends_total{channel="letters",outcome="sent"}"#] == "5")
        #expect(s[#"relances_sends_total{channel="ventis",outcome="failed"}"#] == "2")
        #expect(s[#"relances_attempts_total{channel="letters",outcome="sent"}"#] == "5")
        #expect(s[#"relances_attempts_total{channel="ventis",outcome="provider_unavailable"}"#] == "4")
        #expect(s[#"relances_retries_total{channel="ventis"}"#] == "2")
        #expect(s.keys.filter { $0.hasPrefix("relances_retries_total") }.count == 1)
        // One token, fetched once and reused (a 500 does not invalidate it).
        #expect(s["relances_token_fetches_total"] == "1")
        #expect(rig.sandbox.tokenRequests == 1 && rig.sandbox.messageRequests == 4)
        // The latency histogram: one observation per attempt, per channel.
        #expect(s[#"relances_provider_seconds_count{channel="letters"}"#] == "5")
        #expect(s[#"relances_provider_seconds_bucket{channel="letters",le="+Inf"}"#] == "5")
        #expect(s[#"relances_provider_seconds_count{channel="ventis"}"#] == "4")
        #expect(s[#"relances_provider_seconds_bucket{channel="ventis",le="+Inf"}"#] == "4")
        #expect(s[#"relances_provider_seconds_bucket{channel="ventis",le="0.005"}"#] != nil)
        // The queue, read at scrape time.
        #expect(s[#"relances_queue_depth{statut="en_attente"}"#] == "3")
        #expect(s[#"relances_queue_depth{statut="envoi_en_cours"}"#] == "1")
        // API requests by route pattern (never the raw path) and status.
        #expect(s[#"relances_api_requests_total{method="POST",route="/api/relances",status="201"}"#] == "11")
        #expect(s[#"relances_api_requests_total{method="PATCH",route="/api/relances/{id}/envoyer",status="200"}"#] == "7")
        #expect(s[#"relances_api_requests_total{method="GET",route="/api/relances/{id}",status="200"}"#] == "1")
        #expect(s[#"relances_api_requests_total{method="GET",route="/api/relances/{id}",status="404"}"#] == "1")
        #expect(s[#"relances_api_requests_total{method="GET",route="unmatched",status="404"}"#] == "1")
        #expect(s[#"relances_api_requests_total{method="DELETE",route="unmatched",status="405"}"#] == "1")
        #expect(!text.contains("99999") && !text.contains("/no/such/page"))
        #expect(s.keys.filter { $0.hasPrefix("relances_api_requests_total") }.count == 6)
        // The text format: HELP and TYPE before each family.
        for (name, type) in [("relances_sends_total", "counter"), ("relances_attempts_total", "counter"), ("relances_retries_total", "counter"),
                             ("relances_token_fetches_total", "counter"), ("relances_provider_seconds", "histogram"),
                             ("relances_queue_depth", "gauge"), ("relances_api_requests_total", "counter")] {
            let help = try #require(text.range(of: "\n# HELP \(name) ") ?? (text.hasPrefix("# HELP \(name) ") ? text.range(of: "# HELP \(name) ") : nil),
                                    "no HELP for \(name)")
            let typeLine = try #require(text.range(of: "# TYPE \(name) \(type)\n"), "no TYPE for \(name)")
            let firstSample = try #require(text.range(of: "\n\(name)"), "no sample of \(name)")
            #expect(help.lowerBound < typeLine.lowerBound && typeLine.upperBound <= firstSample.upperBound)
        }
        #expect(text.hasSuffix("\n"))

        // The scrape itself is counted, for the next one.
        let again = MetricsRig.samples(String(decoding: try await rig.call("GET", "/metrics").body, as: UTF8.self))
        #expect(again[#"relances_api_requests_total{method="GET",route="/metrics",status="200"}"#] == "1")
    }

    @Test func withTokensMetricsNeedsOneLikeTheAPI() async throws {
        let rig = try MetricsRig(tokens: ["s3cret"])
        let refused = try await rig.call("GET", "/metrics")
        #expect(refused.status == 401 && refused.headers["WWW-Authenticate"] == "Bearer")
        // Same route to the router, so the same rule: no way around it by the path's shape.
        for path in ["/metrics/", "//metrics", "//api/relances", "/api//relances"] {
            #expect(try await rig.call("GET", path).status == 401, "\(path)")
        }
        #expect(try await rig.call("GET", "/healthz").status == 200)
        let scrape = try await rig.call("GET", "/metrics", token: "s3cret")
        #expect(scrape.status == 200)
        let s = MetricsRig.samples(String(decoding: scrape.body, as: UTF8.self))
        #expect(s[#"relances_api_requests_total{method="GET",route="/metrics",status="401"}"#] == "3")
        #expect(s[#"relances_api_requests_total{method="GET",route="/api/relances",status="401"}"#] == "2")
        #expect(s[#"relances_api_requests_total{method="GET",route="/healthz",status="200"}"#] == "1")
        #expect(s[#"relances_queue_depth{statut="en_attente"}"#] == "0")
    }
}
