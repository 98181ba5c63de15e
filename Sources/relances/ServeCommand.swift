import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import RelancesServer

enum ServeCommand: Command {
    static let name = "serve"
    static let summary = "Run the HTTP API and the Relances page"
    static let help = """
        usage: relances serve [--db FILE] [--config FILE] [--host 127.0.0.1] [--port 8000] [--dry-run] [--demo]
                              [--token T]... [--cors-origin URL]... [--schedule-interval S] [--max-in-flight N]
                              [--rate-limit N]

        Serves /api/relances (the office's page's backend), /api/contribuables,
        /api/channels, /healthz and the Relances page at /. Logs one line per request.
        /metrics answers in Prometheus' text format (with tokens, it needs one too).
        Sends the relances whose planned date has come, every --schedule-interval seconds;
        with --dry-run scheduled sending is off (a rehearsal claims nothing, so the same
        relances would stay due and be rehearsed again at every batch).
        Stops gracefully on Ctrl-C or SIGTERM: the sends in flight finish, nothing more is
        claimed, then the store is closed. The RELANCES_* variables below are read from
        the process or the --env-file (.env), the process winning, like the config's.

          --host H            address to listen on (default 127.0.0.1). Any other address
                              needs an API token: without one the server refuses to start.
          --port N            default 8000
          --token T           an accepted API token (repeatable; also RELANCES_API_TOKENS=a,b)
          --cors-origin URL   an origin allowed to call the API from a browser (repeatable;
                              also RELANCES_CORS_ORIGINS=a,b)
          --schedule-interval S
                              seconds between two looks for due relances (en_attente, planned
                              date past); default 60, 0 = no scheduled sending (also
                              RELANCES_SCHEDULE_INTERVAL)
          --max-in-flight N   scheduled sends at once (default 16)
          --rate-limit N      API requests a second per client (its valid token, else its address),
                              bursts of twice that; over it, 429 with Retry-After. Default
                              100, 0 = no limit (also RELANCES_API_RATE_LIMIT)
          --demo              fresh demo data in var/demo.sqlite (unless --db) and SMS routed to
                              a provider sandbox started in this process
        \(StoreOptions.help)
        \(GatewayOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let demo = arguments.flag("demo")
        let dbPath = try arguments.option("db") ?? (demo ? "var/demo.sqlite" : "relances.sqlite")
        let gateway = try GatewayOptions(&arguments)
        let host = try arguments.option("host") ?? "127.0.0.1"
        let port = try arguments.int("port", default: 8000, in: 0...65535)
        // The process over `.env`, as for the config's variables: a token put in `.env`
        // must close the API, not be silently ignored.
        let environment = try gateway.environment().values
        let split = { (v: String?) in (v ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let tokens = try arguments.options("token") + split(environment["RELANCES_API_TOKENS"])
        let origins = try arguments.options("cors-origin") + split(environment["RELANCES_CORS_ORIGINS"])
        let interval = try number(&arguments, "schedule-interval", environment: environment, "RELANCES_SCHEDULE_INTERVAL", default: 60,
                                  upTo: 86_400, unit: "seconds")
        let rateLimit = try number(&arguments, "rate-limit", environment: environment, "RELANCES_API_RATE_LIMIT", default: 100,
                                   upTo: 1_000_000, unit: "requests a second")
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        try arguments.finish()
        let loopback = ["127.0.0.1", "localhost"].contains(host)
        if !loopback && tokens.isEmpty {
            print("refusing to listen on \(host) without an API token: anyone who can reach it could send reminders.")
            print("set RELANCES_API_TOKENS (or --token), or listen on 127.0.0.1 behind a reverse proxy.")
            return 1
        }

        let logger = gateway.logger
        var sandbox: ProviderSandbox?
        var mailServer: SMTPSandbox?
        var env = environment
        if demo {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: dbPath).deletingLastPathComponent().path, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + suffix) }
            let s = ProviderSandbox(logger: logger.labelled("sandbox"))
            try s.start()
            env.merge(s.environment) { $1 }
            sandbox = s
            let mail = try SMTPSandbox()
            // The SMTP double offers no TLS: STARTTLS is only tried.
            env.merge(mail.environment.merging(["SMTP_STARTTLS": "optional"]) { $1 }) { $1 }
            mailServer = mail
            print("demo: provider sandbox on 127.0.0.1:\(s.port), SMS routed to it; SMTP double on 127.0.0.1:\(mail.port), e-mails routed to it")
        }
        let store = try SQLiteRelanceStore(path: dbPath)
        if demo {
            let summary = try DemoData.populate(store)
            print("demo: \(dbPath) with \(summary.contribuables) contribuables and \(summary.affectations) affectations")
        }
        let stuck = try store.inProgress()
        if !stuck.isEmpty {
            logger.warning("relances left envoi_en_cours by an earlier stop: their outcome is unknown; run `relances recover`", ["count": stuck.count])
        }
        let dispatcher = try GatewaySetup.dispatcher(configFile: gateway.configFile, dryRun: gateway.dryRun, environment: env, logger: logger)
        let sender = RelanceSender(store: store, dispatcher: dispatcher, logger: logger)
        let configuration = APIConfiguration(tokens: tokens, corsOrigins: origins, logger: logger, metrics: dispatcher.metrics,
                                             rateLimit: rateLimit)
        let router = buildRelancesRouter(store: store, sender: sender, configuration: configuration)
        var serverConfig = HTTPServerConfiguration(host: host, port: port)
        serverConfig.accessLog = true
        serverConfig.logger = logger.labelled("http")
        let server = HTTPServer(configuration: serverConfig, handler: relancesHandler(router: router, configuration: configuration))
        let bound = try server.start()
        print("relances serving on http://\(host):\(bound)/  (API at /api/relances, health at /healthz)" + (tokens.isEmpty ? "" : "; API tokens required"))
        var scheduler: ScheduledSender?
        if interval > 0 && sender.isRehearsal {
            logger.info("scheduled sending is off in a dry run: nothing is claimed, so the same relances would be rehearsed at every batch")
        } else if interval > 0 {
            scheduler = ScheduledSender(sender: sender, options: .init(interval: interval, maxInFlight: inFlight), logger: logger)
            scheduler?.start()
            print("scheduled sending: every \(interval) s, at most \(inFlight) at once")
        }
        let signal = await SignalWaiter.termination()
        print("signal \(signal): finishing requests and sends in flight")
        // Both wind down at once; the store closes only after both (when `store` goes).
        let stopping = Task { await scheduler?.stop() }
        server.shutdown(grace: 10)
        await stopping.value
        await dispatcher.close()
        sandbox?.stop()
        mailServer?.stop()
        return 0
    }

    /// `--name`, else the variable, else `fallback`: a number from 0 (off) to `limit`.
    static func number(_ arguments: inout Arguments, _ name: String, environment: [String: String], _ variable: String,
                       default fallback: Double, upTo limit: Double, unit: String) throws(UsageError) -> Double {
        let text = try arguments.option(name) ?? environment[variable] ?? String(fallback)
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0, value <= limit else {
            throw UsageError("--\(name) (or \(variable)) must be \(unit) from 0 (off) to \(Int(limit)), not '\(text)'")
        }
        return value
    }
}
