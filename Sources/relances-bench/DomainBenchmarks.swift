import Channels
import CSQLite
import Foundation
import Gateway
import Relances

/// A database with `count` late debts (one per taxpayer), built in one transaction.
func lateDebtsDatabase(_ count: Int, in folder: URL, name: String) throws -> SQLiteRelanceStore {
    let store = try SQLiteRelanceStore(path: folder.appendingPathComponent(name).path)
    let now = ISO8601.string(from: Date())
    try store.database.transaction { (s: Session) throws(StoreError) in
        try s.run("INSERT INTO taxe (nom, montant, periodicite) VALUES ('Voirie', 500000, 'mensuelle')")
        for i in 0..<count {
            try s.run("INSERT INTO contribuable (nom, prenom, telephone, email, adresse, actif, created_at) VALUES (?,?,?,?,?,1,?)",
                      [.text("NOM\(i)"), .text("Prénom"), .text("07\(String(format: "%07d", i))"), .null, .text("BP \(i), Libreville"), .text(now)])
            try s.run("INSERT INTO affectation_taxe (contribuable_id, taxe_id, date_debut, actif) VALUES (?, 1, ?, 1)",
                      [.int(Int64(i + 1)), .text(RelanceBench.day(-30 - i % 60))])
        }
    }
    return store
}

enum RelanceBench {
    static func day(_ offset: Int) -> String {
        let (y, m, d) = CivilDate.fromDays(Int(Date().timeIntervalSince1970 / 86_400) + offset)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("relances-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Starts the peak-memory count afresh (Linux: 5 to clear_refs resets VmHWM), so a
    /// suite's figure is its own and not the suites' before it.
    static func resetPeakMemory() {
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
    }

    /// Peak resident memory of this process since the last reset, in MB (VmHWM).
    static func peakMemoryMB() -> Double { statusMB("VmHWM") }

    /// A memory figure of `/proc/<pid>/status` (`VmRSS`, `VmHWM`…) in MB; 0 when unreadable.
    static func statusMB(_ field: String, pid: String = "self") -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }
}

/// Generation of 100,000 relances against a bare INSERT … SELECT of the same rows.
enum GenerationBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        let n = 100_000
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try lateDebtsDatabase(n, in: folder, name: "gen.sqlite")
        let bare = try lateDebtsDatabase(n, in: folder, name: "bare.sqlite")

        let started = Date()
        let result = try RelanceGenerator(store: store).generate(.init(joursRetardMin: 7, type: .sms, limite: n))
        let generation = Date().timeIntervalSince(started)

