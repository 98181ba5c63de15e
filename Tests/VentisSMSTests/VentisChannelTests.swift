import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Testing
@testable import VentisSMS

/// The channel against the provider sandbox, over real loopback sockets.
@Suite struct VentisChannelTests {
    struct Rig {
        let sandbox: ProviderSandbox
        let channel: VentisSMSChannel
        let clock: ManualClock
        let log: MemoryLogSink
    }

    func rig(_ configure: (inout SandboxConfiguration) -> Void = { _ in }, settings extra: [String: String] = [:],
             random: @escaping @Sendable () -> Double = { 0.99 }) throws -> Rig {
        var config = SandboxConfiguration()
        config.password = "s3cret-Pa55"
        configure(&config)
        let clock = ManualClock()
        let sandbox = ProviderSandbox(configuration: config, clock: clock, logger: Logger(sink: MemoryLogSink()), random: random)
        try sandbox.start()
        let log = MemoryLogSink()
        var values: [String: String] = [:]
        for spec in VentisSMS.kind.settings { if let d = spec.defaultValue { values[spec.name] = d } }
        values.merge(["url": sandbox.messagingURL, "keycloak_host": sandbox.keycloakURL, "username": config.username,
                      "password": config.password, "sender": "MAIRIE-LBV"]) { $1 }
        values.merge(extra) { $1 }
        let context = ChannelContext(logger: Logger(level: .debug, sink: log), clock: clock)
        let channel = try VentisSMSChannel(settings: ChannelSettings(name: "ventis", kind: "ventis-sms", file: "test.json", values: values),
                                           context: context)
        return Rig(sandbox: sandbox, channel: channel, clock: clock, log: log)
    }

    func delivery(_ to: String = "0661234567", _ text: String = "Rappel : Vous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026") -> Delivery {
        Delivery(id: "relance-1", type: .sms, recipient: to, body: text)
    }

    @Test func successCarriesTheUUIDAndTheRequestIsExactlyTheSpecs() async throws {
        let r = try rig()
        defer { r.sandbox.stop() }
        let receipt = try await r.channel.send(delivery("06 61 23 45 67"))
        let received = try #require(r.sandbox.received.first)
        #expect(receipt.messageID == received.uuid)
        #expect(receipt.recipient == "2410661234567")
        #expect(receipt.details["encoding"] == "GSM-7" && receipt.details["segments"] == "1")
        #expect(receipt.providerAnswer.hasPrefix("+SUCCESS|\(receipt.messageID)|"))
        #expect(received.to == "2410661234567" && received.sender == "MAIRIE-LBV" && received.isOTP == false)
        #expect(received.message == "Rappel : Vous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026")
        #expect(!received.token.isEmpty)   // it came as a bearer token the sandbox had issued
        #expect(r.sandbox.tokenRequests == 1)
    }

