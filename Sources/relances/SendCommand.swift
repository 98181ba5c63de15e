import Channels
import Foundation
import Gateway
import Relances

enum SendCommand: Command {
    static let name = "send"
    static let summary = "Envoyer une relance, ou toutes celles en attente"
    static let help = """
        usage : relances send ID [options]
                relances send --pending [--limite N] [--max-in-flight N] [options]

        Envoie par les canaux configurés. Une relance déjà envoyée est refusée ; une en
        échec peut être renvoyée. --pending envoie toutes les relances en attente dont la
        date prévue est arrivée, les plus anciennes d'abord, programmées ou non : c'est
        la décision explicite d'un agent (le planificateur de serve n'envoie que les
        programmées ; voir `relances programmer`). Plusieurs dettes d'un même contribuable
        partent en un seul message (voir « grouper » dans la configuration).

          --pending              toutes les relances en attente arrivées à échéance
          --limite N             au plus N (par défaut : 10 000)
          --max-in-flight N      envois simultanés, de 1 à 512 (par défaut : 16)
        \(StoreOptions.help)
        \(GatewayOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let gateway = try GatewayOptions(&arguments)
        let pending = arguments.flag("pending")
        let limit = try arguments.int("limite", alias: "limit", default: 10_000, in: 1...10_000_000)
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        let id = arguments.positional()
        try arguments.finish()
        guard pending != (id != nil) else { throw UsageError("donnez le numéro d'une relance, ou --pending") }

        let logger = try gateway.batchLogger()
        let dispatcher = try gateway.dispatcher(logger: logger)
        let opened = try store.open()
        let sender = RelanceSender(store: opened, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun), logger: logger)
        if let id {
            guard let number = Int64(id) else { throw UsageError("« \(id) » n'est pas un numéro de relance") }
            let report = await sender.send(number)
            await dispatcher.close()
            switch report {
            case .done(let r):
                print("relance \(r.id) : \(r.statut.rawValue) — \(r.notes ?? "")")
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
                print("relance \(r.id) : répétition (--dry-run), écrite dans \(GatewaySetup.dryRunPath) ; toujours \(r.statut.rawValue)")
                return 0
            }
        }
        let ids = try opened.pending(limit: limit, now: Date(), types: sender.routedTypes, scheduledOnly: false)
        return await Output.sendBatch(ids, with: sender, inFlight: inFlight, heading: "\(ids.count) relance(s) en attente : ",
                                      leftAs: "comme elles étaient")
    }
}
