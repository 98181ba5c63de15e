import Foundation
import Gateway
import HTTP
import ProviderSandbox
@testable import VentisSMS

/// A sandbox on a loopback port and a `ventis-sms` channel pointed at it, with a clock
/// moved by hand and every log line kept.
struct VentisRig {
    let sandbox: ProviderSandbox
    let channel: VentisSMSChannel
    let clock: ManualClock
    let log: MemoryLogSink
    let configuration: SandboxConfiguration

    static let password = "s3cret-Pa55"
    static let officeText = "Rappel : Vous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026"

    /// - Parameters:
    ///   - settings: channel settings over the defaults (`"timeout_seconds": "1"`).
    ///   - logLevel: the context logger's level; `.info` is production's, where numbers are masked.
    static func start(_ configure: (inout SandboxConfiguration) -> Void = { _ in }, settings extra: [String: String] = [:],
                      logLevel: LogLevel = .info) throws -> VentisRig {
        var config = SandboxConfiguration()
        config.password = password
        configure(&config)
        let clock = ManualClock()
        let sandbox = ProviderSandbox(configuration: config, clock: clock, logger: Logger(sink: MemoryLogSink()))
        try sandbox.start()
        let log = MemoryLogSink()
        let values = settings(["url": sandbox.messagingURL, "keycloak_host": sandbox.keycloakURL, "username": config.username,
                               "password": config.password, "sender": "MAIRIE-LBV"].merging(extra) { $1 })
        let context = ChannelContext(logger: Logger(level: logLevel, sink: log), clock: clock)
        do {
            let channel = try VentisSMSChannel(settings: values, context: context)
            return VentisRig(sandbox: sandbox, channel: channel, clock: clock, log: log, configuration: config)
        } catch {
            sandbox.beginStop()
            throw error
        }
    }

    /// Every setting's default, then `values`.
    static func settings(_ values: [String: String], name: String = "ventis") -> ChannelSettings {
        var all: [String: String] = [:]
        for spec in VentisSMS.kind.settings { if let d = spec.defaultValue { all[spec.name] = d } }
        all.merge(values) { $1 }
        return ChannelSettings(name: name, kind: "ventis-sms", file: "test.json", values: all)
    }

    static func delivery(_ to: String = "066123456", _ text: String = officeText, id: String = "relance-1") -> Delivery {
        Delivery(id: id, type: .sms, recipient: to, body: text)
    }

    /// Without waiting: its callers are `defer`s of async tests, on the cooperative pool.
    func stop() { sandbox.beginStop() }
}
