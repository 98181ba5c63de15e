import Foundation
import Gateway
import Relances

enum ListCommand: Command {
    static let name = "list"
    static let summary = "List relances with the API's filters"
    static let help = """
        usage: relances list [--type T] [--statut S] [--contribuable ID] [--date-debut YYYY-MM-DD]
                             [--date-fin YYYY-MM-DD] [--skip N] [--limit N] [--db FILE]

        Newest planned first, as the API lists them. « programmée » marks a pending
        relance an operator scheduled: `serve` sends it at its planned date; the other
        pending ones wait for someone to send or schedule them.
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        var filter = RelanceFilter()
        if let t = try arguments.option("type") {
            guard let type = RelanceType(rawValue: t) else { throw UsageError("Type de relance invalide: '\(t)'") }
            filter.type = type
        }
        if let s = try arguments.option("statut") {
            guard let statut = RelanceStatut(rawValue: s) else { throw UsageError("Statut invalide: '\(s)'") }
            filter.statut = statut
        }
        if let c = try arguments.option("contribuable") {
            guard let id = Int64(c) else { throw UsageError("--contribuable takes an id") }
            filter.contribuableID = id
        }
        for (name, keyPath) in [("date-debut", \RelanceFilter.dateDebut), ("date-fin", \RelanceFilter.dateFin)] {
            if let d = try arguments.option(name) {
                guard CivilDate.parse(d) != nil else { throw UsageError("Format de \(name.replacingOccurrences(of: "-", with: "_")) invalide. Utilisez YYYY-MM-DD") }
                filter[keyPath: keyPath] = d
            }
        }
        filter.skip = try arguments.int("skip", default: 0, in: 0...Int(Int32.max))
        filter.limit = try arguments.int("limit", default: 100, in: 1...1000)
        try arguments.finish()
        let (items, total) = try store.open().list(filter)
        print("\(total) relance(s)\(total > items.count ? ", \(items.count) shown from \(filter.skip)" : "")")
        for r in items {
            let who = "\(r.contribuable?.prenom ?? "") \(r.contribuable?.nom ?? "")".trimmingCharacters(in: .whitespaces)
            print([String(r.id).padding(toLength: 6, withPad: " ", startingAt: 0),
                   r.type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                   r.statut.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0),
                   // Scheduled by an operator: the scheduler sends it at its date.
                   (r.programmee && r.statut == .enAttente ? "programmée" : "").padding(toLength: 10, withPad: " ", startingAt: 0),
                   "\(r.montantDue) FCFA".padding(toLength: 15, withPad: " ", startingAt: 0),
                   String(ISO8601.string(from: r.datePlanifiee).prefix(16)),
                   who.padding(toLength: 24, withPad: " ", startingAt: 0),
                   r.statut == .echec ? (r.notes ?? "") : (r.canalEnvoi ?? "")].joined(separator: " "))
        }
        return 0
    }
}
