import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import RelancesServer
import Synchronization
import Testing

/// The API over loopback with letters to a real file sink and SMS to a held channel.
final class IdempotencyRig: Sendable {
    let store: SQLiteRelanceStore
    let server: HTTPServer
    let handler: HTTPHandler
    let client = CurlHTTPClient(configuration: .init(logger: Logger(sink: MemoryLogSink())))
    let base: String
    let folder: URL
    let held = GateChannel(name: "held")
    let who: Int64

    /// `folder`: another rig's, to play a second server process on the same database.
    init(tokens: [String] = [], clock: any GatewayClock = SystemClock(), folder: URL? = nil) throws {
        self.folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("idem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        store = try SQLiteRelanceStore(path: self.folder.appendingPathComponent("t.sqlite").path)
        let log = Logger(sink: MemoryLogSink())
        let letters = try BuiltinChannels.table["file-sink"]!.make(
            ChannelSettings(name: "letters", kind: "file-sink", file: "test", values: ["path": "courrier.jsonl", "fsync": "never"]),
            ChannelContext(logger: log, baseDirectory: self.folder))
        let dispatcher = Dispatcher(routes: [.courrier: Route(channels: ["letters"]), .sms: Route(channels: ["held"])],
                                    channels: ["letters": letters, "held": held],
                                    policies: ["letters": DeliveryPolicy(maxAttempts: 1), "held": DeliveryPolicy(maxAttempts: 1)], logger: log)
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: log)
        var config = APIConfiguration(tokens: tokens, logger: log)
        config.clock = clock
        let api = try LoopbackAPI(store: store, sender: sender, configuration: config)
        (server, handler, base) = (api.server, api.handler, api.base)
        who = try store.add(Contribuable(nom: "NZE", prenom: "Éléonore", telephone: "0661234567", adresse: "BP 12, Libreville"))
    }

    /// Does not block: the last reference often goes on the cooperative pool.
    deinit {
        held.open()
        server.beginShutdown(grace: 1)
    }

    struct Answer {
        var status: Int
        var body: Data
        var replayed: Bool
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var detail: String? { (json as? [String: Any])?["detail"] as? String }
        var id: Int? { (json as? [String: Any])?["id"] as? Int }
    }

    func call(_ method: String, _ path: String, json: String? = nil, key: String? = nil, headers: HTTPHeaders = [:]) async throws -> Answer {
        var h = headers
        if json != nil { h["Content-Type"] = "application/json" }
        if let key { h["Idempotency-Key"] = key }
        let r = try await client.execute(HTTPClientRequest(method: method, url: base + path, headers: h, body: Data((json ?? "").utf8)))
        return Answer(status: r.status, body: r.body, replayed: r.headers["Idempotency-Replayed"] == "true")
    }

    func createBody(_ type: String = "courrier", amount: String = "5000") -> String {
        #"{"contribuable_id": \#(who), "type_relance": "\#(type)", "montant_due": "\#(amount)", "date_planifiee": "2026-11-24T08:00:00Z", "message": "Rappel"}"#
    }

    func relanceCount() throws -> Int { try store.list(RelanceFilter()).1 }

