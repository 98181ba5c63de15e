import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances

enum DemoCommand: Command {
    static let name = "demo"
    static let summary = "Create demo data, start the provider sandbox, generate and send, print a summary"
    static let help = """
        usage: relances demo [--db FILE] [--contribuables N] [--dry-run] [--config FILE]

        Runs the whole job on embedded defaults: a fresh database with demo taxpayers
        and debts (default var/demo.sqlite; an earlier demo database there is replaced,
        any other existing file is refused), the provider sandbox started in
        this process with SMS routed to it, generation of SMS, e-mail and letter
        relances for late debts, sending through the gateway (SMS to the Ventis sandbox,
        e-mails to the SMTP sandbox, letters to a PDF), and a summary: generated, sent per
        channel, failed with reasons, where SMS, e-mails and letters went.

          --db FILE            demo database (default: var/demo.sqlite; only a demo database is replaced)
          --contribuables N    how many taxpayers (default 300)
          --dry-run            everything to var/dry-run.jsonl; the sandbox receives nothing
          --config FILE        routing config (default: channels/routing.json)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let path = try arguments.option("db") ?? "var/demo.sqlite"
        let count = try arguments.int("contribuables", default: 300, in: 1...100_000)
        let dryRun = arguments.flag("dry-run")
        let configFile = try arguments.option("config") ?? "channels/routing.json"
        try arguments.finish()

        let logger = Logger(level: .warning)
        // Only a database this command made is replaced: never the office's.
        if FileManager.default.fileExists(atPath: path) {
            guard SQLiteRelanceStore.isDemoDatabase(atPath: path) else { throw Refusal.notADemo(path, command: "relances demo") }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try PrivateFile.createDirectory(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        let store = try SQLiteRelanceStore(path: path)
        let data = try DemoData.populate(store, contribuables: count)
        print("demo database \(path): \(data.contribuables) contribuables, \(data.taxes) taxes, \(data.affectations) affectations, \(data.paiements) paiements")

        let sandbox = ProviderSandbox(logger: logger)
        try sandbox.start()
        defer { sandbox.stop() }
        let mailServer = try SMTPSandbox()
        defer { mailServer.stop() }
        print("provider sandbox (Keycloak + Ventis) on 127.0.0.1:\(sandbox.port), SMTP sandbox on 127.0.0.1:\(mailServer.port)")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(sandbox.environment) { $1 }
        // The SMTP double offers no TLS: STARTTLS is only tried.
        environment.merge(mailServer.environment.merging(["SMTP_STARTTLS": "optional"]) { $1 }) { $1 }
        let dispatcher = try GatewaySetup.dispatcher(configFile: configFile, dryRun: dryRun, environment: environment, logger: logger)
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: dryRun), logger: logger)
        let generator = RelanceGenerator(store: store)

        var ids: [Int64] = []
        for (type, limit) in [(RelanceType.sms, 200), (.email, 60), (.courrier, 60)] {
            let result = try generator.generate(.init(joursRetardMin: 7, type: type, limite: limit))
            ids += result.created
            print("generated \(result.created.count) \(type.rawValue) relance(s)" + (result.withoutAddress > 0 ? " (\(result.withoutAddress) late debt(s) without an address for \(type.rawValue))" : ""))
        }
        let progress = BatchProgress(total: ids.count)
        let line = ProgressLine(progress, label: "sending")
        line.start()
        let summary = await sender.send(ids, maxInFlight: 16, progress: progress)
        line.finish()
        await dispatcher.close()

        print("\nsummary: \(ids.count) generated, \(summary.sent) \(dryRun ? "written (dry run)" : "sent"), \(summary.failed) failed, \(summary.skipped) skipped")
        for channel in summary.byChannel.keys.sorted() { print("  sent via \(channel): \(summary.byChannel[channel]!)") }
        if !summary.reasons.isEmpty {
            print("  failures:")
            for (reason, n) in summary.reasons.sorted(by: { $0.value > $1.value }).prefix(8) { print("    \(n) × \(reason)") }
        }
        print("  SMS: the Ventis sandbox received \(sandbox.received.count) request(s) with \(sandbox.tokenRequests) token request(s)")
        print("  e-mails: the SMTP sandbox (\(mailServer.url)) accepted \(mailServer.messages.count) message(s)")
        if dryRun {
            print("  dry run: every message is in \(GatewaySetup.dryRunPath); the relances stay en_attente for a real run")
        } else {
            let routed = Set(dispatcher.routes.values.flatMap(\.all))
            for name in dispatcher.channels.keys.sorted() where routed.contains(name) {
                guard let c = dispatcher.config?.channels[name] else { continue }
                if let file = c.settings.string("path") { print("  letters (\(name)): \(file)") }
                if let folder = dispatcher.channels[name]?.documentsFolder {
                    let pdfs = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".pdf") }.sorted() ?? []
                    print("  letters (\(name)): ready to print in \(folder.path)/" + (pdfs.last.map { ", latest \($0)" } ?? ""))
                }
                if let folder = c.settings.string("directory"), c.kind.accepts == .email { print("  e-mails (\(name)): \(folder)/") }
                if let server = c.settings.string("url"), server.hasPrefix("smtp") { print("  e-mails (\(name)): sent to \(server)") }
            }
        }
        let stats = try store.statistics(from: nil, to: nil)
        print("  statistics: total \(stats.totalRelances), envoyées \(stats.relancesEnvoyees), échecs \(stats.relancesEchec), en attente \(stats.relancesEnAttente)")
        print("\nnext: relances list --db \(path) --statut echec   ·   relances serve --db \(path) --demo")
        return 0
    }
}
