import Foundation
import Gateway
import Relances

enum ListCommand: Command {
    static let name = "list"
    static let summary = "Lister les relances (mêmes filtres que l'API)"
    static let help = """
        usage : relances list [--type T] [--statut S] [--contribuable ID] [--date-debut AAAA-MM-JJ]
                              [--date-fin AAAA-MM-JJ] [--skip N] [--limite N] [--db FICHIER]

        Les plus récemment prévues d'abord, comme l'API. « programmée » marque une relance
        en attente qu'un agent a programmée : `serve` l'envoie à sa date ; les autres
        attendent qu'on les envoie ou les programme.
          --type T               sms, email, courrier, appel ou visite
          --statut S             en_attente, envoi_en_cours, envoyee, echec ou annulee
          --contribuable ID      les relances d'un contribuable (son numéro)
          --date-debut, --date-fin AAAA-MM-JJ
                                 la période, selon la date prévue de chaque relance
          --skip N               sauter les N premières (par défaut : 0)
          --limite N             au plus N lignes, de 1 à 1000 (par défaut : 100)
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        var filter = RelanceFilter()
        if let t = try arguments.choice("type", among: RelanceType.allCases.map(\.rawValue)) { filter.type = RelanceType(rawValue: t) }
        if let s = try arguments.choice("statut", among: RelanceStatut.allCases.map(\.rawValue)) { filter.statut = RelanceStatut(rawValue: s) }
        if let c = try arguments.option("contribuable") {
            guard let id = Int64(c) else { throw UsageError("--contribuable attend le numéro d'un contribuable") }
            filter.contribuableID = id
        }
        for (name, keyPath) in [("date-debut", \RelanceFilter.dateDebut), ("date-fin", \RelanceFilter.dateFin)] {
            if let d = try arguments.option(name) {
                guard CivilDate.parse(d) != nil else { throw UsageError("Format de \(name.replacingOccurrences(of: "-", with: "_")) invalide. Utilisez AAAA-MM-JJ") }
                filter[keyPath: keyPath] = d
            }
        }
        filter.skip = try arguments.int("skip", default: 0, in: 0...Int(Int32.max))
        filter.limit = try arguments.int("limite", alias: "limit", default: 100, in: 1...1000)
        try arguments.finish()
        let (items, total) = try store.open().list(filter)
        print("\(total) relance(s)\(total > items.count ? ", \(items.count) affichée(s) à partir de la \(filter.skip + 1)e" : "")")
        for r in items {
            let who = "\(r.contribuable?.prenom ?? "") \(r.contribuable?.nom ?? "")".trimmingCharacters(in: .whitespaces)
            print([String(r.id).padding(toLength: 6, withPad: " ", startingAt: 0),
                   r.type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                   r.statut.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0),
                   // Scheduled by an operator: the scheduler sends it at its date.
                   (r.programmee && r.statut == .enAttente ? "programmée" : "").padding(toLength: 10, withPad: " ", startingAt: 0),
                   "\(r.montantDue.texte) FCFA".padding(toLength: 15, withPad: " ", startingAt: 0),
                   String(ISO8601.string(from: r.datePlanifiee).prefix(16)),
                   who.padding(toLength: 24, withPad: " ", startingAt: 0),
                   r.statut == .echec ? (r.notes ?? "") : (r.canalEnvoi ?? "")].joined(separator: " "))
        }
        return 0
    }
}
