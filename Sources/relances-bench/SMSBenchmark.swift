import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances

/// Whole campaigns through `ventis-sms` to the sandbox: relances generated in the store,
/// claimed, sent, their outcomes written; the sandbox's own record checked afterwards.
enum SMSBenchmark {
    /// Relances per run (`RELANCES_BENCH_SMS` overrides it for a quick look).
    static var total: Int { Int(ProcessInfo.processInfo.environment["RELANCES_BENCH_SMS"] ?? "") ?? 10_000 }
    static let latency = 0.020

    /// 10,000 relances at 1, 8, 32 and 128 in flight, 20 ms per answer.
    static func run() async throws -> [BenchmarkRow] {
        var rows: [BenchmarkRow] = []
        for inFlight in [1, 8, 32, 128] {
            let limit = Double(inFlight) / latency
            let run = try await campaign(inFlight: inFlight, faults: SandboxFaults(latency: latency))
            let rate = Double(run.summary.sent) / run.elapsed
            rows.append(BenchmarkRow(
                name: "sms campaign, \(formatted(Double(run.count))) relances, \(inFlight) in flight", figure: "\(formatted(rate)) msg/s",
                target: inFlight == 32 ? "≥ 80 % of \(formatted(limit)) msg/s" : "limit \(formatted(limit)) msg/s",
                met: inFlight == 32 ? rate >= 0.8 * limit : nil,
                note: "\(Int((rate / limit * 100).rounded())) % of the limit, \(run.tokenRequests) token request(s), \(run.check)"))
        }
        return rows
    }

    /// The same campaign against a flaky provider: 10 % of answers 500, 2 % held until
    /// the client times out. Everything must end `envoyee`, delivered exactly once.
    static func flaky() async throws -> [BenchmarkRow] {
        let run = try await campaign(inFlight: 32, faults: SandboxFaults(latency: latency, failureRate: 0.10, timeoutRate: 0.02, timeoutHold: 1),
                                     timeout: 0.25, policy: DeliveryPolicy(maxAttempts: 8, initialDelay: 0.02, maxDelay: 0.5, maxTotalDelay: 30))
        let ok = run.lost == 0 && run.duplicated == 0 && run.summary.sent == run.count
        return [BenchmarkRow(
            name: "flaky provider (10 % 500, 2 % timeouts), \(formatted(Double(run.count))) relances, 32 in flight",
            figure: "\(run.lost) lost, \(run.duplicated) sent twice", target: "0 lost, 0 sent twice", met: ok,
            note: "\(run.summary.sent) envoyee, \(run.summary.failed) echec; \(run.attempts) attempts (\(run.faultsSeen)); "
                + "\(formatted(Double(run.summary.sent) / run.elapsed)) msg/s")]
    }

    struct Run {
        var count: Int
        var summary: RelanceSender.Summary
        var elapsed: Double
        var tokenRequests: Int
        var lost: Int
        var duplicated: Int
        var attempts: Int
        var faultsSeen: String
        var check: String { lost == 0 && duplicated == 0 ? "each delivered once" : "\(lost) lost, \(duplicated) twice" }
    }

    static func campaign(inFlight: Int, faults: SandboxFaults, timeout: Double = 30,
                         policy: DeliveryPolicy = DeliveryPolicy()) async throws -> Run {
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = SandboxConfiguration()
        configuration.faults = faults
        let sandbox = ProviderSandbox(configuration: configuration, logger: Logger(level: .error))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }

        let store = try lateDebtsDatabase(total, in: folder, name: "sms.sqlite")
        let ids = try RelanceGenerator(store: store).generate(.init(type: .sms, limite: total)).created
        let channel = try ventisChannel(sandbox, configuration, maxConnections: inFlight, timeout: timeout)
        let logger = Logger(level: .error)
        let dispatcher = Dispatcher(routes: [.sms: Route(channels: ["ventis"])], channels: ["ventis": channel],
                                    policies: ["ventis": policy], logger: logger)
        let started = Date()
        let summary = await RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: logger).send(ids, maxInFlight: inFlight)
        let elapsed = Date().timeIntervalSince(started)

        // The provider's record against the store's: each relance's number accepted once.
        let received = sandbox.received
        let accepted = sandbox.acceptedByNumber
        let sentInStore = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT COUNT(*) FROM relance WHERE statut = 'envoyee'") { Int($0.int(0)) } ?? 0
        }
        let attempts = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT COUNT(*) FROM delivery_attempt") { Int($0.int(0)) } ?? 0
        }
        var faultsSeen: [String: Int] = [:]
        for m in received where !m.answer.hasPrefix("+SUCCESS") { faultsSeen[m.answer, default: 0] += 1 }
        return Run(count: ids.count, summary: summary, elapsed: elapsed, tokenRequests: sandbox.tokenRequests,
                   lost: ids.count - min(accepted.count, sentInStore), duplicated: accepted.values.filter { $0 > 1 }.count,
                   attempts: attempts, faultsSeen: faultsSeen.isEmpty ? "no fault" : faultsSeen.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", "))
    }

    /// A `ventis-sms` channel from the table, pointed at the sandbox.
    static func ventisChannel(_ sandbox: ProviderSandbox, _ c: SandboxConfiguration, maxConnections: Int,
                              timeout: Double = 30) throws -> any Channel {
        guard let kind = BuiltinChannels.table["ventis-sms"] else { throw SandboxError("ventis-sms is not in the channel table") }
        var values: [String: String] = [:]
        for spec in kind.settings { if let d = spec.defaultValue { values[spec.name] = d } }
        values.merge(["url": sandbox.messagingURL, "keycloak_host": sandbox.keycloakURL, "username": c.username,
                      "password": c.password, "max_connections": String(maxConnections), "timeout_seconds": String(timeout)]) { $1 }
        return try kind.make(ChannelSettings(name: "ventis", kind: kind.kind, file: "bench", values: values),
                             ChannelContext(logger: Logger(level: .error)))
    }
}
