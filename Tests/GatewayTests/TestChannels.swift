import Foundation
import Gateway
import ProviderSandbox
import Synchronization

/// The sandbox's recording channel, scripted with results, one per call.
extension RecordingChannel {
    convenience init(_ name: String, accepts: AddressKind = .any, script: [Result<Void, ChannelError>]) {
        self.init(name, accepts: accepts, failures: script.map { if case .failure(let e) = $0 { e } else { nil } }, clock: SystemClock())
    }
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
        make: { settings, _ in RecordingChannel(settings.name, accepts: .phone, script: []) })
    static let sink = ChannelKind(
        kind: "test-sink", summary: "test", accepts: .any,
        settings: [SettingSpec("path", required: true, help: "file")],
        make: { settings, _ in RecordingChannel(settings.name, accepts: .any, script: []) })
    static let mail = ChannelKind(
        kind: "test-mail", summary: "test", accepts: .email, settings: [],
        make: { settings, _ in RecordingChannel(settings.name, accepts: .email, script: []) })
    static let table = ChannelTable([phone, sink, mail])
}
