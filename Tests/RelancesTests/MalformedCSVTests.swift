import Foundation
import Relances
import Testing

/// Spreadsheet exports broken in the ways they break: each file is refused whole with
/// its line and what is wrong, and no table gains or loses a row.
@Suite struct MalformedCSVTests {
    static func counts(_ store: SQLiteRelanceStore) throws -> [String: Int64] {
        try store.database.withConnection { (s: Session) throws(StoreError) in
            var out: [String: Int64] = [:]
            for table in ["contribuable", "taxe", "affectation_taxe", "info_collecte", "relance", "dossier_impaye"] {
                out[table] = try s.row("SELECT COUNT(*) FROM \(table)") { $0.int(0) } ?? -1
            }
            return out
        }
    }

    /// A store with two taxpayers and one tax, so references can be right or wrong.
    static func store() throws -> (SQLiteRelanceStore, CSVImporter) {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        _ = try importer.importCSV("nom;prenom\nNZE;Éléonore\nOBAME;Paul\n", as: .contribuables)
        _ = try importer.importCSV("nom;montant;periodicite\nVoirie;5000;mensuelle\n", as: .taxes)
        return (store, importer)
    }

    /// (kind, file, words the single reported problem must contain)
    static let cases: [(CSVImporter.Kind, String, [String])] = {
        var out: [(CSVImporter.Kind, String, [String])] = []
        // Whole-file breakage, for every kind.
        for kind in CSVImporter.Kind.allCases {
            // Two columns at least, so the separator is known from the header.
            let columns = kind.columns.required.count > 1 ? kind.columns.required : kind.columns.required + [kind.columns.optional[0]]
            let header = columns.joined(separator: ";")
            out.append((kind, "", ["empty"]))
            out.append((kind, "\u{FEFF}", ["empty"]))
            out.append((kind, "\n\n", ["empty"]))
            out.append((kind, "\(header)\n\"jamais fermé;x\n", ["line 2", "never closed"]))
            out.append((kind, "colonne_inconnue\nx\n", ["line 1", "missing column '\(kind.columns.required[0])'"]))
            out.append((kind, "\(header);en_trop\n", ["line 1", "unknown column 'en_trop'"]))
            out.append((kind, "\(header);\n", ["line 1", "unknown column ''"]))
            out.append((kind, "\(header);\(kind.columns.required[0])\n", ["line 1", "'\(kind.columns.required[0])'", "twice"]))
            out.append((kind, "\(header)\n" + columns.map { _ in "1" }.joined(separator: ";") + ";1;1\n", ["line 2", "field(s), the header has"]))
            out.append((kind, "\(header)\nseul\n", ["line 2", "1 field(s)"]))
        }
        // Row by row: each column's bad values.
        out += [
            (.contribuables, "nom;prenom\n;Paul\n", ["line 2", "nom is empty"]),
            (.contribuables, "nom;actif\nA;peut-être\n", ["line 2", "actif 'peut-être'"]),
            (.taxes, "nom;montant;periodicite\n;5000;mensuelle\n", ["line 2", "nom is empty"]),
            (.taxes, "nom;montant;periodicite\nV;-5;mensuelle\n", ["line 2", "montant '-5'"]),
            (.taxes, "nom;montant;periodicite\nV;5000 FCFA;mensuelle\n", ["line 2", "montant '5000 FCFA'"]),
            (.taxes, "nom;montant;periodicite\nV;99999999999999;mensuelle\n", ["line 2", "montant '99999999999999'"]),
            (.taxes, "nom;montant;periodicite\nV;;mensuelle\n", ["line 2", "montant ''"]),
            (.taxes, "nom;montant;periodicite\nV;5000;annuelle\n", ["line 2", "periodicite 'annuelle'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n0;1;2026-01-01\n", ["line 2", "contribuable_id '0' is not an id"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n-1;1;2026-01-01\n", ["line 2", "contribuable_id '-1'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\nNZE;1;2026-01-01\n", ["line 2", "contribuable_id 'NZE'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n99999999999999999999;1;2026-01-01\n", ["line 2", "contribuable_id"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n1;x;2026-01-01\n", ["line 2", "taxe_id 'x'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n1;1;2026-02-30\n", ["line 2", "date_debut '2026-02-30'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n1;1;31/02/2026\n", ["line 2", "date_debut '31/02/2026'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n1;1;\n", ["line 2", "date_debut ''"]),
            (.affectations, "contribuable_id;taxe_id;date_debut;date_fin\n1;1;2026-01-01;bientôt\n", ["line 2", "date_fin 'bientôt'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut;date_fin\n1;1;2026-03-01;2026-01-31\n", ["line 2", "date_fin", "before"]),
            (.affectations, "contribuable_id;taxe_id;date_debut;montant_custom\n1;1;2026-01-01;-100\n", ["line 2", "montant_custom '-100'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut;actif\n1;1;2026-01-01;2\n", ["line 2", "actif '2'"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n1;1;2026-01-01\n3;1;2026-01-01\n", ["line 3", "unknown contribuable_id or taxe_id"]),
            (.affectations, "contribuable_id;taxe_id;date_debut\n1;2;2026-01-01\n", ["line 2", "unknown contribuable_id or taxe_id"]),
            (.paiements, "contribuable_id;taxe_id;montant;date_collecte\n1;1;abc;2026-01-01\n", ["line 2", "montant 'abc'"]),
            (.paiements, "contribuable_id;taxe_id;montant;date_collecte\n1;1;100;hier\n", ["line 2", "date_collecte 'hier'"]),
            (.paiements, "contribuable_id;taxe_id;montant;date_collecte;statut\n1;1;100;2026-01-01;payé\n", ["line 2", "statut 'payé'"]),
            (.paiements, "contribuable_id;taxe_id;montant;date_collecte;annule\n1;1;100;2026-01-01;peut-être\n", ["line 2", "annule 'peut-être'"]),
            (.paiements, "contribuable_id;taxe_id;montant;date_collecte\n1;9;100;2026-01-01\n", ["line 2", "unknown contribuable_id or taxe_id"]),
        ]
        return out
    }()

    @Test func eachBadFileIsRefusedWholeNamingItsLineAndProblem() throws {
        let (store, importer) = try Self.store()
        var before = try Self.counts(store)
        var report: [String] = []
        for (kind, text, words) in Self.cases {
            let name = "\(kind.rawValue): \(text.prefix(70).debugDescription)"
            do {
                let n = try importer.importCSV(text, as: kind, file: "import.csv")
                report.append("\(name): imported \(n)")
            } catch let failure as CSVImporter.Failure {
                let shown = failure.problems.joined(separator: " | ")
                let missing = (["import.csv"] + words).filter { !shown.contains($0) }
                if !missing.isEmpty { report.append("\(name): « \(shown) » lacks \(missing)") }
            }
            let after = try Self.counts(store)
            if after != before { report.append("\(name): changed the row counts"); before = after }
        }
        #expect(report.isEmpty, "\(report.count) of \(Self.cases.count):\n\(report.joined(separator: "\n"))")
        #expect(Self.cases.count >= 60)
    }

    /// One bad row at the end of a big file: none of the good rows before it is kept,
    /// whether the row is caught by the checks or by the database (a reference).
    @Test func oneBadRowAfterThousandsImportsNothing() throws {
        let (store, importer) = try Self.store()
        let before = try Self.counts(store)
        var people = "nom;prenom;telephone\n"
        for i in 0..<5_000 { people += "C\(i);P;066\(1_000_000 + i)\n" }
        #expect(throws: CSVImporter.Failure.self) { try importer.importCSV(people + ";sans nom;0\n", as: .contribuables) }
        var links = "contribuable_id;taxe_id;date_debut\n"
        for _ in 0..<5_000 { links += "1;1;2026-01-01\n" }
        do {
            _ = try importer.importCSV(links + "424242;1;2026-01-01\n", as: .affectations, file: "a.csv")
            Issue.record("a file with an unknown taxpayer was imported")
        } catch let failure as CSVImporter.Failure {
            #expect(failure.problems == ["a.csv: line 5002: unknown contribuable_id or taxe_id"])
        }
        #expect(try Self.counts(store) == before)
        // The same files, put right, import whole.
        #expect(try importer.importCSV(people, as: .contribuables).created == 5_000)
        // 5,000 times the same assignment is one assignment (a doubled one gave two SMS).
        #expect(try importer.importCSV(links, as: .affectations) == CSVImporter.Summary(created: 1, unchanged: 4_999))
    }

    /// Through the program: a bad or non-UTF-8 file exits 1 with the problems and
    /// leaves the database as it was.
    @Test(.timeLimit(.minutes(1)))
    func theImportCommandRefusesABadFileAndChangesNothing() async throws {
        let (store, folder) = try temporaryStore()
        _ = try CSVImporter(store: store).importCSV("nom\nA\n", as: .contribuables)
        let before = try Self.counts(store)
        let bad = folder.appendingPathComponent("bad.csv")
        try Data("nom;montant;periodicite\nVoirie;5000;mensuelle\nMarché;abc;mensuelle\n".utf8).write(to: bad)
        let log = folder.appendingPathComponent("import.log")
        #expect(try await RelancesProgram.run(["import", "taxes", bad.path, "--db", store.database.path], output: log) == 1)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("\(bad.path): line 3: montant 'abc' is not an amount"))
        let latin1 = folder.appendingPathComponent("latin1.csv")
        // A byte that is neither UTF-8 nor Windows-1252 (0x81): refused, with what to do.
        try Data([0x6E, 0x6F, 0x6D, 0x0A, 0x4E, 0x81, 0x0A]).write(to: latin1)
        #expect(try await RelancesProgram.run(["import", "contribuables", latin1.path, "--db", store.database.path], output: log) == 1)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("CSV UTF-8"))
        #expect(try Self.counts(store) == before)
    }
}
