import Foundation
import Gateway
import Relances

enum ProgrammerCommand: Command {
    static let name = "programmer"
    static let summary = "Programmer une relance en attente : serve l'envoie à cette date"
    static let help = """
        usage : relances programmer ID --date AAAA-MM-JJTHH:MM:SSZ [--db FICHIER]

        Comme « Programmer » dans la page : la relance (en attente, ou en échec pour
        réessayer) devient programmée pour cette date, et le planificateur de
        `relances serve` l'envoie quand la date arrive. Les relances générées, ou créées
        sans date, ne partent pas avec le planificateur tant qu'on ne les programme pas.
        Une relance envoyée, annulée ou en cours d'envoi est refusée.

          --date DATE            quand l'envoyer (ISO 8601, en UTC sauf décalage indiqué,
                                 par ex. 2026-12-01T08:00:00Z ou 2026-12-01T09:00:00+01:00)
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        // `--at`, its earlier name, still read.
        guard let text = try arguments.option("date") ?? arguments.option("at") else {
            throw UsageError("donnez la date d'envoi : --date 2026-12-01T08:00:00Z")
        }
        let id = arguments.positional()
        try arguments.finish()
        guard let id, let number = Int64(id) else { throw UsageError("donnez le numéro d'une relance, par ex. relances programmer 42 --date 2026-12-01T08:00:00Z") }
        guard let at = ISO8601.date(from: text) else {
            throw UsageError("--date : « \(text) » n'est pas une date ISO 8601 ; attendu par ex. 2026-12-01T08:00:00Z ou 2026-12-01T09:00:00+01:00")
        }
        guard at > Date().addingTimeInterval(-60) else { throw UsageError("--date \(text) est passée : pour envoyer maintenant, utilisez `relances send \(number)`") }
        let opened = try store.open()
        do throws(StoreError) {
            guard let r = try opened.schedule(number, at: at, now: Date(), acteur: nil) else {
                print("Relance non trouvée : \(number)")
                return 1
            }
            print("relance \(r.id) : programmée pour le \(ISO8601.string(from: r.datePlanifiee))")
            return 0
        } catch .conflict(let why) {
            print("relance \(number) non programmée : \(why)")
            return 1
        }
    }
}
