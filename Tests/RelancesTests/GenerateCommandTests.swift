import Foundation
import Gateway
import Relances
import Testing

/// `relances generate` without `--envoyer` run where there is no routing config.
@Suite struct GenerateCommandTests {
    /// No `--config` and no `channels/routing.json`: creating relances needs no channel,
    /// so it works, with the office's built-in texts.
    @Test(.timeLimit(.minutes(1)))
    func creatingWithoutAConfigUsesTheBuiltInTexts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("out.log")
        #expect(try await RelancesProgram.run(["generate", "--db", "x.sqlite"], directory: folder, output: log) == 0)
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(output.contains("0 relance(s) sms générée(s)"), "\(output)")

        // With a late debt, the relance is created with the office's text.
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("x.sqlite").path)
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "0661234567"))
        let taxe = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        _ = try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-30, from: Date())))
        #expect(try await RelancesProgram.run(["generate", "--db", "x.sqlite"], directory: folder, output: log) == 0)
        let again = try String(contentsOf: log, encoding: .utf8)
        #expect(again.contains("1 relance(s) sms générée(s)"), "\(again)")
        let created = try #require(try store.relance(1))
        #expect(created.message.hasPrefix("Jean NZE, votre voirie de 5 000 FCFA (échéance "), "\(created.message)")
    }

    /// A config named by `--config` must be there: a typo is an error, not the defaults.
    @Test(.timeLimit(.minutes(1)))
    func aMissingConfigGivenByNameIsAnError() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("out.log")
        let status = try await RelancesProgram.run(["generate", "--db", "x.sqlite", "--config", "routing.json"], directory: folder, output: log)
        #expect(status != 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("routing.json"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.sqlite").path))   // checked before the store is opened
    }
}

/// `relances generate --tout`: a whole campaign in one run.
@Suite struct GenerateAllCommandTests {
    /// More late debts than one chunk: every one gets its relance, a progress line per
    /// chunk goes to standard error, and the debts without a phone are counted.
    @Test(.timeLimit(.minutes(2)))
    func toutCreatesARelanceForEveryLateDebt() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("generate-all-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("x.sqlite").path)
        let debts = 10_050
        try store.database.transaction { (s: Session) throws(StoreError) in
            try s.run("INSERT INTO taxe (nom, montant, periodicite) VALUES ('Voirie', 500000, 'mensuelle')")
            try s.run("""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                INSERT INTO contribuable (nom, prenom, telephone, actif, created_at)
                SELECT 'NOM' || i, 'P', CASE WHEN i % 1000 = 0 THEN NULL ELSE '066' || printf('%07d', i) END, 1, '2026-01-01T00:00:00Z' FROM n
                """, [.int(Int64(debts))])
            try s.run("""
                INSERT INTO affectation_taxe (contribuable_id, taxe_id, date_debut, actif)
                SELECT id, 1, date('now', '-' || (30 + id % 60) || ' days'), 1 FROM contribuable
                """)
        }
        let log = folder.appendingPathComponent("out.log")
        #expect(try await RelancesProgram.run(["generate", "--db", "x.sqlite", "--tout"], directory: folder, output: log, timeout: 100) == 0)
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(output.contains("10040 relance(s) sms générée(s) ; 10 dette(s) sans adresse pour ce type"), "\(output)")
        #expect(output.contains("10000 relance(s) générée(s) en"), "\(output)")
        #expect(try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("SELECT COUNT(*) FROM relance") { $0.int(0) } } == 10_040)

        // --limite beside --tout is a contradiction, said as one.
        #expect(try await RelancesProgram.run(["generate", "--db", "x.sqlite", "--tout", "--limite", "5"], directory: folder, output: log) != 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("retirez --limite"))
    }
}
