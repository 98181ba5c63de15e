import Foundation
import Relances
import Testing

@Suite struct CSVImportTests {
    @Test func spreadsheetExportsImport() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        let people = "\u{FEFF}nom;prenom;telephone;adresse\r\nNZE;Éléonore;06 61 23 45 67;\"BP 12; Akébé\r\nLibreville\"\r\n\"OBAME \"\"fils\"\"\";Paul;;\r\n"
        #expect(try importer.importCSV(people, as: .contribuables).created == 2)
        let second = try #require(try store.contribuable(2))
        #expect(second.nom == "OBAME \"fils\"" && second.telephone == nil)
        #expect(try store.contribuable(1)?.adresse == "BP 12; Akébé\nLibreville")
        #expect(try importer.importCSV("nom,montant,periodicite\nVoirie,\"5 000,50\",mensuelle\n", as: .taxes).created == 1)
        #expect(try importer.importCSV("contribuable_id,taxe_id,date_debut,montant_custom\n1,1,2026-10-01,\n2,1,2026-10-02,1500\n", as: .affectations).created == 2)
    }

    @Test func badRowsAreReportedWithLineNumbersAndNothingIsImported() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        let csv = "nom,montant,periodicite\nVoirie,5000,mensuelle\nMarché,abc,mensuelle\nTaxi,100,annuelle\nEnseigne,1.234,mensuelle\n"
        do {
            _ = try importer.importCSV(csv, as: .taxes, file: "taxes.csv")
            Issue.record("a bad file was imported")
        } catch let failure as CSVImporter.Failure {
            #expect(failure.problems == [
                "taxes.csv: line 3: montant 'abc' is not an amount (e.g. 5000 or 5000.50)",
                "taxes.csv: line 4: periodicite 'annuelle' must be one of journaliere, hebdomadaire, mensuelle, trimestrielle",
                "taxes.csv: line 5: montant '1.234' is not an amount (e.g. 5000 or 5000.50)",
            ])
        }
        let count = try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("SELECT COUNT(*) FROM taxe") { $0.int(0) } }
        #expect(count == 0)
    }

    @Test func unknownReferencesAndColumnsAreRefusedWhole() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        _ = try importer.importCSV("nom\nA\n", as: .contribuables)
        _ = try importer.importCSV("nom;montant;periodicite\nV;10;mensuelle\n", as: .taxes)
        do {
            _ = try importer.importCSV("contribuable_id;taxe_id;date_debut\n1;1;2026-01-01\n99;1;2026-01-01\n", as: .affectations, file: "a.csv")
            Issue.record("an unknown contribuable was imported")
        } catch let failure as CSVImporter.Failure {
            #expect(failure.problems == ["a.csv: line 3: unknown contribuable_id or taxe_id"])
        }
        let count = try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("SELECT COUNT(*) FROM affectation_taxe") { $0.int(0) } }
        #expect(count == 0)
        #expect(throws: CSVImporter.Failure.self) { try importer.importCSV("nom;phone\nA;1\n", as: .contribuables) }
        #expect(throws: CSVImporter.Failure.self) { try importer.importCSV("nom\n\"never closed\n", as: .contribuables) }
        #expect(throws: CSVImporter.Failure.self) { try importer.importCSV("", as: .contribuables) }
    }
}
