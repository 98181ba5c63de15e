import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Synchronization
import Testing

/// Draws given in advance, so a fault test says exactly which request fails.
final class ScriptedRandom: Sendable {
    private let draws: Mutex<[Double]>
    init(_ draws: [Double]) { self.draws = Mutex(draws) }
    /// Past the script it answers 0.999 (no fault); tests check `remaining`.
    func next() -> Double { draws.withLock { $0.isEmpty ? 0.999 : $0.removeFirst() } }
    var remaining: Int { draws.withLock { $0.count } }
}

/// SplitMix64: a seeded generator, the same sequence for the same seed.
final class SeededRandom: Sendable {
    private let state: Mutex<UInt64>
    init(seed: UInt64) { state = Mutex(seed) }
    func next() -> Double {
        state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }
}

/// A sandbox on an ephemeral port with a hand-moved clock.
struct SandboxRig {
    let sandbox: ProviderSandbox
    let clock = ManualClock()

    init(_ configure: (inout ProviderSandbox.Configuration) -> Void = { _ in },
         random: @escaping @Sendable () -> Double = { 0.999 }) throws {
        var config = ProviderSandbox.Configuration()
        configure(&config)
        sandbox = ProviderSandbox(configuration: config, clock: clock, logger: Logger(sink: MemoryLogSink()), random: random)
        try sandbox.start()
    }

    static let grant = [("grant_type", "password"), ("client_id", "api-messaging"), ("username", "relances"), ("password", "sandbox")]

    func tokenResponse(_ fields: [(String, String)] = grant, realm: String = "Messaging",
                       contentType: String = "application/x-www-form-urlencoded") async throws -> RawClient.Response {
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        let client = try RawClient(port: sandbox.port)
        return try #require(await client.request("POST", "/realms/\(realm)/protocol/openid-connect/token",
                                                 headers: ["Content-Type": contentType], body: body))
    }

    func token() async throws -> String {
        let answer = try await tokenResponse()
        #expect(answer.status == 200)
        return try #require(json(answer.body)["access_token"] as? String)
    }

    static func message(to: String = "24166123456", sender: String = "VENTIS", isOTP: Bool = false,
                        text: String = "Rappel : échéance dépassée") -> String {
        #"{"to":"\#(to)","sender":"\#(sender)","isOTP":\#(isOTP),"message":"\#(text)"}"#
    }

    /// POSTs a message on a fresh connection; nil when the sandbox hung up.
    func send(_ body: String = message(), authorization: String?,
              contentType: String = "application/json; charset=UTF-8") async throws -> RawClient.Response? {
        var headers = ["Content-Type": contentType]
        if let authorization { headers["Authorization"] = authorization }
        let client = try RawClient(port: sandbox.port)
        return await client.request("POST", "/messaging/api/v1/message", headers: headers, body: body)
    }

    func send(_ body: String = message(), token: String) async throws -> RawClient.Response? {
        try await send(body, authorization: "Bearer \(token)")
    }
}

func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

@Suite struct SandboxTests {
    // MARK: Keycloak

