import Foundation
import Gateway
import Relances
import Testing

/// Importing the office's files again never doubles anything, and a payment ends the
/// reminders of the debt it pays.
@Suite struct ImportKeysTests {
    static func count(_ store: SQLiteRelanceStore, _ table: String) throws -> Int64 {
        try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("SELECT COUNT(*) FROM \(table)") { $0.int(0) } ?? -1 }
    }

    static let people = "matricule;nom;prenom;telephone\nM-001;NZE;Jean;077 12 34 56\nM-002;OBAME;Paul;066 12 34 56\n"
    static let taxes = "nom;montant;periodicite\nVoirie;5000;mensuelle\nMarché;500;journaliere\n"
    /// Named by the office's keys, not this database's row numbers.
    static let links = "matricule;taxe;date_debut\nM-001;Voirie;2026-10-01\nM-002;Voirie;2026-10-01\nM-002;Marché;2026-10-15\n"
    static let payments = "contribuable_reference;taxe;montant;date_collecte;reference\nM-002;Marché;500;2026-10-16;R-77\n"

    @Test func reimportingTheSameFilesDoublesNothing() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        #expect(try importer.importCSV(Self.people, as: .contribuables) == .init(created: 2))
        #expect(try importer.importCSV(Self.taxes, as: .taxes) == .init(created: 2))
        #expect(try importer.importCSV(Self.links, as: .affectations) == .init(created: 3))
        #expect(try importer.importCSV(Self.payments, as: .paiements) == .init(created: 1))
        // The same files again: every row found by its key, nothing created.
        #expect(try importer.importCSV(Self.people, as: .contribuables) == .init(unchanged: 2))
        #expect(try importer.importCSV(Self.taxes, as: .taxes) == .init(unchanged: 2))
        #expect(try importer.importCSV(Self.links, as: .affectations) == .init(unchanged: 3))
        #expect(try importer.importCSV(Self.payments, as: .paiements) == .init(unchanged: 1))
        for (table, n) in [("contribuable", 2), ("taxe", 2), ("affectation_taxe", 3), ("info_collecte", 1)] {
            #expect(try Self.count(store, table) == Int64(n), "\(table)")
        }
        // A corrected file updates what changed, in place.
        let moved = Self.people.replacingOccurrences(of: "066 12 34 56", with: "074 00 00 01")
        #expect(try importer.importCSV(moved + "M-003;ELLA;Rosine;\n", as: .contribuables) == .init(created: 1, updated: 1, unchanged: 1))
        #expect(try store.contribuable(2)?.telephone == "074 00 00 01")
        #expect(try importer.importCSV("matricule;taxe;date_debut;date_fin\nM-001;Voirie;2026-10-01;2026-12-31\n", as: .affectations) == .init(updated: 1))
        #expect(try importer.importCSV("contribuable_reference;taxe;montant;date_collecte;reference;annule\nM-002;Marché;500;2026-10-16;R-77;oui\n",
                                       as: .paiements) == .init(updated: 1))
        #expect(try Self.count(store, "contribuable") == 3 && Self.count(store, "info_collecte") == 1)
    }

    /// Files without a reference column: an identical row is the same taxpayer, an
    /// identical payment the same payment.
    @Test func rowsWithoutAReferenceMatchIdenticalOnes() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        let people = "nom;prenom;telephone;email\nNZE;Jean;077 12 34 56;\nNZE;Jean;066 12 34 56;\n"
        #expect(try importer.importCSV(people, as: .contribuables) == .init(created: 2))   // two people of one name
        #expect(try importer.importCSV(people, as: .contribuables) == .init(unchanged: 2))
        _ = try importer.importCSV(Self.taxes, as: .taxes)
        let paid = "contribuable_id;taxe_id;montant;date_collecte\n1;1;5000;2026-10-03\n"
        #expect(try importer.importCSV(paid, as: .paiements) == .init(created: 1))
        #expect(try importer.importCSV(paid, as: .paiements) == .init(unchanged: 1))
        #expect(try Self.count(store, "contribuable") == 2 && Self.count(store, "info_collecte") == 1)
    }

    /// Reported on today's main: the same assignments imported twice gave two SMS for
    /// one debt. Now one assignment, one relance.
    @Test func anAssignmentImportedTwiceGivesOneRelance() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        _ = try importer.importCSV(Self.people, as: .contribuables)
        _ = try importer.importCSV(Self.taxes, as: .taxes)
        let links = "contribuable_id;taxe_id;date_debut\n1;1;\(day(-40))\n"
        _ = try importer.importCSV(links, as: .affectations)
        _ = try importer.importCSV(links, as: .affectations)
        let result = try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(.init(type: .sms))
        #expect(result.created.count == 1)
    }

    @Test func anUnknownKeyIsNamedWithItsLine() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store)
        _ = try importer.importCSV(Self.people, as: .contribuables)
        _ = try importer.importCSV(Self.taxes, as: .taxes)
        do {
            _ = try importer.importCSV("matricule;taxe;date_debut\nM-001;Voirie;2026-10-01\nM-404;Voirie;2026-10-01\nM-001;Taxe inconnue;2026-10-01\n",
                                       as: .affectations, file: "a.csv")
            Issue.record("an unknown key was imported")
        } catch let failure as CSVImporter.Failure {
            #expect(failure.problems == ["a.csv: line 3: unknown contribuable_reference 'M-404' (import the contribuables with their reference first)",
                                         "a.csv: line 4: unknown taxe 'Taxe inconnue'"])
        }
        #expect(try Self.count(store, "affectation_taxe") == 0)
    }

    /// Spaces and tabs around a value (non-breaking ones too, from French documents)
    /// are not part of it; inside, they stay.
    @Test func valuesAreTrimmed() throws {
        let (store, _) = try temporaryStore()
        _ = try CSVImporter(store: store).importCSV("nom;prenom;adresse\n \tNZE\u{00A0};  Jean Paul ;\u{202F}BP 12, Akébé \n", as: .contribuables)
        let who = try #require(try store.contribuable(1))
        #expect(who.nom == "NZE" && who.prenom == "Jean Paul" && who.adresse == "BP 12, Akébé")
    }

    /// A NUL would be cut by SQLite, silently: refused, naming the column and line.
    @Test func aNULCharacterIsRefusedNamingItsColumn() throws {
        let (store, _) = try temporaryStore()
        do {
            _ = try CSVImporter(store: store).importCSV("nom;prenom;adresse\nNZE;Jean;BP 12\u{0}Akébé\n", as: .contribuables, file: "c.csv")
            Issue.record("a NUL was imported")
        } catch let failure as CSVImporter.Failure {
            #expect(failure.problems == ["c.csv: line 2: column 'adresse' contains a NUL character (\\0); remove it and import again"])
        }
        #expect(try Self.count(store, "contribuable") == 0)
    }

    /// Numbers the SMS channel will refuse are imported (the taxpayer is real) and
    /// listed with their line, so someone can put them right.
    @Test func numbersThatCannotBeMadeValidAreListedWithTheirLine() throws {
        let (store, _) = try temporaryStore()
        let summary = try CSVImporter(store: store).importCSV(
            "matricule;nom;telephone\nM-1;NZE;077 12 34 56\nM-2;OBAME;06 61 23 45 67\nM-3;ELLA;\nM-4;MBA;07 7O 12 34 5\n", as: .contribuables, file: "c.csv")
        #expect(summary.created == 4)
        #expect(summary.warnings.count == 2)
        #expect(summary.warnings.first?.hasPrefix("c.csv: line 3: contribuable OBAME (M-2): le numéro « 06 61 23 45 67 » a 10 chiffres") == true)
        #expect(summary.warnings.allSatisfy { $0.contains("« 077 12 34 56 »") })
        #expect(summary.warnings.last?.hasPrefix("c.csv: line 5: contribuable MBA (M-4)") == true)
    }

    /// Nobody is reminded of a debt they paid: a completed payment, however it is
    /// recorded, cancels the pending relances of the debt it settles.
    @Test func aPaymentCancelsThePendingRelancesOfTheDebtItSettles() throws {
        let (store, _) = try temporaryStore()
        let importer = CSVImporter(store: store, clock: ManualClock(fixedNow))
        _ = try importer.importCSV(Self.people, as: .contribuables)
        _ = try importer.importCSV(Self.taxes, as: .taxes)
        _ = try importer.importCSV("matricule;taxe;date_debut\nM-001;Voirie;\(day(-40))\nM-002;Voirie;\(day(-40))\nM-002;Marché;\(day(-30))\n",
                                   as: .affectations)
        let created = try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(.init(type: .sms)).created
        #expect(created.count == 3)
        func statuts() throws -> [String: String] {
            try store.database.withConnection { (s: Session) throws(StoreError) in
                Dictionary(uniqueKeysWithValues: try s.rows("""
                    SELECT c.reference || '/' || t.nom, r.statut || ' ' || COALESCE(r.notes, '') FROM relance r
                    JOIN affectation_taxe a ON a.id = r.affectation_taxe_id JOIN contribuable c ON c.id = a.contribuable_id JOIN taxe t ON t.id = a.taxe_id
                    """) { ($0.text(0), $0.text(1)) })
            }
        }
        // A failed payment settles nothing; a completed one by import cancels that debt's relance only.
        let payments = "matricule;taxe;montant;date_collecte;statut;reference\nM-002;Voirie;5000;\(day(-2));failed;R-1\nM-002;Marché;500;\(day(-1));completed;R-2\n"
        _ = try importer.importCSV(payments, as: .paiements)
        let (y, m, d) = CivilDate.fromDays(Int(fixedNow.timeIntervalSince1970 / 86_400) - 1)
        let paidOn = String(format: "%02d/%02d/%04d", d, m, y)
        #expect(try statuts() == ["M-001/Voirie": "en_attente ", "M-002/Voirie": "en_attente ", "M-002/Marché": "annulee payée le \(paidOn)"])
        // The failed payment put right by a re-import settles its debt too.
        _ = try importer.importCSV(payments.replacingOccurrences(of: "failed", with: "completed"), as: .paiements)
        #expect(try statuts()["M-002/Voirie"]?.hasPrefix("annulee payée le ") == true)
        // Through the store's API as well.
        try store.add(InfoCollecte(contribuableID: 1, taxeID: 1, montant: Montant("5000")!, dateCollecte: day(0) + "T10:00:00Z"), now: fixedNow)
        let (y2, m2, d2) = CivilDate.fromDays(Int(fixedNow.timeIntervalSince1970 / 86_400))
        #expect(try statuts()["M-001/Voirie"] == "annulee payée le \(String(format: "%02d/%02d/%04d", d2, m2, y2))")
    }
}
