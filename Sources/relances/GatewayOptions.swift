import Channels
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Gateway

/// The options every command that sends shares: `--config`, `--env-file`, `--dry-run`,
/// `--debug`.
struct GatewayOptions {
    static let help = """
          --config FICHIER       configuration des canaux (par défaut : channels/routing.json)
          --env-file FICHIER     valeurs des ${VAR} de la configuration (par défaut : .env, s'il existe)
          --dry-run              répétition : chaque message est écrit dans \(GatewaySetup.dryRunPath),
                                 rien ne part
          --debug                journaux détaillés, adresses et numéros en clair
          --log FICHIER          journaux (une ligne par message) ajoutés à FICHIER ; sans lui, sur
                                 un terminal, seuls les avertissements s'affichent sous la ligne
                                 d'avancement
        """

    var configFile: String
    /// Whether `--config` named the file (else it is the default, which may not exist).
    var configGiven: Bool
    var envFile: String
    var dryRun: Bool
    var debug: Bool
    /// `--log FILE`: where the logs go (else standard error).
    var logFile: String?

    init(_ arguments: inout Arguments) throws(UsageError) {
        let given = try arguments.option("config")
        configFile = given ?? "channels/routing.json"
        configGiven = given != nil
        envFile = try arguments.option("env-file") ?? ".env"
        dryRun = arguments.flag("dry-run")
        debug = arguments.flag("debug")
        logFile = try arguments.option("log")
    }

    /// The logger of a batch (generate, send): to `--log FILE` when given; else on a
    /// terminal only warnings and errors, since a line per SMS would bury the progress
    /// line and the summary says the rest; else (cron, systemd) everything, as ``logger``.
    func batchLogger() throws(UsageError) -> Logger {
        var logger = self.logger
        if let logFile {
            logger.sink = try FileLogSink(path: logFile)
        } else if isatty(STDERR_FILENO) == 1 && !logger.isDebug {
            logger.level = .warning
        }
        return logger
    }

    var logger: Logger {
        // The process over `.env`, like every variable. A `.env` that cannot be read is
        // reported by the command's own load of it; the logger falls back to the process.
        let variables = (try? environment().values) ?? ProcessInfo.processInfo.environment
        let verbose = debug || ["1", "true", "yes"].contains(variables["VENTIS_DEBUG"]?.lowercased() ?? "")
        return Logger(level: verbose ? .debug : .info)
    }

    func environment() throws(ConfigError) -> Environment {
        try Environment.load(dotEnvPath: envFile)
    }

    /// The config's message templates, for creating relances without sending them: the
    /// config checked for its structure and templates only (as a dry run: no credentials
    /// needed). No `--config` and no default file: none (the office's built-in texts
    /// apply), so a folder without a routing config can still create relances. A file
    /// named by `--config` must exist and be valid.
    func templates() throws(ConfigError) -> [RelanceType: String] {
        if !configGiven && !FileManager.default.fileExists(atPath: configFile) { return [:] }
        return try GatewaySetup.config(configFile: configFile, dryRun: true, environment: environment()).templates
    }

    func dispatcher(logger: Logger) throws(ConfigError) -> Dispatcher {
        try GatewaySetup.dispatcher(configFile: configFile, dryRun: dryRun,
                                    environment: environment().values, logger: logger)
    }
}
