import Foundation
import Gateway
import Relances

enum GenerateCommand: Command {
    static let name = "generate"
    static let summary = "Create relances for late debts (optionally send them)"
    static let help = """
        usage: relances generate [--jours-retard-min 7] [--type sms] [--limite 50] [--envoyer] [options]

        Creates relances for late debts by the office's rule (oldest debt first, none
        for a debt reminded in the last 7 days), then with --envoyer sends them.

          --jours-retard-min N   days since the debt started (default 7)
          --type T               sms, email, courrier, appel or visite (default sms)
          --limite N             relances to create, 1 to 500 (default 50)
          --envoyer              send them right away
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
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        try arguments.finish()

        let logger = gateway.logger
        // Check the config before creating anything, so a bad config creates nothing.
        let dispatcher = send ? try gateway.dispatcher(logger: logger) : nil
        let opened = try store.open()
        var options = RelanceGenerator.Options(joursRetardMin: days, type: type, limite: limit)
        if let template = dispatcher?.config?.templates[type] { options.template = MessageTemplate(template) }
        let result = try RelanceGenerator(store: opened).generate(options)
        print("\(result.created.count) relance(s) \(type.rawValue) générée(s)" + (result.withoutAddress > 0 ? "; \(result.withoutAddress) dette(s) sans adresse pour ce type" : ""))
        guard let dispatcher, !result.created.isEmpty else { return 0 }
        let progress = BatchProgress(total: result.created.count)
        let line = ProgressLine(progress, label: "envoi")
        line.start()
        let summary = await RelanceSender(store: opened, dispatcher: dispatcher, logger: logger).send(result.created, maxInFlight: inFlight, progress: progress)
        line.finish()
        print("\(summary.sent) envoyée(s), \(summary.failed) échec(s), \(summary.skipped) non envoyée(s)" + (summary.deferred > 0 ? ", \(summary.deferred) reportée(s) à la prochaine plage d'envoi" : ""))
        for (reason, n) in summary.reasons.sorted(by: { $0.value > $1.value }) { print("  \(n) × \(reason)") }
        Output.report(summary, rehearsal: dispatcher.config?.isDryRun == true)
        return summary.failed > 0 ? 1 : 0
    }
}
