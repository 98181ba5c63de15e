import Foundation
import Relances

enum ImportCommand: Command {
    static let name = "import"
    static let summary = "Import taxpayers, taxes, assignments or payments from CSV"
    static let help = """
        usage: relances import contribuables|taxes|affectations|paiements FILE [--db FILE]

        UTF-8 CSV with a header row, `;` or `,` separated (as spreadsheets export).
        Columns (required first, then optional):
          contribuables  nom; prenom, telephone, email, adresse, actif, reference (or matricule, numero)
          taxes          nom, montant, periodicite (journaliere|hebdomadaire|mensuelle|trimestrielle)
          affectations   contribuable_id (or contribuable_reference, matricule), taxe_id (or taxe: its nom),
                         date_debut; date_fin, montant_custom, actif
          paiements      contribuable_id (or contribuable_reference, matricule), taxe_id (or taxe), montant,
                         date_collecte; statut, annule, reference (the receipt number)
        Amounts: 5000, 5000.50 or 5 000,50. Dates: YYYY-MM-DD. Booleans: oui/non, true/false, 1/0.
        A bad row is reported with its line number, and nothing from the file is imported.
        Importing a file again never doubles anything: each row is matched by its key
        (contribuables: reference, else same nom, prenom, telephone and email; taxes: nom;
        affectations: contribuable, taxe, date_debut; paiements: reference, else contribuable,
        taxe, date_collecte, montant) and created, updated or left unchanged. A completed
        payment cancels the pending relances of the debt it settles.
        Phone numbers that cannot be made valid are imported and listed, with their line.
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        guard let kindName = arguments.positional() else { throw UsageError("name what to import: contribuables, taxes, affectations or paiements") }
        guard let kind = CSVImporter.Kind(rawValue: kindName) else {
            throw UsageError("cannot import '\(kindName)'; valid: \(CSVImporter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let file = arguments.positional() else { throw UsageError("name the CSV file to import") }
        try arguments.finish()
        guard FileManager.default.isReadableFile(atPath: file) else { throw UsageError("cannot read \(file)") }
        do {
            let s = try CSVImporter(store: store.open(creating: true)).importFile(atPath: file, as: kind)
            print("\(file): \(s.rows) \(kind.rawValue): \(s.created) created, \(s.updated) updated, \(s.unchanged) unchanged")
            if !s.warnings.isEmpty {
                print("phone numbers that cannot be made valid (their SMS will fail; put them right and import again):")
                for w in s.warnings.prefix(50) { print("  - \(w)") }
                if s.warnings.count > 50 { print("  … and \(s.warnings.count - 50) more") }
            }
            return 0
        } catch let failure as CSVImporter.Failure {
            print(failure.description)
            return 1
        }
    }
}