    @Test func aHundredConcurrentSendsMakeExactlyOneTokenRequest() async throws {
        let r = try rig()
        defer { r.sandbox.stop() }
        let channel = r.channel
        let sent = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<100 {
                group.addTask { (try? await channel.send(Delivery(id: "r\(i)", type: .sms, recipient: "066123\(String(format: "%04d", i))", body: "x"))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(sent == 100)
        #expect(r.sandbox.tokenRequests == 1)
        #expect(Set(r.sandbox.received.map(\.token)).count == 1)
    }

    @Test func theTokenIsRenewedAfterNinetyPercentOfItsLifetime() async throws {
        let r = try rig { $0.expiresIn = 300 }
        defer { r.sandbox.stop() }
        _ = try await r.channel.send(delivery())
        r.clock.advance(by: 269)
        _ = try await r.channel.send(delivery())
        #expect(r.sandbox.tokenRequests == 1)
        r.clock.advance(by: 2)   // 271 s: past 90 % of 300
        _ = try await r.channel.send(delivery())
        #expect(r.sandbox.tokenRequests == 2)
    }

    @Test func aRevocationStormCausesOneRefreshAndOneRetryPerMessage() async throws {
        let r = try rig()
        defer { r.sandbox.stop() }
        _ = try await r.channel.send(delivery())
        r.sandbox.revokeAllTokens()
        r.sandbox.reset()
        let channel = r.channel
        let sent = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<20 {
                group.addTask { (try? await channel.send(Delivery(id: "r\(i)", type: .sms, recipient: "0661234567", body: "x"))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(sent == 20)
        #expect(r.sandbox.tokenRequests == 1)
        // How many left with the revoked token before the one refresh came back depends
        // on scheduling: at least the first did, and each of those was retried once.
        let answers = r.sandbox.received.map(\.answer)
        let refused = answers.filter { $0 == "401" }.count
        #expect(refused >= 1)
        #expect(answers.filter { $0.hasPrefix("+SUCCESS") }.count == 20)
        #expect(answers.count == 20 + refused)
        #expect(Set(r.sandbox.received.filter { $0.answer.hasPrefix("+SUCCESS") }.map(\.token)).count == 1)
    }

    @Test func aPersistent401IsNotRetriedInALoop() async throws {
        let r = try rig()
        defer { r.sandbox.stop() }
        r.sandbox.faults = SandboxFaults(unauthorizedRate: 1)
        await #expect(throws: ChannelError.authentication("le fournisseur refuse le token (401) même après renouvellement")) {
            _ = try await r.channel.send(delivery())
        }
        #expect(r.sandbox.messageRequests == 2)
        #expect(r.sandbox.tokenRequests == 2)
    }

    @Test func refusalsGarbageAndServerErrorsAreClassified() async throws {
        let r = try rig { $0.refusedNumbers = ["2410661111111"] }
        defer { r.sandbox.stop() }
        do {
            _ = try await r.channel.send(delivery("0661111111"))
            Issue.record("a refused number was sent")
        } catch {
            #expect(error == .refused(code: "NUMBER_REFUSED", message: "Numéro sur liste d'opposition"))
            #expect(!error.isRetryable)
        }
        r.sandbox.faults = SandboxFaults(garbageRate: 1)
        do {
            _ = try await r.channel.send(delivery())
            Issue.record("a garbage answer counted as sent")
        } catch {
            guard case .unexpectedAnswer(200, let body) = error else { Issue.record("\(error)"); return }
            #expect(body.contains("Maintenance") && !error.isRetryable)
        }
        r.sandbox.faults = SandboxFaults(failureRate: 1)
        do {
            _ = try await r.channel.send(delivery())
            Issue.record("a 500 counted as sent")
        } catch {
            #expect(error == .providerUnavailable(status: 500, body: "Internal Server Error") && error.isRetryable)
        }
    }

    @Test func timeoutsAndRefusedConnectionsAreRetryableWith408And503() async throws {
        let r = try rig(settings: ["timeout_seconds": "0.5"])
        defer { r.sandbox.stop() }
        _ = try await r.channel.send(delivery())
        r.sandbox.faults = SandboxFaults(timeoutRate: 1, timeoutHold: 3)
        do {
            _ = try await r.channel.send(delivery())
            Issue.record("no timeout")
        } catch {
            #expect(error == .timeout(seconds: 0.5) && error.isRetryable && error.reportedStatus == 408)
        }
        let port = try await freeLoopbackPort()
        var values: [String: String] = [:]
        for spec in VentisSMS.kind.settings { if let d = spec.defaultValue { values[spec.name] = d } }
        values.merge(["url": "http://127.0.0.1:\(port)/api", "keycloak_host": "http://127.0.0.1:\(port)", "username": "u", "password": "p"]) { $1 }
        let nowhere = try VentisSMSChannel(settings: ChannelSettings(name: "v", kind: "ventis-sms", file: "t", values: values),
                                           context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        do {
            _ = try await nowhere.send(delivery())
            Issue.record("connected to nothing")
        } catch {
            guard case .connection(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("Keycloak") && error.isRetryable && error.reportedStatus == 503)
        }
    }

    @Test func aWrongBaseURLIsEndpointNotFound() async throws {
        let r = try rig()
        defer { r.sandbox.stop() }
        var values = [String: String]()
        for spec in VentisSMS.kind.settings { if let d = spec.defaultValue { values[spec.name] = d } }
        values.merge(["url": "http://127.0.0.1:\(r.sandbox.port)/wrong/v1", "keycloak_host": r.sandbox.keycloakURL,
                      "username": "relances", "password": "s3cret-Pa55"]) { $1 }
        let channel = try VentisSMSChannel(settings: ChannelSettings(name: "v", kind: "ventis-sms", file: "t", values: values),
                                           context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        await #expect(throws: ChannelError.endpointNotFound(url: "http://127.0.0.1:\(r.sandbox.port)/wrong/v1/message")) {
            _ = try await channel.send(delivery())
        }
        #expect(ChannelError.endpointNotFound(url: "u").description.contains("VENTIS_MESSAGING_URL"))
    }

    @Test func badCredentialsGiveKeycloaksDescription() async throws {
        let r = try rig(settings: ["password": "wrong"])
        defer { r.sandbox.stop() }
        do {
            _ = try await r.channel.send(delivery())
            Issue.record("signed in with a wrong password")
        } catch {
            #expect(error == .authentication("invalid_grant : Invalid user credentials (HTTP 401)"))
            #expect(error.description == "Impossible de récupérer le token d'accès Keycloak : invalid_grant : Invalid user credentials (HTTP 401)")
        }
        #expect(r.sandbox.messageRequests == 0)
        #expect(r.log.lines.contains { $0.contains("Invalid user credentials") })
    }

    @Test func aConfiguredClientSecretIsSentAndCheckedAndAnEmptyOneIsNot() async throws {
        let withSecret = try rig({ $0.clientSecret = "cl13nt" }, settings: ["client_secret": "cl13nt"])
        defer { withSecret.sandbox.stop() }
        _ = try await withSecret.channel.send(delivery())
        let missing = try rig { $0.clientSecret = "cl13nt" }
        defer { missing.sandbox.stop() }
        await #expect(throws: ChannelError.authentication("unauthorized_client : Client secret not provided in request (HTTP 401)")) {
            _ = try await missing.channel.send(delivery())
        }
        #expect(missing.log.lines.contains { $0.contains("CLIENT_SECRET is empty") })
    }

    @Test func badNumbersAreRefusedBeforeAnyNetworkCall() async throws {
        let r = try rig()
        defer { r.sandbox.stop() }
        for bad in ["06 61 2A 45 67", "12345", "+241 0661 2345 6789 01", "", "06*61"] {
            await #expect(throws: ChannelError.self, "\(bad)") { _ = try await r.channel.send(delivery(bad)) }
        }
        #expect(r.sandbox.tokenRequests == 0 && r.sandbox.messageRequests == 0)
    }

    @Test func secretsNeverReachTheLogEvenInDebug() async throws {
        let r = try rig(settings: ["debug": "true"])
        defer { r.sandbox.stop() }
        _ = try await r.channel.send(delivery())
        let log = r.log.lines.joined(separator: "\n")
        #expect(log.contains("POST"))   // debug logging is on and shows exchanges
        #expect(!log.contains("s3cret-Pa55"))
        let token = try #require(r.sandbox.received.first?.token)
        #expect(!log.contains(token))
    }
}

@Suite struct PhoneNumberTests {
    let format = PhoneNumberFormat()

    @Test(arguments: [
        ("0661234567", "2410661234567"), ("+2410661234567", "2410661234567"), ("2410661234567", "2410661234567"),
        ("06 61 23 45 67", "2410661234567"), ("+241 06 61 23 45 67", "2410661234567"), ("06-61-23-45-67", "2410661234567"),
        ("00241 0661234567", "2410661234567"), ("077 12 34 56", "241077123456"),
    ])
    func theSpecsExamples(_ raw: String, _ expected: String) {
        #expect(format.format(raw) == .success(expected))
    }

    @Test func refusals() {
        #expect(format.format("06 61 2A 45 67") == .failure(.letters("06 61 2A 45 67")))
        #expect(format.format("1234") == .failure(.tooShort("1234", 4)))
        #expect(format.format("0661234567890123") == .failure(.tooLong("0661234567890123", 19)))
        #expect(format.format("  ") == .failure(.empty))
        #expect(format.format("06#61") == .failure(.character("06#61", "#")))
        #expect(PhoneNumberFormat(keepTrunkZero: false).format("0661234567") == .success("241661234567"))
        #expect(PhoneNumberError.letters("x").description == "le numéro « x » contient des lettres")
    }

    @Test func replies() {
        #expect(VentisReply("+SUCCESS|5f0c-77|2026-11-24T10:00:00Z\n") == .success(uuid: "5f0c-77", timestamp: "2026-11-24T10:00:00Z"))
        #expect(VentisReply("-ERROR|21|Numéro invalide | vérifiez") == .error(code: "21", message: "Numéro invalide | vérifiez"))
        #expect(VentisReply("OK") == .unexpected)
        #expect(VentisReply("+SUCCESS||x") == .unexpected)
        #expect(VentisReply("{\"status\":\"ok\"}") == .unexpected)
    }
}

/// A loopback port with nothing listening.
func freeLoopbackPort() async throws -> Int {
    let server = HTTPServer(configuration: HTTPServerConfiguration(), handler: { _ in .text("") })
    let port = try server.start()
    server.shutdown(grace: 0)
    return port
}
