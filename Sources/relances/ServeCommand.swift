import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import RelancesServer
#if canImport(Glibc)
import Glibc
#endif

enum ServeCommand: Command {
    static let name = "serve"
    static let summary = "Run the HTTP API and the Relances page"
    static let help = """
        usage: relances serve [--db FILE] [--config FILE] [--host 127.0.0.1] [--port 8000] [--dry-run] [--demo]
                              [--token T]... [--cors-origin URL]... [--public-name NAME]... [--schedule-interval S]
                              [--max-in-flight N] [--rate-limit N]

        Serves /api/relances (the office's page's backend), /api/contribuables,
        /api/channels, /healthz and the Relances page at /. Logs one line per request.
        /metrics answers in Prometheus' text format (with tokens, it needs one too).
        Sends the relances an operator scheduled (a date given at creation, or
        PATCH …/programmer) whose planned date has come, every --schedule-interval seconds;
        never one generated or created without a date, which waits for « Envoyer »;
        with --dry-run scheduled sending is off (a rehearsal claims nothing, so the same
        relances would stay due and be rehearsed again at every batch).
        Stops gracefully on Ctrl-C or SIGTERM: the sends in flight finish, nothing more is
        claimed, then the store is closed. The RELANCES_* variables below are read from
        the process or the --env-file (.env), the process winning, like the config's.

          --host H            address to listen on (default 127.0.0.1). Any other address
                              needs an API token or RELANCES_JWT_SECRET: without one the
                              server refuses to start.
          --port N            default 8000
          --token T           an accepted API token, `label:token` or the token alone, at
                              least 16 characters (repeatable; also RELANCES_API_TOKENS=a,b);
                              an empty or short one refuses to start
          --cors-origin URL   an origin allowed to call the API from a browser (repeatable;
                              also RELANCES_CORS_ORIGINS=a,b)
          --public-name NAME  a name the server is reached by (its DNS name behind a proxy):
                              requests whose Host is neither that nor an address it listens
                              on get 400 (repeatable; also RELANCES_PUBLIC_NAMES=a,b)
        RELANCES_JWT_SECRET (process or .env) accepts the office back-office's session
        tokens (JWT HS256 signed with that secret, with sub and exp) besides API tokens.
          --schedule-interval S
                              seconds between two looks for due relances (en_attente, scheduled
                              by an operator, planned date past); default 60, 0 = no scheduled
                              sending (also RELANCES_SCHEDULE_INTERVAL)
          --max-in-flight N   scheduled sends at once (default 16)
          --rate-limit N      API requests a second per client (its valid token, else its address),
                              bursts of twice that; over it, 429 with Retry-After. Default
                              100, 0 = no limit (also RELANCES_API_RATE_LIMIT)
          --demo              demo data in var/demo.sqlite (unless --db) and SMS routed to a
                              provider sandbox started in this process. A new file gets fresh
                              demo data; an existing demo database keeps its data; any other
                              existing file is refused.
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
        let given = try arguments.options("token")
        let origins = try arguments.options("cors-origin") + split(environment["RELANCES_CORS_ORIGINS"])
        let publicNames = try arguments.options("public-name") + split(environment["RELANCES_PUBLIC_NAMES"])
        let interval = try number(&arguments, "schedule-interval", environment: environment, "RELANCES_SCHEDULE_INTERVAL", default: 60,
                                  upTo: 86_400, unit: "seconds")
        let rateLimit = try number(&arguments, "rate-limit", environment: environment, "RELANCES_API_RATE_LIMIT", default: 100,
                                   upTo: 1_000_000, unit: "requests a second")
        let inFlight = try arguments.int("max-in-flight", default: 16, in: 1...512)
        try arguments.finish()
        // Every token, and the JWT secret, checked where it came from: an unset variable
        // in `--token "$TOKEN"` must not open the API to everyone.
        func source(_ variable: String) -> String {
            ProcessInfo.processInfo.environment[variable] != nil ? "\(variable) in the environment" : "\(variable) in \(gateway.envFile)"
        }
        var checked = given.map { ($0, "--token") }
        if let list = environment["RELANCES_API_TOKENS"] {
            // An empty list, or an empty item (`a,,b`), is a mistake to name, not skip.
            let items = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            checked += items.map { ($0, source("RELANCES_API_TOKENS")) }
        }
        for (entry, from) in checked {
            let token = APIToken(parsing: entry, index: 0)
            if let weakness = APIToken.weakness(of: token.value.value, what: "an API token", source: from) {
                print(weakness)
                return 1
            }
        }
        let tokens = checked.map(\.0)
        var jwtSecret: Secret?
        if let secret = environment["RELANCES_JWT_SECRET"] {
            if let weakness = APIToken.weakness(of: secret, what: "the JWT secret", source: source("RELANCES_JWT_SECRET")) {
                print(weakness)
                return 1
            }
            jwtSecret = Secret(secret)
        }
        let loopback = host == "localhost" || host.hasPrefix("127.")
        if !loopback && tokens.isEmpty && jwtSecret == nil {
            print("refusing to listen on \(host) without an API token: anyone who can reach it could send reminders.")
            print("set RELANCES_API_TOKENS (or --token) or RELANCES_JWT_SECRET, or listen on 127.0.0.1 behind a reverse proxy.")
            return 1
        }

        // Listen for SIGTERM before anything starts: a stop that comes as soon as the
        // server answers (systemd, a script) must be graceful, not the default action
        // that kills the process mid-send. The stream keeps a signal until it is read.
        let (terminations, termination) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingOldest(1))
        SignalWaiter.onTermination([SIGINT, SIGTERM]) { termination.yield($0) }

        let logger = gateway.logger
        var sandbox: ProviderSandbox?
        var mailServer: SMTPSandbox?
        var env = environment
        // `--demo` fills only a new file, reuses only a demo database, and never touches
        // the office's: the demo's own closing hint points here with its database.
        let freshDemo = demo && !FileManager.default.fileExists(atPath: dbPath)
        if demo && !freshDemo && !SQLiteRelanceStore.isDemoDatabase(atPath: dbPath) {
            throw Refusal.notADemo(dbPath, command: "relances serve --demo")
        }
        if demo {
            try PrivateFile.createDirectory(URL(fileURLWithPath: dbPath).deletingLastPathComponent().path)
            // With a client secret, as `relances demo`: no warning about an unset one.
            var sandboxConfiguration = SandboxConfiguration()
            sandboxConfiguration.clientSecret = UUID().uuidString
            let s = ProviderSandbox(configuration: sandboxConfiguration, logger: logger.labelled("sandbox"))
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
        if freshDemo {
            let summary = try DemoData.populate(store)
            print("demo: \(dbPath) with \(summary.contribuables) contribuables and \(summary.affectations) affectations")
        } else if demo {
            print("demo: \(dbPath) kept as it is (an existing demo database)")
        }
        let stuck = try store.inProgress()
        if !stuck.isEmpty {
            logger.warning("relances left envoi_en_cours by an earlier stop: their outcome is unknown; run `relances recover`", ["count": stuck.count])
        }
        let dispatcher = try GatewaySetup.dispatcher(configFile: gateway.configFile, dryRun: gateway.dryRun, environment: env, logger: logger,
                                                     ignoringWindows: demo)
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: gateway.dryRun), logger: logger)
        var configuration = APIConfiguration(tokens: tokens, corsOrigins: origins, logger: logger, metrics: dispatcher.metrics,
                                             rateLimit: rateLimit)
        configuration.jwtSecret = jwtSecret
        configuration.listenHost = host
        configuration.publicNames = publicNames
        let router = buildRelancesRouter(store: store, sender: sender, configuration: configuration)
        var serverConfig = HTTPServerConfiguration(host: host, port: port)
        serverConfig.accessLog = true
        // One line a request, handed to a writer thread (lines dropped and counted if it
        // falls far behind), so a request never waits on standard error.
        let accessLog = BufferedLogSink(wrapping: logger.sink)
        serverConfig.logger = Logger(label: "http", level: logger.level, sink: accessLog)
        let service = relancesService(router: router, configuration: configuration)
        serverConfig.admission = service.admission
        let server = HTTPServer(configuration: serverConfig, handler: service.handler)
        if let short = Self.raiseDescriptorLimit(to: serverConfig.maxOpenConnections + 256) {
            logger.warning("the process may open only \(short) descriptors: fewer connections than the server's cap can be open at once; raise LimitNOFILE (systemd) or ulimit -n")
        }
        let bound = try server.start()
        let access = tokens.isEmpty && jwtSecret == nil ? "" : "; API token or session token required"
        print("relances serving on http://\(host):\(bound)/  (API at /api/relances, health at /healthz)" + access)
        var scheduler: ScheduledSender?
        if interval > 0 && sender.isRehearsal {
            logger.info("scheduled sending is off in a dry run: nothing is claimed, so the same relances would be rehearsed at every batch")
        } else if interval > 0 {
            scheduler = ScheduledSender(sender: sender, options: .init(interval: interval, maxInFlight: inFlight), logger: logger)
            scheduler?.start()
            print("scheduled sending: every \(interval) s, at most \(inFlight) at once")
        }
        var signals = terminations.makeAsyncIterator()
        let signal = await signals.next() ?? SIGTERM
        print("signal \(signal): finishing requests and sends in flight")
        // Nothing more is claimed, by the scheduler or by a request sending (a generation
        // with sending): what is in flight finishes and is recorded, the rest stays as it
        // was, and the request answers before the server closes.
        sender.stopClaiming()
        // Both wind down at once; the store closes only after both (when `store` goes).
        let stopping = Task { await scheduler?.stop() }
        // Awaited: the grace's wait is the server's own thread's, not this task's.
        await server.stop(grace: 10)
        accessLog.close()
        await stopping.value
        await dispatcher.close()
        sandbox?.beginStop()
        await sandbox?.stopped()
        mailServer?.stop()
        return 0
    }

    /// Raises the soft limit on open descriptors towards `wanted` (idle connections are
    /// parked, not threaded, so each costs only a descriptor; a systemd service starts at
    /// 1,024). Answers the limit when it stays below `wanted`, else nil.
    static func raiseDescriptorLimit(to wanted: Int) -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        return limit.rlim_cur < rlim_t(wanted) ? Int(limit.rlim_cur) : nil
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
