import Channels
import Foundation
import Gateway

enum CheckConfigCommand: Command {
    static let name = "check-config"
    static let summary = "Validate a routing config and print every problem"
    static let help = """
        usage: relances check-config [FILE | --config FILE] [--env-file FILE] [--dry-run]

        Loads the routing config (default: channels/routing.json) the way start-up does,
        builds every channel without touching the network, and prints every problem
        with the file, the JSON path and the valid choices. Exit status 1 when there is
        any. Secrets are never printed.

          --env-file FILE   variables for ${VAR} (default: .env, if present)
          --dry-run         check as a dry run would load it (no channel settings)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        // The option first: read as a positional, its value would be taken for FILE.
        let option = try arguments.option("config")
        let file = option ?? arguments.positional() ?? "channels/routing.json"
        let envFile = try arguments.option("env-file") ?? ".env"
        let dryRun = arguments.flag("dry-run")
        try arguments.finish()
        do {
            let environment = try Environment.load(dotEnvPath: envFile)
            let config = try GatewaySetup.config(configFile: file, dryRun: dryRun, environment: environment)
            let logger = Logger(level: .warning)
            _ = try config.buildChannels(context: ChannelContext(logger: logger, environment: environment.values))
            let routed = RelanceType.sendable.filter { config.routes[$0] != nil }.map(\.rawValue)
            print("\(file): ok — \(config.channels.count) channel(s), routes for \(routed.isEmpty ? "no type" : routed.joined(separator: ", "))")
            return 0
        } catch {
            print("\(file): \(error.problems.count) problem(s)")
            for problem in error.problems { print("  - \(problem)") }
            return 1
        }
    }
}