    @Test func thePasswordGrantAnswersAsKeycloakDoes() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        let answer = try await rig.tokenResponse()
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/json")
        let body = json(answer.body)
        let access = try #require(body["access_token"] as? String)
        #expect(access.count >= 32)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["expires_in"] as? Int == 300)
        #expect((body["refresh_expires_in"] as? Int ?? 0) > 0)
        let refresh = try #require(body["refresh_token"] as? String)
        #expect(!refresh.isEmpty && refresh != access)
        #expect(try await rig.token() != access)
        #expect(rig.sandbox.tokenRequests == 2)
    }

    @Test func expiresInIsConfigurable() async throws {
        let rig = try SandboxRig { $0.expiresIn = 60 }
        defer { rig.sandbox.beginStop() }
        #expect(json(try await rig.tokenResponse().body)["expires_in"] as? Int == 60)
    }

    @Test func badGrantsGetKeycloaksErrors() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        func check(_ fields: [(String, String)], realm: String = "Messaging", contentType: String = "application/x-www-form-urlencoded",
                   _ status: Int, _ error: String, _ description: String?) async throws {
            let answer = try await rig.tokenResponse(fields, realm: realm, contentType: contentType)
            #expect(answer.status == status, "\(fields)")
            let body = json(answer.body)
            #expect(body["error"] as? String == error, "\(fields)")
            if let description { #expect(body["error_description"] as? String == description, "\(fields)") }
        }
        let grant = SandboxRig.grant
        try await check(grant.map { $0.0 == "password" ? ($0.0, "wrong") : $0 }, 401, "invalid_grant", "Invalid user credentials")
        try await check(grant.map { $0.0 == "username" ? ($0.0, "someone") : $0 }, 401, "invalid_grant", "Invalid user credentials")
        try await check(grant.filter { $0.0 != "grant_type" }, 400, "invalid_request", "Missing form parameter: grant_type")
        try await check(grant.map { $0.0 == "grant_type" ? ($0.0, "client_credentials") : $0 }, 400, "unsupported_grant_type", nil)
        try await check(grant.map { $0.0 == "client_id" ? ($0.0, "other") : $0 }, 401, "invalid_client", nil)
        try await check(grant, contentType: "application/json", 400, "invalid_request", nil)
        try await check(grant, realm: "Other", 404, "Realm does not exist", nil)
        #expect(rig.sandbox.tokenRequests == 7)
    }

    @Test func aConfiguredClientSecretIsChecked() async throws {
        let rig = try SandboxRig { $0.clientSecret = "s3cret" }
        defer { rig.sandbox.beginStop() }
        let missing = try await rig.tokenResponse()
        #expect(missing.status == 401)
        #expect(json(missing.body)["error"] as? String == "unauthorized_client")
        #expect(json(missing.body)["error_description"] as? String == "Client secret not provided in request")
        let wrong = try await rig.tokenResponse(SandboxRig.grant + [("client_secret", "guess")])
        #expect(wrong.status == 401 && json(wrong.body)["error"] as? String == "unauthorized_client")
        let right = try await rig.tokenResponse(SandboxRig.grant + [("client_secret", "s3cret")])
        #expect(right.status == 200 && json(right.body)["access_token"] is String)
        // Without a configured secret (a public client), one sent anyway is ignored.
        let open = try SandboxRig()
        defer { open.sandbox.beginStop() }
        #expect(try await open.tokenResponse(SandboxRig.grant + [("client_secret", "anything")]).status == 200)
    }

    // MARK: Ventis

    @Test func aMessageWithAGoodTokenSucceedsAndIsRecorded() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        let answer = try #require(try await rig.send(SandboxRig.message(isOTP: true), token: token))
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/plain") == true)
        let parts = answer.body.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        #expect(parts.count == 3 && parts[0] == "+SUCCESS")
        let uuid = try #require(parts.count == 3 ? parts[1] : nil)
        #expect(UUID(uuidString: uuid) != nil)
        #expect(ISO8601.date(from: parts[2]) == rig.clock.now().truncatedToSeconds)
        let recorded = try #require(rig.sandbox.received.last)
        #expect(recorded.to == "24166123456" && recorded.sender == "VENTIS" && recorded.isOTP)
        #expect(recorded.message == "Rappel : échéance dépassée")
        #expect(recorded.uuid == uuid && recorded.answer == answer.body && recorded.token == token)
        #expect(rig.sandbox.messageRequests == 1)
    }

    @Test func unknownMissingExpiredAndRevokedTokensGet401() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        for authorization in [nil, "Bearer not-a-token", "Basic cmVsYW5jZXM6c2FuZGJveA==", "Bearer "] {
            let answer = try #require(try await rig.send(authorization: authorization))
            #expect(answer.status == 401, "\(authorization ?? "none")")
            #expect(json(answer.body)["error"] as? String == "invalid_token")
        }
        let token = try await rig.token()
        rig.clock.advance(by: 299)
        #expect(try await rig.send(token: token)?.body.hasPrefix("+SUCCESS|") == true)
        rig.clock.advance(by: 2)
        #expect(try await rig.send(token: token)?.status == 401)
        let fresh = try await rig.token()
        #expect(try await rig.send(token: fresh)?.status == 200)
        rig.sandbox.revokeAllTokens()
        #expect(try await rig.send(token: fresh)?.status == 401)
        #expect(rig.sandbox.received.map(\.answer).filter { $0 == "401" }.count == 6)
    }

    /// As the network: only 241 and 8 digits; the trunk 0 kept (`241077123456`, the
    /// integration note's `2410661234567`) is not a number it routes.
    @Test(arguments: ["+24166123456", "241066123456a", "066 12 34 56", "1234567", "1234567890123456", "", "２４１０６６１２３４５６７",
                      "2410661234567", "241077123456", "12345678", "241066123456789", "33612345678"])
    func anInvalidNumberIsRefused(_ number: String) async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        let answer = try #require(try await rig.send(SandboxRig.message(to: number), token: try await rig.token()))
        #expect(answer.status == 200)
        #expect(answer.body.hasPrefix("-ERROR|INVALID_NUMBER|"))
        #expect(rig.sandbox.received.last?.answer == "-ERROR|INVALID_NUMBER")
    }

    @Test func gabonNumbersAreAccepted() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        for number in ["24177123456", "24106031234", "24111441234"] {
            #expect(try await rig.send(SandboxRig.message(to: number), token: token)?.body.hasPrefix("+SUCCESS|") == true)
        }
    }

    @Test func badBodiesGetTheProvidersRefusals() async throws {
        let rig = try SandboxRig { $0.refusedNumbers = ["24166000000"] }
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        let cases: [(body: String, contentType: String, prefix: String)] = [
            ("{not json", "application/json", "-ERROR|BAD_REQUEST|"),
            (SandboxRig.message(), "text/plain", "-ERROR|BAD_REQUEST|"),
            (#"{"to":24166123456,"sender":"VENTIS","isOTP":false,"message":"x"}"#, "application/json", "-ERROR|BAD_REQUEST|"),
            (#"{"to":"24166123456","isOTP":false,"message":"x"}"#, "application/json", "-ERROR|INVALID_SENDER|"),
            (SandboxRig.message(sender: ""), "application/json", "-ERROR|INVALID_SENDER|"),
            (#"{"to":"24166123456","sender":"VENTIS","message":"x"}"#, "application/json", "-ERROR|BAD_REQUEST|"),
            (SandboxRig.message(text: ""), "application/json", "-ERROR|EMPTY_MESSAGE|"),
            (SandboxRig.message(to: "24166000000"), "application/json", "-ERROR|NUMBER_REFUSED|"),
        ]
        for c in cases {
            let answer = try #require(try await rig.send(c.body, authorization: "Bearer \(token)", contentType: c.contentType))
            #expect(answer.status == 200 && answer.body.hasPrefix(c.prefix), "\(c.body) → \(answer.body)")
        }
        #expect(rig.sandbox.received.allSatisfy { $0.uuid == nil })
    }

    @Test func otherPathsUnderTheMessagingBaseAre404() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        let client = try RawClient(port: rig.sandbox.port)
        let wrong = try #require(await client.request("POST", "/messaging/api/v1/messages", headers: ["Content-Type": "application/json"], body: "{}"))
        #expect(wrong.status == 404)
        let method = try #require(await client.request("GET", "/messaging/api/v1/message"))
        #expect(method.status == 405 && method.headers["allow"] == "POST")
    }

    // MARK: Faults

    @Test func failuresFollowTheDraws() async throws {
        let draws = ScriptedRandom([0.2, 0.7, 0.4, 0.9])
        let rig = try SandboxRig({ $0.faults.failureRate = 0.5 }, random: { draws.next() })
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(try #require(try await rig.send(token: token)).status) }
        #expect(statuses == [500, 200, 500, 200])
        #expect(draws.remaining == 0)
        #expect(rig.sandbox.received.map { $0.answer.hasPrefix("+SUCCESS") ? "ok" : $0.answer } == ["500", "ok", "500", "ok"])
    }

    @Test func garbageIsA200ThatIsNeitherSuccessNorRefusal() async throws {
        let rig = try SandboxRig { $0.faults.garbageRate = 1 }
        defer { rig.sandbox.beginStop() }
        let answer = try #require(try await rig.send(token: try await rig.token()))
        #expect(answer.status == 200)
        #expect(!answer.body.hasPrefix("+SUCCESS") && !answer.body.hasPrefix("-ERROR") && !answer.body.isEmpty)
        #expect(rig.sandbox.received.last?.answer == "garbage")
    }

    @Test func aTimeoutHoldsTheRequestThenHangsUpWithoutAnswer() async throws {
        let rig = try SandboxRig { $0.faults.timeoutRate = 1; $0.faults.timeoutHold = 0.3 }
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        let client = try RawClient(port: rig.sandbox.port)
        let started = Date()
        client.send("POST /messaging/api/v1/message HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(SandboxRig.message().utf8.count)\r\n\r\n\(SandboxRig.message())")
        #expect(await client.ending() == .closed)
        #expect(Date().timeIntervalSince(started) >= 0.3)
        #expect(client.leftover.isEmpty)
        #expect(rig.sandbox.received.last?.answer == "timeout")
    }

    @Test func stoppingCutsAHeldRequestShort() async throws {
        let rig = try SandboxRig { $0.faults.timeoutRate = 1; $0.faults.timeoutHold = 600 }
        let token = try await rig.token()
        let client = try RawClient(port: rig.sandbox.port)
        client.send("POST /messaging/api/v1/message HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(SandboxRig.message().utf8.count)\r\n\r\n\(SandboxRig.message())")
        #expect(await eventually(within: 10) { !rig.sandbox.received.isEmpty })
        rig.sandbox.beginStop()
        #expect(await client.ending(timeout: 30) == .closed)
        await rig.sandbox.stopped()
        #expect(throws: RawClientError.self) { try RawClient(port: rig.sandbox.port) }
    }

    @Test func aDropHangsUpAtOnce() async throws {
        let rig = try SandboxRig { $0.faults.dropRate = 1 }
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        #expect(try await rig.send(token: token) == nil)
        #expect(rig.sandbox.received.last?.answer == "dropped")
    }

    @Test func anUnauthorizedStormFollowsTheDraws() async throws {
        let draws = ScriptedRandom([0.1, 0.9, 0.2])
        let rig = try SandboxRig({ $0.faults.unauthorizedRate = 0.5 }, random: { draws.next() })
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try #require(try await rig.send(token: token)).status) }
        #expect(statuses == [401, 200, 401])
        #expect(draws.remaining == 0)
    }

    @Test func theSameSeedGivesTheSameFaults() async throws {
        func outcomes(seed: UInt64) async throws -> [String] {
            let random = SeededRandom(seed: seed)
            let rig = try SandboxRig({ $0.faults.failureRate = 0.3; $0.faults.garbageRate = 0.2 }, random: { random.next() })
            defer { rig.sandbox.beginStop() }
            let token = try await rig.token()
            for _ in 0..<40 { _ = try await rig.send(token: token) }
            return rig.sandbox.received.map { $0.answer.hasPrefix("+SUCCESS") ? "ok" : $0.answer }
        }
        let first = try await outcomes(seed: 42), second = try await outcomes(seed: 42)
        #expect(first.count == 40 && first == second)
        #expect(Set(first) == ["ok", "500", "garbage"])
    }

    @Test func latencyDelaysEachMessageAnswer() async throws {
        let rig = try SandboxRig { $0.faults.latency = 0.2 }
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        let started = Date()
        #expect(try await rig.send(token: token)?.status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.2)
    }

    // MARK: Control and records

    @Test func faultsRecordsAndTokensCanBeChangedOverHTTP() async throws {
        let rig = try SandboxRig()
        defer { rig.sandbox.beginStop() }
        let token = try await rig.token()
        #expect(try await rig.send(token: token)?.status == 200)
        let control = try RawClient(port: rig.sandbox.port)
        let listed = try #require(await control.request("GET", "/sandbox/messages"))
        let messages = try JSONDecoder().decode([SandboxMessage].self, from: Data(listed.body.utf8))
        #expect(messages == rig.sandbox.received && messages.count == 1)

        let set = try #require(await control.request("PUT", "/sandbox/faults", headers: ["Content-Type": "application/json"], body: #"{"failureRate": 1}"#))
        #expect(set.status == 200)
        #expect(rig.sandbox.faults == SandboxFaults(failureRate: 1))
        #expect(try await rig.send(token: token)?.status == 500)
        let bad = try #require(await control.request("PUT", "/sandbox/faults", body: #"{"failureRate": 0.8, "dropRate": 0.5}"#))
        #expect(bad.status == 422 && bad.body.contains("must not exceed 1"))
        let typo = try #require(await control.request("PUT", "/sandbox/faults", body: #"{"failureRate": "high"}"#))
        #expect(typo.status == 422 && typo.body.contains("failureRate"))
        #expect(rig.sandbox.faults == SandboxFaults(failureRate: 1))
        _ = await control.request("PUT", "/sandbox/faults", body: "{}")
        #expect(rig.sandbox.faults == SandboxFaults())

        #expect(await control.request("POST", "/sandbox/revoke-tokens")?.status == 204)
        #expect(try await rig.send(token: token)?.status == 401)
        #expect(await control.request("DELETE", "/sandbox/messages")?.status == 204)
        #expect(rig.sandbox.received.isEmpty && rig.sandbox.messageRequests == 0 && rig.sandbox.tokenRequests == 0)
    }

    @Test func theEnvironmentPointsTheChannelHere() throws {
        let rig = try SandboxRig { $0.clientSecret = "s3cret" }
        defer { rig.sandbox.beginStop() }
        let env = rig.sandbox.environment
        #expect(env["VENTIS_MESSAGING_URL"] == "http://127.0.0.1:\(rig.sandbox.port)/messaging/api/v1")
        #expect(env["KEYCLOAK_MESSAGING_HOST"] == "http://127.0.0.1:\(rig.sandbox.port)")
        #expect(env["KEYCLOAK_MESSAGING_REALM"] == "Messaging" && env["KEYCLOAK_MESSAGING_CLIENT_ID"] == "api-messaging")
        #expect(env["KEYCLOAK_MESSAGING_USERNAME"] == "relances" && env["KEYCLOAK_MESSAGING_PASSWORD"] == "sandbox")
        #expect(env["KEYCLOAK_MESSAGING_CLIENT_SECRET"] == "s3cret")
    }
}

extension Date {
    var truncatedToSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
