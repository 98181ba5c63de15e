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
