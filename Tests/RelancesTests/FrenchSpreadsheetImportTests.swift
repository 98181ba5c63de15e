import Foundation
import Gateway
@testable import Relances
import Testing

/// What a French spreadsheet produces imports as it is: `;`, a BOM, « Prénom »
/// headers, `01/09/2026` dates, and Windows-1252 (Excel's « CSV » on a French
/// Windows), converted and said so.
@Suite struct FrenchSpreadsheetImportTests {
    @Test func accentedHeadersFrenchDatesAndABOMImport() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store, clock: ManualClock(fixedNow))
        let people = "\u{FEFF}Nom;Prénom;Téléphone;E-mail;Matricule\r\nNZE;Éléonore;066 12 34 56;eleonore@exemple.ga;M-001\r\n"
        #expect(try importer.importCSV(people, as: .contribuables).created == 1)
        let who = try #require(try store.contribuable(1))
        #expect(who.prenom == "Éléonore" && who.telephone == "066 12 34 56" && who.email == "eleonore@exemple.ga")
        _ = try importer.importCSV("NOM;Montant;Périodicité\nVoirie;5 000;mensuelle\n", as: .taxes)
        let links = "Matricule;Taxe;Date début;Date fin\nM-001;Voirie;01/09/2026;31/12/2026\n"
        #expect(try importer.importCSV(links, as: .affectations).created == 1)
        let dates = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT date_debut || ' ' || date_fin FROM affectation_taxe") { $0.text(0) }
        }
        #expect(dates == "2026-09-01 2026-12-31")
        // A date that does not exist is still refused, naming both formats.
        #expect(throws: CSVImporter.Failure.self) { try importer.importCSV("matricule;taxe;date_debut\nM-001;Voirie;31/02/2026\n", as: .affectations) }
        // An end before the start, in French dates too.
        #expect(throws: CSVImporter.Failure.self) { try importer.importCSV("matricule;taxe;date_debut;date_fin\nM-001;Voirie;01/09/2026;31/08/2026\n", as: .affectations) }
    }

    @Test func windows1252IsConvertedAndSaidSo() async throws {
        let (store, folder) = try temporaryStore()
        let file = folder.appendingPathComponent("excel.csv")
        // « Prénom;Nom » then « Hervé;N’DONG » in Windows-1252 (é = E9, ’ = 92).
        let bytes: [UInt8] = Array("Pr".utf8) + [0xE9] + Array("nom;Nom\r\nHerv".utf8) + [0xE9] + Array(";N".utf8) + [0x92] + Array("DONG\r\n".utf8)
        try Data(bytes).write(to: file)
        let summary = try CSVImporter(store: store).importFile(atPath: file.path, as: .contribuables)
        #expect(summary.created == 1 && summary.windows1252Rows == 2)
        let who = try #require(try store.contribuable(1))
        #expect(who.prenom == "Hervé" && who.nom == "N’DONG")

        let log = folder.appendingPathComponent("import.log")
        #expect(try await RelancesProgram.run(["import", "contribuables", file.path, "--db", store.database.path], output: log) == 0)
        let said = try String(contentsOf: log, encoding: .utf8)
        #expect(said.contains("Windows-1252") && said.contains("converti"), "\(said)")
    }
}
