import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import RelancesServer
import Testing
import VentisSMS

/// The API over loopback with a seeded store (demo contribuables, relances generated,
/// one sent through the sandbox so the attempts and the ledger have rows), SMS to the
/// sandbox and letters and e-mails to a file sink, and short server timeouts so the
/// requests that never end are answered within seconds.
final class CorpusRig: @unchecked Sendable {
    let folder: URL
    let store: SQLiteRelanceStore
    let sandbox: ProviderSandbox
    let server: HTTPServer
    let port: Int
    let sink: URL
    let ids: CorpusIDs

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("malformed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteRelanceStore(path: folder.appendingPathComponent("t.sqlite").path)
        sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        try sandbox.start()
        let log = Logger(sink: MemoryLogSink())
        var values: [String: String] = [:]
        for spec in VentisSMS.kind.settings { if let d = spec.defaultValue { values[spec.name] = d } }
        values.merge(["url": sandbox.messagingURL, "keycloak_host": sandbox.keycloakURL, "username": "relances", "password": "sandbox"]) { $1 }
        let ventis = try VentisSMSChannel(settings: ChannelSettings(name: "ventis", kind: "ventis-sms", file: "t", values: values),
                                          context: ChannelContext(logger: log))
        sink = folder.appendingPathComponent("letters.jsonl")
        guard let fileSink = BuiltinChannels.table["file-sink"] else { throw CorpusError("file-sink is not in the channel table") }
        let letters = try fileSink.make(ChannelSettings(name: "letters", kind: "file-sink", file: "t", values: ["path": sink.path]),
                                             ChannelContext(logger: log))
        let dispatcher = Dispatcher(routes: [.sms: Route(channels: ["ventis"]), .email: Route(channels: ["letters"]),
                                             .courrier: Route(channels: ["letters"])],
                                    channels: ["ventis": ventis, "letters": letters], logger: log)
        let sender = RelanceSender(store: store, dispatcher: dispatcher, logger: log)
        let config = APIConfiguration(logger: log)
        let router = buildRelancesRouter(store: store, sender: sender, configuration: config)
        var serverConfig = HTTPServerConfiguration()
        serverConfig.logger = log
        serverConfig.readTimeout = 3
        serverConfig.idleTimeout = 10
        serverConfig.lingerTimeout = 1
        server = HTTPServer(configuration: serverConfig, handler: relancesHandler(router: router, configuration: config))
        port = try server.start()

        try DemoData.populate(store, contribuables: 12, seed: 8)
        _ = try RelanceGenerator(store: store).generate(.init(type: .email, limite: 5))
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Éléonore", telephone: "06 61 23 45 67", email: "e@exemple.ga"))
        let db = store
        func relance(_ type: RelanceType) throws -> Int64 {
            try db.create(NewRelance(contribuableID: who, type: type, montantDue: Montant("5000")!, datePlanifiee: Date(),
                                        message: "Rappel")).id
        }
        let sent = try relance(.sms)
        guard case .done(let r) = await sender.send(sent), r.statut == .envoyee else { throw CorpusError("the seed relance was not sent") }
        ids = CorpusIDs(who: who, pending: try relance(.sms), sent: sent, visite: try relance(.visite))
    }

    deinit {
        server.shutdown(grace: 1)
        sandbox.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Every table: its row count and a SHA-256 of all its rows, each column quoted by
    /// SQLite itself, in one order (some tables have no rowid). Two equal snapshots mean not one byte was written.
    func snapshot() throws -> [String: String] {
        try store.database.withConnection { (s: Session) throws(StoreError) -> [String: String] in
            let tables = try s.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0.text(0) }
            var out: [String: String] = [:]
            for table in tables {
                let columns = try s.rows("SELECT name FROM pragma_table_info(?1)", [.text(table)]) { $0.text(0) }
                let row = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
                let rows = try s.rows("SELECT \(row) FROM \"\(table)\" ORDER BY 1") { $0.text(0) }
                out[table] = "\(rows.count) rows, sha256 \(SHA256.hex(rows.joined(separator: "\n")))"
            }
            return out
        }
    }

    func count(_ table: String) throws -> Int {
        try store.database.withConnection { (s: Session) throws(StoreError) -> Int in
            try s.row("SELECT COUNT(*) FROM \"\(table)\"") { Int($0.int(0)) } ?? 0
        }
    }

    func healthy() async -> Bool {
        let answer = await RawExchange.run(port: port, bytes: Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8), timeout: 10)
        return answer.status == 200 && answer.detail == nil && String(decoding: answer.body, as: UTF8.self).contains("ok")
    }
}

struct CorpusError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite struct MalformedRequestTests {
    /// A generated corpus of broken requests: each gets a 4xx (two RFC-named 5xx for
    /// protocol features this server does not implement), API-level ones a JSON
    /// `detail`, none hangs, the server answers `/healthz` after each, and afterwards
    /// the database, the sandbox and the file sink hold exactly what they held before.
    @Test(.timeLimit(.minutes(5))) func everyMalformedRequestIsRefusedAndChangesNothing() async throws {
        let rig = try await CorpusRig()
        let corpus = MalformedRequestCorpus.cases(rig.ids)
        #expect(corpus.count >= 100)
        #expect(Set(corpus.map(\.name)).count == corpus.count, "case names are unique")

        let before = try rig.snapshot()
        for table in ["relance", "contribuable", "delivery_attempt", "ledger", "idempotency_key"] {
            #expect(before[table] != nil, "table \(table) is in the snapshot")
        }
        #expect(try rig.count("relance") > 5 && rig.count("delivery_attempt") >= 1 && rig.count("ledger") >= 1)
        let smsBefore = rig.sandbox.received.count
        #expect(smsBefore == 1)

        var statuses: [Int: Int] = [:]
        for c in corpus {
            let answer = await RawExchange.run(port: rig.port, bytes: c.bytes, headRequest: c.headRequest)
            let status = answer.status ?? 0
            statuses[status, default: 0] += 1
            #expect(c.allowed.contains(status), "\(c.name): \(answer)")
            #expect(!answer.timedOut, "\(c.name): the server neither answered nor closed in time")
            #expect(answer.closed, "\(c.name): the connection was not closed after the answer")
            if !c.headRequest {
                let detail = answer.detail ?? ""
                #expect(!detail.isEmpty, "\(c.name): no JSON detail: \(answer)")
                if c.level == .api { #expect(answer.headers["content-type"] == "application/json", "\(c.name)") }
            }
            #expect(await rig.healthy(), "\(c.name): /healthz no longer answers")
        }

        let after = try rig.snapshot()
        #expect(after == before, "the database changed: \(after.filter { before[$0.key] != $0.value }.keys.sorted())")
        #expect(rig.sandbox.received.count == smsBefore, "an SMS went out")
        let sinkLines = (try? String(contentsOf: rig.sink, encoding: .utf8))?.split(separator: "\n").count ?? 0
        #expect(sinkLines == 0, "a letter or e-mail went to the sink")
        // Each kind of refusal was exercised, not only one.
        #expect(Set(statuses.keys).isSuperset(of: [400, 404, 405, 408, 411, 413, 414, 422, 431]), "statuses seen: \(statuses)")
    }
}
