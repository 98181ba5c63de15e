import Foundation
import Gateway
import Synchronization

/// A channel that answers from a script of results, one per call, and records what it got.
final class ScriptedChannel: Channel {
    let name: String
    let accepts: AddressKind
    private let script: Mutex<[Result<Void, ChannelError>]>
    private let received = Mutex<[Delivery]>([])

    init(_ name: String, accepts: AddressKind = .any, script: [Result<Void, ChannelError>]) {
        self.name = name
        self.accepts = accepts
        self.script = Mutex(script)
    }

    func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        received.withLock { $0.append(delivery) }
        let next = script.withLock { $0.isEmpty ? .success(()) : $0.removeFirst() }
        if case .failure(let error) = next { throw error }
        return Receipt(channel: name, messageID: "\(name)-\(deliveries.count)", acceptedAt: Date(), recipient: delivery.recipient)
    }

    var deliveries: [Delivery] { received.withLock { $0 } }
}

/// Kinds for loader tests: a phone channel with a secret taken from the environment,
/// and a channel that takes any address.
enum TestKinds {
    static let phone = ChannelKind(
        kind: "test-sms", summary: "test", accepts: .phone,
        settings: [
            SettingSpec("sender", default: "VENTIS", help: "sender"),
            SettingSpec("password", .secret, environment: "TEST_PASSWORD", required: true, help: "the password"),
            SettingSpec("timeout_seconds", .integer, default: "30", help: "timeout"),
            SettingSpec("verify", .boolean, default: "true", help: "verify"),
        ],
        make: { settings, _ in ScriptedChannel(settings.name, accepts: .phone, script: []) })
    static let sink = ChannelKind(
        kind: "test-sink", summary: "test", accepts: .any,
        settings: [SettingSpec("path", required: true, help: "file")],
        make: { settings, _ in ScriptedChannel(settings.name, accepts: .any, script: []) })
    static let mail = ChannelKind(
        kind: "test-mail", summary: "test", accepts: .email, settings: [],
        make: { settings, _ in ScriptedChannel(settings.name, accepts: .email, script: []) })
    static let table = ChannelTable([phone, sink, mail])
}
