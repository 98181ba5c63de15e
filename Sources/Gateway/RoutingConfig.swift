import Foundation

/// A routing config, loaded and validated: which channels exist, with what settings
/// and delivery policy, and where each relance type goes.
///
/// ```json
/// { "channels": { "ventis": { "kind": "ventis-sms", "sender": "${VENTIS_MESSAGING_SENDER:-VENTIS}" } },
///   "routes":   { "sms": { "channels": ["ventis"], "fallback": ["mail"] } } }
/// ```
public struct RoutingConfig: Sendable {
    /// The file it came from, for messages.
    public var file: String
    /// The configured channels, by name.
    public var channels: [String: ChannelConfig]
    /// Where each type goes. A sendable type missing here has no route.
    public var routes: [RelanceType: Route]
    /// Message templates per type (`{nom}`, `{montant}`…), as written.
    public var templates: [RelanceType: String]
    /// The most SMS segments a message of the type should take (`max_segments` of its
    /// template); the pre-flight reports the messages over it.
    public var segmentBudgets: [RelanceType: Int] = [:]
    /// The text of one message for several debts of one taxpayer (`groupe` of its
    /// template), when the config gives one; ``MessageTemplate/standardGroupe`` else.
    public var groupTemplates: [RelanceType: String] = [:]
    /// Types whose debts are sent one message each (`"grouper": false`); a send run
    /// groups the others, one message per taxpayer and address.
    public var ungroupedTypes: Set<RelanceType> = []
    /// A rehearsal (``dryRun(sink:)``): messages go to the sink and nothing is recorded
    /// as sent, so the real campaign still sends every one of them.
    public var isDryRun = false

    public init(file: String, channels: [String: ChannelConfig], routes: [RelanceType: Route],
                templates: [RelanceType: String] = [:]) {
        self.file = file
        self.channels = channels
        self.routes = routes
        self.templates = templates
    }

    /// Builds every channel (validating what the generic checks cannot), reporting
    /// every failure together.
    public func buildChannels(context: ChannelContext) throws(ConfigError) -> [String: any Channel] {
        var built: [String: any Channel] = [:]
        var problems: [ConfigProblem] = []
        for name in channels.keys.sorted() {
            let config = channels[name]!
            do {
                built[name] = try config.kind.make(config.settings, context)
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw ConfigError(problems) }
        return built
    }

    /// The dispatcher for this config.
    public func makeDispatcher(context: ChannelContext) throws(ConfigError) -> Dispatcher {
        Dispatcher(routes: routes, channels: try buildChannels(context: context),
                   policies: channels.mapValues(\.policy), clock: context.clock, logger: context.logger, config: self,
                   metrics: context.metrics, resources: context.resources)
    }

    /// The same config with every route sent to one file sink: a whole campaign can be
    /// rehearsed with nothing leaving the machine. Templates are kept.
    public func dryRun(sink: ChannelConfig) -> RoutingConfig {
        var routes: [RelanceType: Route] = [:]
        for type in RelanceType.sendable { routes[type] = Route(channels: [sink.name]) }
        var config = RoutingConfig(file: file, channels: [sink.name: sink], routes: routes, templates: templates)
        config.segmentBudgets = segmentBudgets
        config.groupTemplates = groupTemplates
        config.ungroupedTypes = ungroupedTypes
        config.isDryRun = true
        return config
    }
}

/// One configured channel: its kind, its checked settings, its delivery policy.
public struct ChannelConfig: Sendable {
    public var name: String
    public var kind: ChannelKind
    public var settings: ChannelSettings
    public var policy: DeliveryPolicy

    public init(name: String, kind: ChannelKind, settings: ChannelSettings, policy: DeliveryPolicy = DeliveryPolicy()) {
        self.name = name
        self.kind = kind
        self.settings = settings
        self.policy = policy
    }
}
