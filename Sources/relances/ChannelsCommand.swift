import Channels
import Foundation
import Gateway

enum ChannelsCommand: Command {
    static let name = "channels"
    static let summary = "List channel kinds and the configured channels with their routes"
    static let help = """
        usage: relances channels [--config FILE] [--env-file FILE] [--dry-run]

        Prints the channel kinds this program knows (with every setting, its variable
        and default), then the channels the routing config declares and where each
        relance type goes. Secrets print as ****.

        \(GatewayOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let options = try GatewayOptions(&arguments)
        try arguments.finish()
        print("Channel kinds:")
        for name in BuiltinChannels.table.names {
            let kind = BuiltinChannels.table[name]!
            print("  \(name)  (\(kind.accepts.rawValue) addresses) \(kind.summary)")
            for s in kind.settings {
                var facts = [s.type.rawValue]
                if s.required { facts.append("required") }
                if let env = s.environment { facts.append("env \(env)") }
                if let d = s.defaultValue { facts.append("default \(d.isEmpty ? "\"\"" : d)") }
                print("      \(s.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(s.help) [\(facts.joined(separator: ", "))]")
            }
        }
        let config = try GatewaySetup.config(configFile: options.configFile, dryRun: options.dryRun,
                                             environment: options.environment())
        print("\nConfigured channels (\(config.file)\(options.dryRun ? ", dry run" : "")):")
        for name in config.channels.keys.sorted() {
            let c = config.channels[name]!
            let shown = c.kind.settings.compactMap { spec -> String? in
                guard let v = c.settings.values[spec.name] else { return nil }
                return "\(spec.name)=\(spec.type == .secret ? (v.isEmpty ? "(empty)" : "****") : Masking.url(v))"
            }
            print("  \(name)  kind=\(c.kind.kind)  \(shown.joined(separator: "  "))")
            let p = c.policy
            print("      retry: \(p.maxAttempts) attempts, backoff \(p.initialDelay)s..\(p.maxDelay)s, at most \(p.maxTotalDelay)s waiting"
                  + (p.ratePerSecond.map { "; rate \($0)/s" } ?? "") + (p.segmentsPerSecond.map { "; \($0) segments/s" } ?? ""))
        }
        print("\nRoutes:")
        for type in RelanceType.allCases {
            if let route = config.routes[type] {
                print("  \(type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) → \(route.channels.joined(separator: ", "))"
                      + (route.fallback.isEmpty ? "" : "  then fallback \(route.fallback.joined(separator: ", "))"))
            } else {
                print("  \(type.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) → (no route: \(type.address == nil ? "done by hand" : "not sent"))")
            }
        }
        return 0
    }
}