    func sinkLines() -> Int {
        ((try? String(contentsOf: folder.appendingPathComponent("courrier.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }
}

@Suite struct IdempotencyTests {
    @Test func aRepeatedCreateMakesOneRelanceAndReplaysTheFirstAnswer() async throws {
        let rig = try IdempotencyRig()
        let first = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "create-1")
        let second = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "create-1")
        let slash = try await rig.call("POST", "/api/relances/", json: rig.createBody(), key: "create-1")
        #expect(first.status == 201 && !first.replayed)
        #expect(second.status == 201 && second.replayed && second.body == first.body)
        #expect(slash.status == 201 && slash.replayed && slash.body == first.body)   // one route, one key
        #expect(try rig.relanceCount() == 1)
        // Without a key nothing is remembered, and another key is another request.
        let plain = try await rig.call("POST", "/api/relances", json: rig.createBody())
        let other = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "create-2")
        #expect(plain.status == 201 && !plain.replayed && other.status == 201 && !other.replayed && other.id != first.id)
        #expect(try rig.relanceCount() == 3)
    }

    @Test func aRepeatedEnvoyerDeliversOnceAndAnswersTheSame200() async throws {
        let rig = try IdempotencyRig()
        let id = try #require(try await rig.call("POST", "/api/relances", json: rig.createBody()).id)
        let first = try await rig.call("PATCH", "/api/relances/\(id)/envoyer", key: "send-\(id)")
        let again = try await rig.call("PATCH", "/api/relances/\(id)/envoyer", key: "send-\(id)")
        #expect(first.status == 200 && (first.json as? [String: Any])?["statut"] as? String == "envoyee")
        #expect(again.status == 200 && again.replayed && again.body == first.body)
        #expect(rig.sinkLines() == 1)
        // The same call without the key is run, and refused: the replay above came from the store.
        let unkeyed = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
        #expect(unkeyed.status == 400 && unkeyed.detail == "Cette relance a déjà été envoyée")
        #expect(rig.sinkLines() == 1)
    }

    @Test func theSameKeyWithAnotherBodyOrQueryIs422() async throws {
        let rig = try IdempotencyRig()
        let first = try await rig.call("POST", "/api/relances", json: rig.createBody(amount: "5000"), key: "k")
        let changed = try await rig.call("POST", "/api/relances", json: rig.createBody(amount: "9000"), key: "k")
        #expect(first.status == 201)
        #expect(changed.status == 422 && changed.detail?.contains("déjà été utilisée pour une autre requête") == true && !changed.replayed)
        #expect(try rig.relanceCount() == 1)
        let generated = try await rig.call("POST", "/api/relances/generer-automatique?limite=5", key: "gen")
        let otherQuery = try await rig.call("POST", "/api/relances/generer-automatique?limite=6", key: "gen")
        #expect(generated.status == 200 && otherQuery.status == 422)
    }

    @Test func aRetryWhileTheFirstRunsIs409AndNeverASecondExecution() async throws {
        let rig = try IdempotencyRig()
        let id = try #require(try await rig.call("POST", "/api/relances", json: rig.createBody("sms")).id)
        let first = Task { try await rig.call("PATCH", "/api/relances/\(id)/envoyer", key: "slow") }
        #expect(await eventually { rig.held.entered == 1 })          // the first is inside the channel
        let during = try await rig.call("PATCH", "/api/relances/\(id)/envoyer", key: "slow")
        #expect(during.status == 409 && during.detail?.contains("déjà en cours") == true)
        rig.held.open()
        let answer = try await first.value
        #expect(answer.status == 200 && (answer.json as? [String: Any])?["statut"] as? String == "envoyee")
        let after = try await rig.call("PATCH", "/api/relances/\(id)/envoyer", key: "slow")
        #expect(after.status == 200 && after.replayed && after.body == answer.body)
        #expect(rig.held.entered == 1)
    }

    @Test func manyIdenticalRequestsAtOnceRunOnce() async throws {
        let rig = try IdempotencyRig()
        let answers = try await withThrowingTaskGroup(of: IdempotencyRig.Answer.self) { group in
            for _ in 0..<8 { group.addTask { try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "burst") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(try rig.relanceCount() == 1)
        #expect(answers.filter { $0.status == 201 && !$0.replayed }.count == 1)
        #expect(answers.allSatisfy { ($0.status == 201) || $0.status == 409 })
        let body = try #require(answers.first { $0.status == 201 && !$0.replayed }?.body)
        #expect(answers.filter { $0.replayed }.allSatisfy { $0.body == body })
    }

    @Test func anInvalidKeyIs400AndRunsNothing() async throws {
        let rig = try IdempotencyRig()
        for key in [String(repeating: "a", count: 201), "clé-é"] {
            let answer = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: key)
            #expect(answer.status == 400 && answer.detail?.contains("Idempotency-Key invalide") == true, "\(key.debugDescription)")
        }
        // A control byte is refused with the head, before the key is even looked at.
        #expect(try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "a\u{01}b").status == 400)
        // An empty value cannot be sent through libcurl; the handler is asked directly.
        let empty = await rig.handler(HTTPRequest(method: "POST", path: "/api/relances", headers: ["Idempotency-Key": "", "Content-Type": "application/json"],
                                                  body: Data(rig.createBody().utf8)))
        #expect(empty.status == 400)
        #expect(try rig.relanceCount() == 0)
        let longest = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: String(repeating: "~", count: 200))
        #expect(longest.status == 201)
    }

    @Test func aServerErrorReleasesTheKeySoARetryRuns() async throws {
        let rig = try IdempotencyRig()
        // The database refuses new relances, as a full disk would.
        try rig.store.database.execute("CREATE TRIGGER refuse BEFORE INSERT ON relance BEGIN SELECT RAISE(ABORT, 'disque plein'); END")
        let failed = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "after-500")
        #expect(failed.status == 500)
        #expect(try rig.relanceCount() == 0)
        try rig.store.database.execute("DROP TRIGGER refuse")
        let retried = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "after-500")
        #expect(retried.status == 201 && !retried.replayed)
        let replayed = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "after-500")
        #expect(replayed.status == 201 && replayed.replayed && replayed.body == retried.body)
        #expect(try rig.relanceCount() == 1)
    }

    @Test func aClientErrorIsRememberedLikeASuccess() async throws {
        let rig = try IdempotencyRig()
        let body = #"{"contribuable_id": 777, "type_relance": "sms", "montant_due": "1", "date_planifiee": "2026-11-24"}"#
        let first = try await rig.call("POST", "/api/relances", json: body, key: "nobody")
        try rig.store.add(Contribuable(nom: "Un", prenom: "Autre"))   // whatever changes, the answer stays the first
        let again = try await rig.call("POST", "/api/relances", json: body, key: "nobody")
        #expect(first.status == 404 && first.detail == "Contribuable non trouvé")
        #expect(again.status == 404 && again.replayed && again.body == first.body)
    }

    @Test func keysAreScopedToTheCallerAndThePath() async throws {
        let rig = try IdempotencyRig(tokens: ["jeton-a", "jeton-b"])
        let a = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "k", headers: ["Authorization": "Bearer jeton-a"])
        let b = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "k", headers: ["Authorization": "Bearer jeton-b"])
        let manual = try await rig.call("POST", "/api/relances/manuelles",
                                        json: #"{"type_relance": "courrier", "montant_due": "10", "contribuables": [{"contribuable_id": \#(rig.who)}]}"#,
                                        key: "k", headers: ["Authorization": "Bearer jeton-a"])
        #expect(a.status == 201 && b.status == 201 && !b.replayed && a.id != b.id)
        #expect(manual.status == 201 && !manual.replayed)
        #expect(try rig.relanceCount() == 3)
        // A refused token never reaches the key store.
        let anonymous = try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "k")
        #expect(anonymous.status == 401)
    }

    @Test func keysExpireAfterADay() async throws {
        let clock = ManualClock(Date())
        let rig = try IdempotencyRig(clock: clock)
        #expect(try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "daily").status == 201)
        clock.advance(by: 23 * 3_600)
        #expect(try await rig.call("POST", "/api/relances", json: rig.createBody(), key: "daily").replayed)
        clock.advance(by: 3_601)
        let fresh = try await rig.call("POST", "/api/relances", json: rig.createBody(amount: "7000"), key: "daily")
        #expect(fresh.status == 201 && !fresh.replayed)   // forgotten: another body is no conflict any more
        #expect(try rig.relanceCount() == 2)
        let rows = try rig.store.database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT COUNT(*) FROM idempotency_key") { $0.int(0) }
        }
        #expect(rows == 1)   // the old row was purged
    }

    @Test func aRequestCaughtInAnotherServerProcessIsReportedNotRunAgain() async throws {
        let first = try IdempotencyRig()
        let id = try #require(try await first.call("POST", "/api/relances", json: first.createBody("sms")).id)
        let running = Task { try await first.call("PATCH", "/api/relances/\(id)/envoyer", key: "crash") }
        #expect(await eventually { first.held.entered == 1 })
        // A new server process on the same database, as after a restart.
        let second = try IdempotencyRig(folder: first.folder)
        let retry = try await second.call("PATCH", "/api/relances/\(id)/envoyer", key: "crash")
        #expect(retry.status == 409 && retry.detail?.contains("interrompue") == true)
        #expect(second.held.entered == 0)
        first.held.open()
        #expect(try await running.value.status == 200)
    }

    @Test func theStoreTellsClaimsOfThisProcessFromAnEarlierOnes() throws {
        let (store, scope) = (try IdempotencyRig().store, IdempotencyScope(key: "k", method: "POST", path: "/api/relances", caller: ""))
        let now = Date()
        #expect(try store.claimIdempotencyKey(scope, fingerprint: "f", owner: "old", now: now, lifetime: 86_400) == .claimed)
        #expect(try store.claimIdempotencyKey(scope, fingerprint: "f", owner: "old", now: now, lifetime: 86_400) == .inProgress(interrupted: false))
        #expect(try store.claimIdempotencyKey(scope, fingerprint: "f", owner: "new", now: now, lifetime: 86_400) == .inProgress(interrupted: true))
        #expect(try store.claimIdempotencyKey(scope, fingerprint: "g", owner: "new", now: now, lifetime: 86_400) == .mismatch)
        try store.releaseIdempotencyKey(scope, owner: "new")      // not its claim: stays
        #expect(try store.claimIdempotencyKey(scope, fingerprint: "f", owner: "new", now: now, lifetime: 86_400) == .inProgress(interrupted: true))
        try store.completeIdempotencyKey(scope, owner: "old", answer: IdempotentAnswer(status: 201, contentType: "application/json", body: Data("{}".utf8)))
        #expect(try store.claimIdempotencyKey(scope, fingerprint: "f", owner: "new", now: now, lifetime: 86_400)
                == .replay(IdempotentAnswer(status: 201, contentType: "application/json", body: Data("{}".utf8))))
    }
}
