import Foundation
import Gateway

/// What the sender is handed to send with, so it never reaches back into the
/// configuration: the dispatcher, whether this is a rehearsal, the templates, the SMS
/// segment budgets and the send windows.
///
/// Built from a routing config by ``init(config:dispatcher:)`` (or
/// ``RoutingConfig/makeRuntime(context:)``), where a dry run comes from the config
/// itself; otherwise the caller must say whether it is a rehearsal
/// (``init(dispatcher:rehearsal:templates:segmentBudgets:)``): there is no default, and
/// the answer cannot be « not a rehearsal » for a dispatcher whose config is a dry run.
public struct SendRuntime: Sendable {
    public let dispatcher: Dispatcher
    /// A dry run: every message goes to the sink, and no relance is claimed or marked,
    /// so the real campaign afterwards still sends every one.
    public let isRehearsal: Bool
    /// Message templates per type (`{nom}`, `{montant}`…), as written.
    public let templates: [RelanceType: String]
    /// The most SMS segments a message of the type may take; longer ones fail before
    /// any network call.
    public let segmentBudgets: [RelanceType: Int]
    /// The text of several debts of one taxpayer sent as one message, per type.
    public let groupTemplates: [RelanceType: String]
    /// Types whose debts each get their own message (`"grouper": false`).
    public let ungroupedTypes: Set<RelanceType>

    /// The runtime of a dispatcher built from `config`.
    public init(config: RoutingConfig, dispatcher: Dispatcher) {
        self.dispatcher = dispatcher
        self.isRehearsal = config.isDryRun
        self.templates = config.templates
        self.segmentBudgets = config.segmentBudgets
        self.groupTemplates = config.groupTemplates
        self.ungroupedTypes = config.ungroupedTypes
    }

    /// The runtime of a dispatcher whose caller says whether it is a rehearsal. When the
    /// dispatcher carries the config it was built from, its templates and budgets come
    /// from it, and a dry-run config is a rehearsal whatever `rehearsal` says.
    public init(dispatcher: Dispatcher, rehearsal: Bool, templates: [RelanceType: String] = [:], segmentBudgets: [RelanceType: Int] = [:]) {
        self.dispatcher = dispatcher
        self.isRehearsal = rehearsal || dispatcher.config?.isDryRun == true
        self.templates = dispatcher.config?.templates.merging(templates) { $1 } ?? templates
        self.segmentBudgets = dispatcher.config?.segmentBudgets.merging(segmentBudgets) { $1 } ?? segmentBudgets
        self.groupTemplates = dispatcher.config?.groupTemplates ?? [:]
        // Grouping is the routing config's (`grouper`): a dispatcher built without one
        // sends one message per debt.
        self.ungroupedTypes = dispatcher.config?.ungroupedTypes ?? Set(RelanceType.allCases)
    }

    /// The types a channel sends (the others are done by hand, or left out of the config).
    public var routedTypes: [RelanceType] { RelanceType.allCases.filter { dispatcher.route(for: $0) != nil } }

    /// The send window of each type's first channel, for the types that have one.
    public var windows: [RelanceType: SendWindow] {
        var out: [RelanceType: SendWindow] = [:]
        for type in routedTypes {
            if let first = dispatcher.route(for: type)?.channels.first, let window = dispatcher.policies[first]?.window { out[type] = window }
        }
        return out
    }
}

extension RoutingConfig {
    /// The dispatcher for this config and the sender's runtime around it, built together
    /// so a dry run is never lost on the way.
    public func makeRuntime(context: ChannelContext) throws(ConfigError) -> SendRuntime {
        SendRuntime(config: self, dispatcher: try makeDispatcher(context: context))
    }
}
