import FileSink
import Foundation
import Gateway

/// Builds the program's dispatcher from a routing config file with the built-in
/// channel table. Every command and the server start here.
public enum GatewaySetup {
    /// Where a dry run writes every message.
    public static let dryRunPath = "var/dry-run.jsonl"

    /// Loads `configFile` (with `${VAR}` from the environment and `.env`), validates it
    /// whole, and answers it. With `dryRun`, the structure and templates are checked but
    /// not the channels' settings (a rehearsal needs no credentials), and every route
    /// goes to one file sink at ``dryRunPath``.
    public static func config(configFile: String, dryRun: Bool = false,
                              environment: Environment) throws(ConfigError) -> RoutingConfig {
        let loader = RoutingConfigLoader(table: BuiltinChannels.table, environment: environment, lenient: dryRun)
        let config = try loader.load(file: configFile)
        return dryRun ? config.dryRun(sink: dryRunSink()) : config
    }

    /// The config, its channels built, as a dispatcher.
    ///
    /// - Throws: ``ConfigError`` listing every problem, naming file, key and choices.
    public static func dispatcher(configFile: String, dryRun: Bool = false,
                                  environment: [String: String]? = nil,
                                  logger: Logger = Logger(), clock: any GatewayClock = SystemClock(),
                                  ignoringWindows: Bool = false) throws(ConfigError) -> Dispatcher {
        let env: Environment
        if let environment { env = Environment(environment) } else { env = try Environment.load() }
        var config = try config(configFile: configFile, dryRun: dryRun, environment: env)
        // A demo talks to doubles only: its sends go out whatever the hour, so it shows
        // something at night and on Sundays too.
        if ignoringWindows { for name in config.channels.keys { config.channels[name]?.policy.window = nil } }
        if dryRun { logger.info("dry run: every message goes to \(dryRunPath), nothing leaves the machine") }
        let context = ChannelContext(logger: logger, clock: clock, environment: env.values)
        return try config.makeDispatcher(context: context)
    }

    static func dryRunSink() -> ChannelConfig {
        ChannelConfig(name: "dry-run", kind: FileSink.kind,
                      settings: ChannelSettings(name: "dry-run", kind: FileSink.kind.kind, file: "(dry run)",
                                                values: ["path": dryRunPath, "fsync": "interval", "fsync_interval_ms": "1000"]))
    }
}
