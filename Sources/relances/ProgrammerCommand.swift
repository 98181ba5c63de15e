import Foundation
import Gateway
import Relances

enum ProgrammerCommand: Command {
    static let name = "programmer"
    static let summary = "Schedule a pending relance: serve sends it at that date"
    static let help = """
        usage: relances programmer ID --at YYYY-MM-DDTHH:MM:SSZ [--db FILE]

        « Programmer », as PATCH /api/relances/{id}/programmer: the relance (en_attente,
        or echec to try again) becomes scheduled for that date, and `relances serve`'s
        scheduler sends it when the date comes. Generated relances and those created
        without a date are never sent by the scheduler until scheduled. A relance sent,
        cancelled or being sent is refused.

          --at DATE   when to send it (ISO-8601, UTC unless an offset is given)
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        guard let text = try arguments.option("at") else { throw UsageError("give the date to send it: --at 2026-12-01T08:00:00Z") }
        let id = arguments.positional()
        try arguments.finish()
        guard let id, let number = Int64(id) else { throw UsageError("give one relance id") }
        guard let at = ISO8601.date(from: text) else { throw UsageError("--at takes an ISO-8601 date, e.g. 2026-12-01T08:00:00Z, not '\(text)'") }
        guard at > Date().addingTimeInterval(-60) else { throw UsageError("--at \(text) is past: to send now, use `relances send \(number)`") }
        let opened = try store.open()
        do throws(StoreError) {
            guard let r = try opened.schedule(number, at: at, now: Date(), acteur: nil) else {
                print("Relance non trouvée : \(number)")
                return 1
            }
            print("relance \(r.id): programmée pour le \(ISO8601.string(from: r.datePlanifiee))")
            return 0
        } catch .conflict(let why) {
            print("relance \(number) non programmée : \(why)")
            return 1
        }
    }
}
