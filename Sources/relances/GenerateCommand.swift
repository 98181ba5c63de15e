import Foundation
import Gateway
import Relances

enum GenerateCommand: Command {
    static let name = "generate"
    static let summary = "Create relances for late debts (optionally send them)"
    static let help = """
        usage: relances generate [--jours-retard-min 7] [--type sms] [--limite 50 | --tout] [--envoyer | --preflight [--json]] [options]

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
          --tout                 every late debt, in one run (a campaign): chunks of 10,000,
                                 each resuming after the last, progress on standard error
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
        let all = arguments.flag("tout")
        // 0 stands for « not given » (the range starts at 1), to refuse it beside --tout.
        let given = try arguments.int("limite", default: 0, in: 1...500)
        if all && given != 0 { throw UsageError("--tout creates a relance for every late debt: drop --limite") }
        let limit = given == 0 ? 50 : given
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
        if all { options.limite = Int.max }
        if preflight, let dispatcher {
            let report = try CampaignPreflight(store: opened, dispatcher: dispatcher).run(options)
            print(json ? PreflightText.json(report) : PreflightText.table(report))
            return 0
        }
        let result = all ? try generateAll(opened, options) : try RelanceGenerator(store: opened).generate(options)
        print("\(result.created.count) relance(s) \(type.rawValue) générée(s)" + (result.withoutAddress > 0 ? "; \(result.withoutAddress) dette(s) sans adresse pour ce type" : ""))
        guard let dispatcher, !result.created.isEmpty else { return 0 }
        let sender = RelanceSender(store: opened, dispatcher: dispatcher, logger: logger)
        return await Output.sendBatch(result.created, with: sender, inFlight: inFlight, heading: "", leftAs: "en_attente")
    }

    /// Every late debt, in chunks that each resume after the last debt of the one before
    /// (each costs what it creates), with a line on standard error after each; the debts
    /// without an address are counted once, at the end.
    static func generateAll(_ store: SQLiteRelanceStore, _ base: RelanceGenerator.Options) throws(StoreError) -> RelanceGenerator.Result {
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
        let withoutAddress = try generator.lateDebtsWithoutAddress(type: base.type, joursRetardMin: base.joursRetardMin)
        return RelanceGenerator.Result(created: created, withoutAddress: withoutAddress, last: nil)
    }

    /// Relances created by one transaction of `--tout`.
    static let chunk = 10_000
}
