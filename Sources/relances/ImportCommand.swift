import Foundation
import Relances

enum ImportCommand: Command {
    static let name = "import"
    static let summary = "Importer contribuables, taxes, affectations ou paiements (CSV)"
    static let help = """
        usage : relances import contribuables|taxes|affectations|paiements FICHIER [--db FICHIER]

        Un fichier CSV avec une ligne d'en-tête, tel qu'un tableur l'enregistre :
        séparateur `;` ou `,` (reconnu tout seul), UTF-8 (avec ou sans BOM) ou
        Windows-1252 (le « CSV » d'Excel, converti, et le résumé le dit). Les en-têtes
        s'écrivent comme on veut : « Prénom », « PRENOM » et « prenom » se valent,
        « Date début » est date_debut.
        Colonnes (obligatoires, puis facultatives) :
          contribuables  nom ; prenom, telephone, email, adresse, actif, reference (ou matricule, numero)
          taxes          nom, montant, periodicite (journaliere|hebdomadaire|mensuelle|trimestrielle)
          affectations   contribuable_id (ou contribuable_reference, matricule), taxe_id (ou taxe : son nom),
                         date_debut ; date_fin, montant_custom, actif
          paiements      contribuable_id (ou contribuable_reference, matricule), taxe_id (ou taxe), montant,
                         date_collecte ; statut, annule, reference (le numéro de reçu)
        Montants : 5000, 5000.50 ou 5 000,50. Dates : 01/09/2026 ou 2026-09-01. Oui/non : oui/non, true/false, 1/0.
        Une ligne fausse est signalée avec son numéro, et rien du fichier n'est importé.
        Réimporter un fichier ne double rien : chaque ligne est retrouvée par sa clé
        (contribuables : reference, sinon mêmes nom, prenom, telephone et email ; taxes : nom ;
        affectations : contribuable, taxe, date_debut ; paiements : reference, sinon contribuable,
        taxe, date_collecte, montant) puis créée, mise à jour ou laissée telle quelle. Un paiement
        effectué annule les relances en attente de la dette qu'il règle.
        Les numéros de téléphone impossibles à corriger sont importés et listés, avec leur ligne.
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        guard let kindName = arguments.positional() else { throw UsageError("dites quoi importer : contribuables, taxes, affectations ou paiements") }
        guard let kind = CSVImporter.Kind(rawValue: kindName) else {
            throw UsageError("impossible d'importer « \(kindName) » ; valeurs possibles : \(CSVImporter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let file = arguments.positional() else { throw UsageError("donnez le fichier CSV à importer") }
        try arguments.finish()
        guard FileManager.default.isReadableFile(atPath: file) else { throw UsageError("impossible de lire \(file)") }
        do {
            let s = try CSVImporter(store: store.open(creating: true)).importFile(atPath: file, as: kind)
            print("\(file) : \(s.rows) \(kind.rawValue) : \(s.created) créé(s), \(s.updated) mis à jour, \(s.unchanged) inchangé(s)")
            if s.windows1252Rows > 0 {
                print("fichier en Windows-1252 (pas en UTF-8) : \(s.windows1252Rows) ligne(s) converties ; vérifiez les accents, "
                      + "ou enregistrez-le au format « CSV UTF-8 » la prochaine fois")
            }
            if !s.warnings.isEmpty {
                print("numéros de téléphone impossibles à corriger (leurs SMS échoueront ; corrigez-les puis réimportez) :")
                for w in s.warnings.prefix(50) { print("  - \(w)") }
                if s.warnings.count > 50 { print("  … et \(s.warnings.count - 50) de plus") }
            }
            return 0
        } catch let failure as CSVImporter.Failure {
            print(failure.description)
            return 1
        }
    }
}
