import Foundation
import Gateway
import Relances

enum GenerateCommand: Command {
    static let name = "generate"
    static let summary = "Créer les relances des dettes en retard (et les envoyer)"
    static let help = """
        usage : relances generate [--jours-retard-min 7] [--type sms] [--limite 50 | --tout] [--inclure-a-venir]
                                  [--envoyer | --preflight [--json]] [options]

        Crée les relances des dettes en retard selon la règle du service (la plus ancienne
        d'abord, aucune pour une dette relancée dans les 7 derniers jours), et seulement
        pour les dettes échues (échéance passée ou du jour), sauf --inclure-a-venir ; puis,
        avec --envoyer, les envoie (une seule par contribuable : voir « grouper »). Le
        texte est le modèle de la configuration pour le type, sinon le texte par défaut.
        Créer sans envoyer ne demande aucune configuration.

        --preflight n'écrit et n'envoie rien : il dit ce que ferait la campagne (relances
        par canal, qui ne peut être joint et pourquoi, nombre de SMS par message, coût
        estimé, premiers messages). Il interroge les vrais canaux (pas avec --dry-run).

          --jours-retard-min N   jours depuis le début de la dette (par défaut : 7)
          --type T               sms, email, courrier, appel ou visite (par défaut : sms)
          --limite N             relances à créer, de 1 à 500 (par défaut : 50)
          --tout                 toutes les dettes en retard, en une fois (une campagne) : par lots
                                 de 10 000, chacun repris après le dernier, l'avancement sur la
                                 sortie d'erreur
          --inclure-a-venir      aussi les dettes dont l'échéance n'est pas encore passée
          --envoyer              les envoyer tout de suite
          --preflight            calculer ce que ferait la campagne, sans rien changer
          --json                 avec --preflight : le rapport en JSON (comme l'API)
          --max-in-flight N      envois simultanés, de 1 à 512 (par défaut : 16)
        \(StoreOptions.help)
        \(GatewayOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let gateway = try GatewayOptions(&arguments)
        let days = try arguments.int("jours-retard-min", default: 7, in: 0...36_500)
        let type = RelanceType(rawValue: try arguments.choice("type", among: RelanceType.allCases.map(\.rawValue)) ?? "sms") ?? .sms
        let all = arguments.flag("tout")
        // 0 stands for « not given » (the range starts at 1), to refuse it beside --tout.
        let given = try arguments.int("limite", alias: "limit", default: 0, in: 1...500)
        if all && given != 0 { throw UsageError("--tout crée une relance pour chaque dette en retard : retirez --limite") }
        let limit = given == 0 ? 50 : given
        let upcoming = arguments.flag("inclure-a-venir")
        let send = arguments.flag("envoyer")
        let preflight = arguments.flag("preflight")
        let json = arguments.flag("json")
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        try arguments.finish()
        if preflight && send { throw UsageError("--preflight ne change rien, --envoyer envoie : choisissez l'un des deux") }
        if json && !preflight { throw UsageError("--json va avec --preflight") }
        if preflight && gateway.dryRun { throw UsageError("--preflight interroge les vrais canaux ; retirez --dry-run") }

        let logger = try gateway.batchLogger()
        // Check the config before creating anything, so a bad config creates nothing.
        let dispatcher = send || preflight ? try gateway.dispatcher(logger: logger) : nil
        let templates = try dispatcher?.config?.templates ?? gateway.templates()
        let opened = try store.open(creating: true)
        var options = RelanceGenerator.Options(joursRetardMin: days, type: type, limite: limit)
        options.inclureEcheancesAVenir = upcoming
        if let template = templates[type] { options.template = MessageTemplate(template) }
        if all { options.limite = Int.max }
        if preflight, let dispatcher {
            let report = try CampaignPreflight(store: opened, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun)).run(options)
            print(json ? PreflightText.json(report) : PreflightText.table(report))
            return 0
        }
        let result = all ? try generateAll(opened, options) : try RelanceGenerator(store: opened).generate(options)
        print("\(result.created.count) relance(s) \(type.rawValue) générée(s)" + (result.withoutAddress > 0 ? " ; \(result.withoutAddress) dette(s) sans adresse pour ce type" : ""))
        guard let dispatcher, !result.created.isEmpty else { return 0 }
        let sender = RelanceSender(store: opened, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun), logger: logger)
        return await Output.sendBatch(result.created, with: sender, inFlight: inFlight, heading: "", leftAs: "en_attente")
    }

    /// Every late debt, in chunks that each resume after the last debt of the one before
    /// (each costs what it creates), with a line on standard error after each; the debts
    /// without an address are counted once, at the end.
    static func generateAll(_ store: any RelanceGeneration, _ base: RelanceGenerator.Options) throws(StoreError) -> RelanceGenerator.Result {
        let generator = RelanceGenerator(store: store)
        var options = base
        options.limite = chunk
        options.countsWithoutAddress = false
        var created: [Int64] = []
        let started = Date()
        while true {
            let result = try generator.generate(options)
            created += result.created
            let seconds = Date().timeIntervalSince(started)
            FileHandle.standardError.write(Data("\(created.count) relance(s) générée(s) en \(String(format: "%.1f", seconds)) s\n".utf8))
            guard result.created.count == chunk, let last = result.last else { break }
            options.after = last
        }
        let withoutAddress = try generator.lateDebtsWithoutAddress(type: base.type, joursRetardMin: base.joursRetardMin,
                                                                   upcoming: base.inclureEcheancesAVenir)
        return RelanceGenerator.Result(created: created, withoutAddress: withoutAddress, last: nil)
    }

    /// Relances created by one transaction of `--tout`.
    static let chunk = 10_000
}
