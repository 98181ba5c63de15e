import Channels
import Foundation
import Gateway
import HTTP
import Relances
import RelancesServer

/// The API with 1,000,000 relances in the store: requests/s and p99 of the page's
/// reads, loaded by `wrk` from a second process.
enum APIBenchmark {
    static let relances = 1_000_000
    static let connections = 16

    static func run() async throws -> [BenchmarkRow] {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return [BenchmarkRow(name: "API with 1,000,000 relances", figure: "not run", note: "wrk is not installed (apt-get install wrk)")]
        }
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("api.sqlite").path)
        let built = Date()
        try fill(store.database)
        let buildTime = Date().timeIntervalSince(built)

        let (server, port) = try serve(store, folder: folder, dryRun: true)
        defer { server.beginShutdown(grace: 1) }

        let base = "http://127.0.0.1:\(port)/api/relances"
        let year = RelanceBench.day(-365), month = RelanceBench.day(-30)
        let cases: [(String, String, Double?)] = [
            ("statistiques", "\(base)/statistiques", 20),
            ("statistiques, last 30 days", "\(base)/statistiques?date_debut=\(month)&date_fin=\(RelanceBench.day(0))", 20),
            ("list, first page of 20", "\(base)/?limit=20", nil),
            ("list, statut=echec, page 5", "\(base)/?statut=echec&limit=20&skip=80", nil),
            ("list, type=sms since a year", "\(base)/?type_relance=sms&date_debut=\(year)&limit=20", nil),
            // Last: at 16 at once it takes longer than wrk's run, and what wrk left
            // behind would still be answered during the next case.
            ("dashboard, 90 days a day", "\(base)/statistiques/quotidiennes?jours=90", nil),
        ]
        var rows: [BenchmarkRow] = []
        // The dashboard's first look counts the segments of every SMS of its 90 days
        // (a database that comes from a version without them); the figures below are
        // the looks after it, as an office sees them every day.
        let firstLook = Date()
        let first = try runProcess("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/statistiques/quotidiennes?jours=90"])
        let firstLookTime = Date().timeIntervalSince(firstLook)
        for (name, url, target) in cases {
            let output = try runProcess(wrk, ["-t2", "-c\(connections)", "-d5s", "--latency", url])
            let rate = Double(firstMatch(#"Requests/sec:\s+([0-9.]+)"#, in: output) ?? "") ?? 0
            let p99Text = firstMatch(#"99%\s+([0-9.]+[a-z]+)"#, in: output) ?? "?"
            let errors = firstMatch(#"Non-2xx or 3xx responses: (\d+)"#, in: output) ?? "0"
            let p99 = milliseconds(p99Text)
            rows.append(BenchmarkRow(name: "API, 1,000,000 relances: \(name)", figure: "p99 \(p99Text), \(formatted(rate)) req/s",
                                     target: target.map { "p99 ≤ \(Int($0)) ms" } ?? "", met: target.map { limit in p99.map { $0 <= limit } ?? false },
                                     note: "wrk -c\(connections), non-2xx \(errors)"))
        }
        rows.append(BenchmarkRow(name: "API, 1,000,000 relances: the dashboard's first look", figure: String(format: "%.1f s", firstLookTime),
                                 note: "HTTP \(first); the segments of the SMS of 90 days counted once, as after an upgrade"))
        rows.append(BenchmarkRow(name: "API store: 1,000,000 relances written", figure: String(format: "%.1f s", buildTime),
                                 note: "one INSERT … SELECT, the counters kept by their triggers"))
        return rows
    }

    /// The API on a loopback port in this process, every type routed to the file sink of
    /// `channels/dry-run.json`: a dry run, or (`dryRun: false`) the sink as a real channel.
    static func serve(_ store: any APIStore, folder: URL, dryRun: Bool) throws -> (server: HTTPServer, port: Int) {
        let logger = Logger(level: .error)
        let config = try GatewaySetup.config(configFile: "channels/dry-run.json", dryRun: dryRun, environment: Environment())
        let dispatcher = try config.makeDispatcher(context: ChannelContext(logger: logger, baseDirectory: folder))
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: logger)
        let configuration = APIConfiguration(logger: logger)
        let router = buildRelancesRouter(store: store, sender: sender, configuration: configuration)
        var serverConfig = HTTPServerConfiguration()
        serverConfig.logger = logger
        let service = relancesService(router: router, configuration: configuration)
        serverConfig.admission = service.admission
        let server = HTTPServer(configuration: serverConfig, handler: service.handler)
        return (server, try server.start())
    }

    /// `contribuables` taxpayers and `relances` relances over the past year, every type,
    /// one in ten `unsent` (`en_attente`, or `annulee` to leave a scheduler nothing to
    /// do), one in ten `echec`, the rest `envoyee`; one in seven answered.
    static func fill(_ database: Database, contribuables: Int = 100_000, relances: Int = relances, unsent: String = "en_attente") throws {
        let now = ISO8601.string(from: Date())
        try database.transaction { (s: Session) throws(StoreError) in
            try s.run("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
                INSERT INTO contribuable (nom, prenom, telephone, email, adresse, actif, created_at)
                SELECT 'NOM' || i, 'Prénom', '07' || printf('%07d', i), 'c' || i || '@exemple.ga', 'BP ' || i || ', Libreville', 1, ?1 FROM n
                """, [.text(now), .int(Int64(contribuables))])
            try s.run("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
                INSERT INTO relance (contribuable_id, type_relance, statut, message, montant_due, date_planifiee, canal_envoi, canal,
                                     reponse_recue, notes, created_at, updated_at)
                SELECT i % ?3 + 1, CASE i % 3 WHEN 0 THEN 'sms' WHEN 1 THEN 'email' ELSE 'courrier' END,
                       CASE i % 10 WHEN 0 THEN ?4 WHEN 1 THEN 'echec' ELSE 'envoyee' END,
                       'Rappel : Vous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026', 500000,
                       strftime('%Y-%m-%dT%H:%M:%SZ', ?1, '-' || (i % 365) || ' days', '-' || (i % 86400) || ' seconds'),
                       '066123456', CASE WHEN i % 10 >= 2 THEN CASE i % 3 WHEN 0 THEN 'ventis-sms' WHEN 1 THEN 'email-stub' ELSE 'courrier' END END,
                       i % 7 = 0, CASE WHEN i % 10 >= 2 THEN 'SMS envoyé via Ventis. UUID: ' || i END, ?1, ?1
                FROM n
                """, [.text(now), .int(Int64(relances)), .int(Int64(contribuables)), .text(unsent)])
        }
    }

    static func milliseconds(_ text: String) -> Double? {
        guard let value = Double(text.filter { $0.isNumber || $0 == "." }) else { return nil }
        if text.hasSuffix("us") { return value / 1000 }
        if text.hasSuffix("ms") { return value }
        if text.hasSuffix("s") { return value * 1000 }
        return nil
    }
}
