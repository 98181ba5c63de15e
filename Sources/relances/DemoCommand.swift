import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances

enum DemoCommand: Command {
    static let name = "demo"
    static let summary = "Démonstration : données fictives, bac à sable, génération, envoi, résumé"
    static let help = """
        usage : relances demo [--db FICHIER] [--contribuables N] [--dry-run] [--config FICHIER]

        Fait tout le travail sur des données fictives : une base neuve de contribuables et
        de dettes (par défaut var/demo.sqlite ; une ancienne base de démonstration y est
        remplacée, tout autre fichier est refusé), le bac à sable du fournisseur SMS lancé
        dans ce programme, la génération des relances SMS, e-mail et courrier des dettes
        échues, leur envoi (SMS au bac à sable Ventis, e-mails au bac à sable SMTP,
        courriers dans un PDF) à toute heure (les plages d'envoi ne s'appliquent pas à une
        démonstration), et un résumé : générées, envoyées par canal, échecs et leurs motifs,
        où sont allés SMS, e-mails et courriers.

          --db FICHIER           base de démonstration (par défaut : var/demo.sqlite)
          --contribuables N      nombre de contribuables, de 1 à 100 000 (par défaut : 300)
          --dry-run              répétition : tout dans \(GatewaySetup.dryRunPath) ; le bac à sable ne reçoit rien
          --config FICHIER       configuration des canaux (par défaut : channels/routing.json)
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
        print("base de démonstration \(path) : \(data.contribuables) contribuables, \(data.taxes) taxes, \(data.affectations) affectations, \(data.paiements) paiements")

        // A client secret, as the office's account has: the whole sign-in is shown, and the
        // newcomer's first run warns about nothing they could set.
        var sandboxConfiguration = SandboxConfiguration()
        sandboxConfiguration.clientSecret = UUID().uuidString
        let sandbox = ProviderSandbox(configuration: sandboxConfiguration, logger: logger)
        try sandbox.start()
        defer { sandbox.beginStop() }
        let mailServer = try SMTPSandbox()
        defer { mailServer.stop() }
        print("bac à sable SMS (Keycloak + Ventis) sur 127.0.0.1:\(sandbox.port), bac à sable SMTP sur 127.0.0.1:\(mailServer.port)")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(sandbox.environment) { $1 }
        // The SMTP double offers no TLS: STARTTLS is only tried.
        environment.merge(mailServer.environment.merging(["SMTP_STARTTLS": "optional"]) { $1 }) { $1 }
        let dispatcher = try GatewaySetup.dispatcher(configFile: configFile, dryRun: dryRun, environment: environment, logger: logger,
                                                     ignoringWindows: true)
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: dryRun), logger: logger)
        let generator = RelanceGenerator(store: store)

        var ids: [Int64] = []
        for (type, limit) in [(RelanceType.sms, 200), (.email, 60), (.courrier, 60)] {
            let result = try generator.generate(.init(joursRetardMin: 7, type: type, limite: limit))
            ids += result.created
            print("\(result.created.count) relance(s) \(type.rawValue) générée(s)" + (result.withoutAddress > 0 ? " (\(result.withoutAddress) dette(s) en retard sans adresse pour ce type)" : ""))
        }
        let progress = BatchProgress(total: ids.count)
        let line = ProgressLine(progress, label: "envoi")
        line.start()
        let summary = await sender.send(ids, maxInFlight: 16, progress: progress)
        line.finish()
        await dispatcher.close()

        print("\nrésumé : \(ids.count) générée(s), \(summary.sent) \(dryRun ? "écrite(s) (répétition)" : "envoyée(s)"), \(summary.failed) échec(s), \(summary.skipped) non envoyée(s)")
        for channel in summary.byChannel.keys.sorted() { print("  envoyées par \(channel) : \(summary.byChannel[channel]!)") }
        if !summary.reasons.isEmpty {
            print("  échecs :")
            for (reason, n) in summary.reasons.sorted(by: { $0.value > $1.value }).prefix(8) { print("    \(n) × \(reason)") }
        }
        print("  SMS : le bac à sable Ventis a reçu \(sandbox.received.count) message(s) et \(sandbox.tokenRequests) demande(s) de jeton")
        print("  e-mails : le bac à sable SMTP (\(mailServer.url)) a accepté \(mailServer.messages.count) message(s)")
        if dryRun {
            print("  répétition : chaque message est dans \(GatewaySetup.dryRunPath) ; les relances restent en_attente pour un vrai envoi")
        } else {
            let routed = Set(dispatcher.routes.values.flatMap(\.all))
            for name in dispatcher.channels.keys.sorted() where routed.contains(name) {
                guard let c = dispatcher.config?.channels[name] else { continue }
                if let file = c.settings.string("path") { print("  courriers (\(name)) : \(file)") }
                if let folder = dispatcher.channels[name]?.documentsFolder {
                    let pdfs = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { $0.hasSuffix(".pdf") }.sorted() ?? []
                    print("  courriers (\(name)) : prêts à imprimer dans \(folder.path)/" + (pdfs.last.map { ", dernier \($0)" } ?? ""))
                }
                if let folder = c.settings.string("directory"), c.kind.accepts == .email { print("  e-mails (\(name)) : \(folder)/") }
                if let server = c.settings.string("url"), server.hasPrefix("smtp") { print("  e-mails (\(name)) : envoyés à \(server)") }
            }
        }
        let stats = try store.statistics(from: nil, to: nil)
        print("  statistiques : total \(stats.totalRelances), envoyées \(stats.relancesEnvoyees), échecs \(stats.relancesEchec), en attente \(stats.relancesEnAttente)")
        print("\nensuite : relances list --db \(path) --statut echec   ·   relances serve --db \(path) --demo")
        return 0
    }
}
