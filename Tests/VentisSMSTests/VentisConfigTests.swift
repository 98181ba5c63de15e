import Channels
import Foundation
import Gateway
import ProviderSandbox
import Testing
@testable import VentisSMS

/// Building the channel from a routing config and the environment: what start-up
/// checks, what it warns about, and that it never touches the network.
@Suite struct VentisConfigTests {
    let config = Data(#"{"channels": {"ventis": {"kind": "ventis-sms"}}, "routes": {"sms": {"channels": ["ventis"]}}}"#.utf8)

    func load(_ environment: [String: String], _ data: Data? = nil) throws(ConfigError) -> RoutingConfig {
        try RoutingConfigLoader(table: BuiltinChannels.table, environment: Environment(environment)).parse(data ?? config, file: "routing.json")
    }

    @Test func aMissingPasswordStopsStartUpNamingTheVariable() throws {
        do {
            _ = try load(["KEYCLOAK_MESSAGING_USERNAME": "relances"])
            Issue.record("loaded without a password")
        } catch {
            let text = error.description
            #expect(text.contains("channels.ventis.password") && text.contains("KEYCLOAK_MESSAGING_PASSWORD"), "\(text)")
            #expect(!text.contains("KEYCLOAK_MESSAGING_USERNAME"))   // the username was given
        }
        do {
            _ = try load([:])
            Issue.record("loaded without credentials")
        } catch {
            #expect(error.problems.count == 2)
            #expect(error.description.contains("KEYCLOAK_MESSAGING_USERNAME"))
        }
    }

    @Test func anEmptyPasswordIsCaughtWhenTheChannelIsBuilt() throws {
        let data = Data(#"{"channels": {"ventis": {"kind": "ventis-sms", "password": "${KEYCLOAK_MESSAGING_PASSWORD:-}"}}, "routes": {"sms": {"channels": ["ventis"]}}}"#.utf8)
        let loaded = try load(["KEYCLOAK_MESSAGING_USERNAME": "relances"], data)
        do {
            _ = try loaded.buildChannels(context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
            Issue.record("built with an empty password")
        } catch {
            #expect(error.description.contains("channels.ventis.password") && error.description.contains("KEYCLOAK_MESSAGING_PASSWORD"))
        }
    }

    @Test func theOfficesVariablesFeedTheSettings() throws {
        let env = ["VENTIS_MESSAGING_URL": "https://sms.example.ga/api/v2", "VENTIS_MESSAGING_SENDER": "MAIRIE",
                   "KEYCLOAK_MESSAGING_HOST": "https://login.example.ga", "KEYCLOAK_MESSAGING_REALM": "Office",
                   "KEYCLOAK_MESSAGING_CLIENT_ID": "relances", "KEYCLOAK_MESSAGING_USERNAME": "u", "KEYCLOAK_MESSAGING_PASSWORD": "p",
                   "KEYCLOAK_VERIFY_SSL": "false", "VENTIS_DEBUG": "true"]
        let loaded = try load(env)
        let settings = try #require(loaded.channels["ventis"]?.settings)
        #expect(settings.string("url") == "https://sms.example.ga/api/v2")
        #expect(settings.bool("verify_ssl") == false && settings.bool("debug") == true)
        let channel = try VentisSMSChannel(settings: settings, context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        #expect(channel.messageURL == "https://sms.example.ga/api/v2/message")
        #expect(channel.sender == "MAIRIE")
        // Without variables, the spec's defaults.
        let defaults = try #require(try load(["KEYCLOAK_MESSAGING_USERNAME": "u", "KEYCLOAK_MESSAGING_PASSWORD": "p"]).channels["ventis"]?.settings)
        let plain = try VentisSMSChannel(settings: defaults, context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        #expect(plain.messageURL == "https://messaging.ventis.group/messaging/api/v1/message")
        #expect(plain.sender == "VENTIS" && plain.timeout == 30)
        #expect(plain.phone == PhoneNumberFormat(countryCode: "241", nationalDigits: 8, keepTrunkZero: false))
    }

    @Test func buildingTouchesNoNetwork() async throws {
        let sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        try sandbox.start()
        defer { sandbox.beginStop() }
        let settings = VentisRig.settings(["url": sandbox.messagingURL, "keycloak_host": sandbox.keycloakURL,
                                           "username": "relances", "password": "sandbox"])
        _ = try VentisSMS.kind.make(settings, ChannelContext(logger: Logger(sink: MemoryLogSink())))
        // An unreachable provider is not a start-up error either: it is the send's.
        _ = try VentisSMS.kind.make(VentisRig.settings(["keycloak_host": "https://keycloak.invalid", "username": "u", "password": "p"]),
                                    ChannelContext(logger: Logger(sink: MemoryLogSink())))
        #expect(sandbox.tokenRequests == 0 && sandbox.messageRequests == 0)
    }

    /// TLS verification off is said at start-up; an empty client secret when the first
    /// SMS asks for a token, once (a run that sends no SMS has nothing to be told).
    @Test func turningTLSVerificationOffAndAnEmptySecretAreWarnedOnce() async throws {
        let sink = MemoryLogSink()
        let channel = try VentisSMSChannel(settings: VentisRig.settings(["username": "u", "password": "p", "verify_ssl": "false",
                                                                         "url": "http://127.0.0.1:9/m", "keycloak_host": "http://127.0.0.1:9"]),
                                           context: ChannelContext(logger: Logger(sink: sink)))
        func warnings() -> [String] { sink.all.filter { $0.level == .warning }.map(\.message) }
        #expect(warnings().filter { $0.contains("verification is OFF") }.count == 1)
        #expect(warnings().filter { $0.contains("CLIENT_SECRET is empty") }.isEmpty)
        for n in 0..<2 { _ = try? await channel.send(Delivery(id: "d\(n)", type: .sms, recipient: "077123456", body: "Test")) }
        #expect(warnings().filter { $0.contains("CLIENT_SECRET is empty") }.count == 1)
        let quiet = MemoryLogSink()
        _ = try VentisSMSChannel(settings: VentisRig.settings(["username": "u", "password": "p", "client_secret": "s"]),
                                 context: ChannelContext(logger: Logger(sink: quiet)))
        #expect(quiet.all.filter { $0.level == .warning }.isEmpty)
    }

    @Test(arguments: [
        ("url", "messaging.ventis.group/api"), ("keycloak_host", "ftp://signin"), ("realm", "a/b"), ("sender", ""),
        ("country_code", "+241"), ("token_refresh_ratio", "1.5"), ("timeout_seconds", "0"),
    ])
    func badSettingsAreNamed(_ key: String, _ value: String) {
        do {
            _ = try VentisSMSChannel(settings: VentisRig.settings(["username": "u", "password": "p", key: value]),
                                     context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
            Issue.record("\(key)=\(value) accepted")
        } catch {
            #expect(error.description.contains("channels.ventis.\(key)"), "\(error)")
        }
    }

    @Test func theKindAcceptsPhonesAndTheSampleLoads() throws {
        #expect(VentisSMS.kind.kind == "ventis-sms" && VentisSMS.kind.accepts == .phone)
        let secrets = VentisSMS.kind.settings.filter { $0.type == .secret }.map(\.name)
        #expect(Set(secrets) == ["password", "client_secret"])
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("channels/ventis-sms/sample.json")
        let loaded = try load(["KEYCLOAK_MESSAGING_USERNAME": "u", "KEYCLOAK_MESSAGING_PASSWORD": "p"], try Data(contentsOf: sample))
        #expect(loaded.channels["ventis"]?.kind.kind == "ventis-sms")
        #expect(loaded.routes[.sms]?.channels == ["ventis"])
    }
}