        // The same rows by SQL alone: the same lateness query, the message built in SQL,
        // foreign keys unchecked as the generation's are (like for like).
        let now = ISO8601.string(from: Date())
        let week = ISO8601.string(from: Date().addingTimeInterval(-7 * 86_400))
        let bareStarted = Date()
        _ = try bare.database.transaction(checkingForeignKeys: false) { (s: Session) throws(StoreError) in
            try s.run("""
                INSERT INTO relance (contribuable_id, affectation_taxe_id, type_relance, statut, message, montant_due, date_echeance,
                                     date_planifiee, canal_envoi, created_at, updated_at)
                SELECT a.contribuable_id, a.id, 'sms', 'en_attente',
                       'Rappel : Vous avez une taxe de ' || (COALESCE(a.montant_custom, t.montant) / 100) || '.00 FCFA à payer. Échéance : ' || strftime('%d/%m/%Y', a.date_debut, '+30 days'),
                       COALESCE(a.montant_custom, t.montant), date(a.date_debut, '+30 days') || 'T00:00:00Z', ?1, c.telephone, ?1, ?1
                FROM affectation_taxe a JOIN taxe t ON t.id = a.taxe_id JOIN contribuable c ON c.id = a.contribuable_id
                WHERE a.actif = 1 AND c.actif = 1 AND a.date_debut <= ?2 AND (a.date_fin IS NULL OR a.date_fin >= ?2)
                  AND NOT EXISTS (SELECT 1 FROM info_collecte p WHERE p.contribuable_id = a.contribuable_id AND p.taxe_id = a.taxe_id
                                  AND p.statut = 'completed' AND p.annule = 0 AND p.date_collecte >= a.date_debut)
                  AND NOT EXISTS (SELECT 1 FROM relance r WHERE r.affectation_taxe_id = a.id AND r.date_planifiee >= ?3)
                ORDER BY a.date_debut, a.id
                """, [.text(now), .text(RelanceBench.day(-7)), .text(week)])
        }
        let bareTime = Date().timeIntervalSince(bareStarted)
        let rate = Double(result.created.count) / generation
        let ratio = generation / bareTime
        return [
            BenchmarkRow(name: "generation, 100,000 late debts → relances", figure: "\(formatted(rate)) rows/s",
                         target: "≥ 200,000 rows/s", met: rate >= 200_000, note: "\(result.created.count) created in \(String(format: "%.2f", generation)) s"),
            BenchmarkRow(name: "generation vs bare INSERT … SELECT", figure: String(format: "%.2f×", ratio),
                         target: "≤ 2×", met: ratio <= 2, note: "bare: \(formatted(Double(n) / bareTime)) rows/s"),
        ]
    }
}

/// Generate and send 100,000 relances through the file sink (a dry run), end to end.
enum DryRunBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        let n = 100_000
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        RelanceBench.resetPeakMemory()
        let store = try lateDebtsDatabase(n, in: folder, name: "dry.sqlite")
        let logger = Logger(level: .error)
        let config = try GatewaySetup.config(configFile: "channels/routing.json", dryRun: true, environment: Environment())
        let dispatcher = try config.makeDispatcher(context: ChannelContext(logger: logger, baseDirectory: folder))
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: logger)
        let started = Date()
        let result = try RelanceGenerator(store: store).generate(.init(type: .sms, limite: n))
        let generated = Date().timeIntervalSince(started)
        let summary = await sender.send(result.created, maxInFlight: 64)
        let elapsed = Date().timeIntervalSince(started)
        let rate = Double(summary.sent) / elapsed
        let peak = RelanceBench.peakMemoryMB()

        // The same file sink as a real channel: every claim, attempt and outcome written.
        let recorded = try lateDebtsDatabase(n, in: folder, name: "recorded.sqlite")
        let realConfig = try GatewaySetup.config(configFile: "channels/dry-run.json", environment: Environment())
        let realSender = RelanceSender(store: recorded, runtime: try realConfig.makeRuntime(context: ChannelContext(logger: logger, baseDirectory: folder)),
                                       logger: logger)
        let ids = try RelanceGenerator(store: recorded).generate(.init(type: .sms, limite: n)).created
        let sendStarted = Date()
        let real = await realSender.send(ids, maxInFlight: 64)
        let realRate = Double(real.sent) / Date().timeIntervalSince(sendStarted)
        return [
            BenchmarkRow(name: "file sink as a real channel, 100,000 sends with statuses written", figure: "\(formatted(realRate)) msg/s",
                         note: "\(real.sent) envoyee, \(real.unrecorded) unrecorded; claims and outcomes in group transactions"),
            BenchmarkRow(name: "dry run, generate + send 100,000 through the file sink", figure: "\(formatted(rate)) msg/s",
                         target: "≥ 50,000 msg/s", met: rate >= 50_000, note: "\(summary.sent) sent, \(summary.failed) failed in \(String(format: "%.2f", elapsed)) s (generation \(String(format: "%.2f", generated)) s)"),
            BenchmarkRow(name: "dry run, peak memory (data set built, generated, sent)", figure: String(format: "%.0f MB", peak),
                         target: "≤ 200 MB", met: peak <= 200),
        ]
    }
}
