import Channels
import Foundation
import Gateway
import Relances

enum SendCommand: Command {
    static let name = "send"
    static let summary = "Send one relance, or every pending one"
    static let help = """
        usage: relances send ID [options]
               relances send --pending [--limit N] [--max-in-flight N] [options]

        Sends through the configured routes. A relance already sent is refused; one in
        echec may be sent again. --pending sends every en_attente relance whose planned
        date has come, oldest first, scheduled or not: it is an operator's explicit word
        (serve's scheduler sends only the scheduled ones; see `relances programmer`).

          --pending            every pending relance that is due
          --limit N            at most N of them (default 10000)
          --max-in-flight N    sends at once (default 16)
        \(StoreOptions.help)
        \(GatewayOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let gateway = try GatewayOptions(&arguments)
        let pending = arguments.flag("pending")
        let limit = try arguments.int("limit", default: 10_000, in: 1...10_000_000)
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        let id = arguments.positional()
        try arguments.finish()
        guard pending != (id != nil) else { throw UsageError("give one relance ID, or --pending") }

        let logger = gateway.logger
        let dispatcher = try gateway.dispatcher(logger: logger)
        let opened = try store.open()
        let sender = RelanceSender(store: opened, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun), logger: logger)
        if let id {
            guard let number = Int64(id) else { throw UsageError("'\(id)' is not a relance id") }
            let report = await sender.send(number)
            await dispatcher.close()
            switch report {
            case .done(let r):
                print("relance \(r.id): \(r.statut.rawValue) — \(r.notes ?? "")")
                return r.statut == .envoyee ? 0 : 1
            case .refused(let why):
                print("relance \(number) non envoyée : \(why)")
                return 1
            case .storeFailed(let why):
                print("relance \(number) : \(why)")
                return 1
            case .notFound:
                print("Relance non trouvée : \(number)")
                return 1
            case .deferred(let r):
                print("relance \(r.id) hors plage d'envoi : reportée au \(ISO8601.string(from: r.datePlanifiee))")
                return 0
            case .rehearsed(let r):
                print("relance \(r.id): dry run, written to \(GatewaySetup.dryRunPath); still \(r.statut.rawValue)")
                return 0
            }
        }
        let ids = try opened.pending(limit: limit, now: Date(), types: sender.routedTypes, scheduledOnly: false)
        return await Output.sendBatch(ids, with: sender, inFlight: inFlight, heading: "\(ids.count) relance(s) en attente : ",
                                      leftAs: "as they were")
    }
}
