import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing

/// The provider failing in every way it can during one batch. Whatever happens, each
/// relance ends in a state that is true per the provider's own record, with the reason
/// in its notes, and nothing is delivered twice.
@Suite struct FaultStormTests {
    @Test(.timeLimit(.minutes(2)))
    func everyRelanceEndsTrueWhateverTheProviderDoes() async throws {
        let (store, folder) = try temporaryStore()
        var configuration = SandboxConfiguration()
        // The client waits 1 s for an answer: on a loaded machine a success the sandbox
        // took longer than that to answer would be retried, and delivered twice, which
        // is the ambiguity any provider without idempotency keys has (see README).
        configuration.faults = SandboxFaults(latency: 0.005, failureRate: 0.12, timeoutRate: 0.04, timeoutHold: 3,
                                             garbageRate: 0.06, dropRate: 0.06, unauthorizedRate: 0.06)
        let sandbox = ProviderSandbox(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }
        let refusing = try RefusingPort()

        // First a provider that refuses connections, then the flaky one as fallback.
        let config = folder.appendingPathComponent("routing.json")
        try Data("""
            { "channels": {
                "down": { "kind": "ventis-sms", "url": "http://127.0.0.1:\(refusing.port)/messaging/api/v1",
                          "keycloak_host": "http://127.0.0.1:\(refusing.port)", "retry": { "max_attempts": 2, "initial_delay_ms": 5 } },
                "ventis": { "kind": "ventis-sms", "timeout_seconds": 1, "retry": { "max_attempts": 3, "initial_delay_ms": 5, "max_delay_ms": 50 } } },
              "routes": { "sms": { "channels": ["down"], "fallback": ["ventis"] } } }
            """.utf8).write(to: config)
        let dispatcher = try GatewaySetup.dispatcher(configFile: config.path, environment: sandbox.environment, logger: Logger(sink: MemoryLogSink()))
        let total = 400
        let who = try (0..<total).map { i in try store.add(Contribuable(nom: "F\(i)", prenom: "P", telephone: "06" + String(2_000_000 + i))) }
        let ids = try who.map { try store.create(NewRelance(contribuableID: $0, type: .sms, montantDue: Montant("100")!, datePlanifiee: fixedNow,
                                                              message: "Rappel de test")).id }

        // A 401 storm in the middle: every token revoked once a quarter has been answered.
        let storm = Task {
            while sandbox.received.count < total / 4 { try await Task.sleep(nanoseconds: 2_000_000) }
            sandbox.revokeAllTokens()
        }
        let summary = await RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: Logger(sink: MemoryLogSink())).send(ids, maxInFlight: 24)
        storm.cancel()

        var accepted: [String: [String]] = [:]   // number → uuids the provider accepted
        for m in sandbox.received where m.answer.hasPrefix("+SUCCESS") { accepted[m.to, default: []].append(m.uuid ?? "") }
        let answers = Set(sandbox.received.map { $0.answer.hasPrefix("+SUCCESS") ? "+SUCCESS" : $0.answer })
        #expect(answers.isSuperset(of: ["+SUCCESS", "500", "timeout", "garbage", "dropped", "401"]), "not every fault happened: \(answers)")
        #expect(accepted.values.allSatisfy { $0.count == 1 }, "a number was delivered twice")
        #expect(summary.sent + summary.failed == total && summary.unrecorded == 0)
        for (id, contribuable) in zip(ids, who) {
            let r = try #require(try store.relance(id))
            let number = "241" + (r.contribuable?.telephone ?? "").dropFirst()   // the trunk 0 dropped
            let attempts = try store.attempts(relanceID: id)
            #expect(attempts.first?.channel == "down" && attempts.first?.outcome == "failed", "relance \(id) did not meet the refusing provider first")
            switch r.statut {
            case .envoyee:
                // Sent: the provider accepted it once, and the note carries its UUID.
                let uuid = try #require(accepted[number]?.first, "relance \(id) envoyee but the provider never accepted \(number)")
                #expect(r.notes == "SMS envoyé via Ventis. UUID: \(uuid)" && r.canal == "ventis")
                #expect(attempts.last?.outcome == "sent" && attempts.last?.providerID == uuid)
            case .echec:
                // Failed: the provider accepted nothing for it, and the note says why.
                #expect(accepted[number] == nil, "relance \(id) echec but the provider accepted it")
                #expect(!(r.notes ?? "").isEmpty && r.notes == attempts.last?.detail)
            default:
                Issue.record("relance \(id) of contribuable \(contribuable) left \(r.statut.rawValue)")
            }
        }
        #expect(try store.verifyLedger().isIntact)
        print("fault storm: \(summary.sent) envoyee, \(summary.failed) echec, \(sandbox.received.count) requests; answers \(answers.sorted())")
    }
}
