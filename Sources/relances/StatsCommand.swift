import Foundation
import Gateway
import Relances

enum StatsCommand: Command {
    static let name = "stats"
    static let summary = "Afficher les statistiques des relances"
    static let help = """
        usage : relances stats [--date-debut AAAA-MM-JJ] [--date-fin AAAA-MM-JJ] [--json] [--db FICHIER]

        Les statistiques de la page : totaux par statut, taux de réponse, nombre par type
        et par canal.

          --date-debut, --date-fin AAAA-MM-JJ
                                 la période, selon la date prévue de chaque relance
          --json                 les chiffres en JSON
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let from = try arguments.option("date-debut"), to = try arguments.option("date-fin")
        for (name, value) in [("date_debut", from), ("date_fin", to)] where value != nil && CivilDate.parse(value!) == nil {
            throw UsageError("Format de \(name) invalide. Utilisez AAAA-MM-JJ")
        }
        let json = arguments.flag("json")
        try arguments.finish()
        let stats = try store.open().statistics(from: from, to: to)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(stats), as: UTF8.self))
            return 0
        }
        print("Total relances      \(stats.totalRelances)")
        print("Envoyées            \(stats.relancesEnvoyees)")
        print("En attente          \(stats.relancesEnAttente)")
        print("Échecs              \(stats.relancesEchec)")
        print("Avec réponse        \(stats.relancesAvecReponse)")
        print("Taux de réponse     \(stats.tauxReponse) %")
        print("Par type            " + stats.parType.keys.sorted().map { "\($0) \(stats.parType[$0]!)" }.joined(separator: ", "))
        print("Par canal           " + (stats.parCanal.isEmpty ? "-" : stats.parCanal.keys.sorted().map { "\($0) \(stats.parCanal[$0]!)" }.joined(separator: ", ")))
        return 0
    }
}
