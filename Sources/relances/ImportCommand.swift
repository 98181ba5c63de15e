import Foundation
import Relances

enum ImportCommand: Command {
    static let name = "import"
    static let summary = "Import taxpayers, taxes, assignments or payments from CSV"
    static let help = """
        usage: relances import contribuables|taxes|affectations|paiements FILE [--db FILE]

        UTF-8 CSV with a header row, `;` or `,` separated (as spreadsheets export).
        Columns (required first, then optional):
          contribuables  nom; prenom, telephone, email, adresse, actif
          taxes          nom, montant, periodicite (journaliere|hebdomadaire|mensuelle|trimestrielle)
          affectations   contribuable_id, taxe_id, date_debut; date_fin, montant_custom, actif
          paiements      contribuable_id, taxe_id, montant, date_collecte; statut, annule
        Amounts: 5000, 5000.50 or 5 000,50. Dates: YYYY-MM-DD. Booleans: oui/non, true/false, 1/0.
        A bad row is reported with its line number, and nothing from the file is imported.
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
        guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
        guard let text = String(data: data, encoding: .utf8) else {
            print("\(file): not UTF-8; save it from the spreadsheet as « CSV UTF-8 »")
            return 1
        }
        do {
            let n = try CSVImporter(store: store.open()).importCSV(text, as: kind, file: file)
            print("\(file): \(n) \(kind.rawValue) imported")
            return 0
        } catch let failure as CSVImporter.Failure {
            print(failure.description)
            return 1
        }
    }
}
