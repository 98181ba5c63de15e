import Foundation
import Gateway
import Relances

enum GenerateCommand: Command {
    static let name = "generate"
    static let summary = "Create relances for late debts (optionally send them)"
    static let help = """
        usage: relances generate [--jours-retard-min 7] [--type sms] [--limite 50] [--envoyer | --preflight [--json]] [options]

        Creates relances for late debts by the office's rule (oldest debt first, none
        for a debt reminded in the last 7 days), then with --envoyer sends them. The
        message is the config's template for the type, else the office's text. Creating
        without sending needs no config: with no --config and no channels/routing.json,
        the office's texts are used (a --config given must exist and be valid).

        --preflight writes and sends nothing: it says what the run would do (relances
        per channel, who cannot be reached and why, SMS encodings and segments against
        the template's max_segments, the estimated cost, the first messages). It builds
        the real channels to ask them, so their settings must be set (not with --dry-run).

          --jours-retard-min N   days since the debt started (default 7)
          --type T               sms, email, courrier, appel or visite (default sms)
          --limite N             relances to create, 1 to 500 (default 50)
          --envoyer              send them right away
          --preflight            compute what a run would do; change nothing
          --json                 with --preflight: the report as JSON (as the API answers it)
          --max-in-flight N      sends at once (default 16)
        \(StoreOptions.help)
        \(GatewayOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let gateway = try GatewayOptions(&arguments)
        let days = try arguments.int("jours-retard-min", default: 7, in: 0...36_500)
        let typeName = try arguments.option("type") ?? "sms"
        guard let type = RelanceType(rawValue: typeName) else { throw UsageError("--type must be one of \(RelanceType.allCases.map(\.rawValue).joined(separator: ", ")), not '\(typeName)'") }
        let limit = try arguments.int("limite", default: 50, in: 1...500)
        let send = arguments.flag("envoyer")
        let preflight = arguments.flag("preflight")
        let json = arguments.flag("json")
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        try arguments.finish()
        if preflight && send { throw UsageError("--preflight changes nothing, --envoyer sends: choose one") }
        if json && !preflight { throw UsageError("--json goes with --preflight") }
        if preflight && gateway.dryRun { throw UsageError("--preflight asks the real channels; drop --dry-run") }

        let logger = gateway.logger
        // Check the config before creating anything, so a bad config creates nothing.
        let dispatcher = send || preflight ? try gateway.dispatcher(logger: logger) : nil
        let templates = try dispatcher?.config?.templates ?? gateway.templates()
        let opened = try store.open(creating: true)
        var options = RelanceGenerator.Options(joursRetardMin: days, type: type, limite: limit)
        if let template = templates[type] { options.template = MessageTemplate(template) }
        if preflight, let dispatcher {
            let report = try CampaignPreflight(store: opened, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun)).run(options)
            print(json ? PreflightText.json(report) : PreflightText.table(report))
            return 0
        }
        let result = try RelanceGenerator(store: opened).generate(options)
        print("\(result.created.count) relance(s) \(type.rawValue) générée(s)" + (result.withoutAddress > 0 ? "; \(result.withoutAddress) dette(s) sans adresse pour ce type" : ""))
        guard let dispatcher, !result.created.isEmpty else { return 0 }
        let sender = RelanceSender(store: opened, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun), logger: logger)
        return await Output.sendBatch(result.created, with: sender, inFlight: inFlight, heading: "", leftAs: "en_attente")
    }
}
