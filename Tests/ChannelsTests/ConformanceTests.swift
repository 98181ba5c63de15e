import Channels
import Foundation
import Gateway
import ProviderSandbox
import Testing

/// Every kind in the channel table through the same conformance suite: a kind added to
/// the table is checked here without a line of this file changing.
@Suite struct ConformanceTests {
    @Test(arguments: BuiltinChannels.table.names)
    func everyRegisteredKindConforms(_ name: String) async throws {
        let kind = try #require(BuiltinChannels.table[name])
        let world = try ConformanceWorld()
        defer { world.stop() }
        let sample = packageRoot.appendingPathComponent("channels/\(name)/sample.json")
        let problems = await ChannelConformance.run(kind, sample: sample, world: world)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The suite itself catches a channel that breaks a promise.
    @Test func theSuiteCatchesAChannelThatPrintsItsPasswordAndRetriesARefusedRecipient() async throws {
        let leaky = ChannelKind(
            kind: "leaky", summary: "test", accepts: .phone,
            settings: [SettingSpec("password", .secret, environment: "KEYCLOAK_MESSAGING_PASSWORD", required: true, help: "p")],
            make: { settings, context in Leaky(name: settings.name, password: settings.secret("password").value, logger: context.logger) })
        let world = try ConformanceWorld()
        defer { world.stop() }
        let folder = try temporaryFolder("leaky")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sample = folder.appendingPathComponent("sample.json")
        try Data(#"{ "channels": { "l": { "kind": "leaky" } }, "routes": { "sms": { "channels": ["l"] } } }"#.utf8).write(to: sample)
        let problems = await ChannelConformance.run(leaky, sample: sample, world: world)
        #expect(problems.contains { $0.contains("password was printed") })
        #expect(problems.contains { $0.contains("check accepts the bad recipient") })
        #expect(problems.contains { $0.contains("no note") })
    }

    final class Leaky: Channel {
        let name: String
        let accepts = AddressKind.phone
        let password: String
        let logger: Logger
        init(name: String, password: String, logger: Logger) {
            self.name = name
            self.password = password
            self.logger = logger
        }
        func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
            logger.debug("signing in with \(password)")
            return Receipt(channel: name, messageID: "x", acceptedAt: Date(), recipient: delivery.recipient)
        }
    }
}
