import Foundation

/// One entry of the channel table: a kind of channel (`ventis-sms`), the settings it
/// takes, and how to build one from its config section.
public struct ChannelKind: Sendable {
    /// The name used as `"kind"` in the routing config.
    public let kind: String
    /// One line for `relances channels`.
    public let summary: String
    /// The address this kind delivers to (the file sink takes any).
    public let accepts: AddressKind
    /// Every setting the kind reads. Any other key in its section is an error, so a
    /// mistyped key is caught at start-up rather than silently ignored.
    public let settings: [SettingSpec]
    /// Builds a channel from settings that were already checked against ``settings``.
    /// Validates what the generic checks cannot (a URL's shape, a folder's access) and
    /// never touches the network.
    public let make: @Sendable (ChannelSettings, ChannelContext) throws(ConfigError) -> any Channel

    public init(kind: String, summary: String, accepts: AddressKind, settings: [SettingSpec],
                make: @escaping @Sendable (ChannelSettings, ChannelContext) throws(ConfigError) -> any Channel) {
        self.kind = kind
        self.summary = summary
        self.accepts = accepts
        self.settings = settings
        self.make = make
    }
}

/// A setting a channel kind reads.
public struct SettingSpec: Sendable, Hashable {
    public enum ValueType: String, Sendable, Hashable {
        case string, secret, integer, number, boolean
    }

    public let name: String
    public let type: ValueType
    /// Used when the config does not give the key (and `environment` is unset).
    public let defaultValue: String?
    /// An environment variable read when the config does not give the key
    /// (`KEYCLOAK_MESSAGING_USERNAME`): the office's existing `.env` keeps working.
    public let environment: String?
    /// Whether start-up fails without a value.
    public let required: Bool
    public let help: String

    public init(_ name: String, _ type: ValueType = .string, default defaultValue: String? = nil,
                environment: String? = nil, required: Bool = false, help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.environment = environment
        self.required = required
        self.help = help
    }
}

/// A channel's config section after interpolation, defaults and type checks.
public struct ChannelSettings: Sendable {
    /// The channel's name in the config (`ventis`).
    public let name: String
    public let kind: String
    /// The config file, for error messages.
    public let file: String
    /// Values by key, as text (numbers and booleans in their JSON spelling).
    /// Settings with neither value nor default are absent.
    public let values: [String: String]

    public init(name: String, kind: String, file: String, values: [String: String]) {
        self.name = name
        self.kind = kind
        self.file = file
        self.values = values
    }

    public func string(_ key: String) -> String? { values[key] }
    public func secret(_ key: String) -> Secret { Secret(values[key] ?? "") }
    public func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
    public func double(_ key: String) -> Double? { values[key].flatMap { Double($0) } }
    public func bool(_ key: String) -> Bool? {
        switch values[key]?.lowercased() {
        case "true", "1", "yes", "oui": true
        case "false", "0", "no", "non": false
        default: nil
        }
    }

    /// An error about one of this channel's keys, naming the file and the JSON path.
    public func problem(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, path: "channels.\(name).\(key)", message)
    }
}

/// What a channel may use besides its settings: a logger, the clock, the environment,
/// and what channels share (one HTTP client).
public struct ChannelContext: Sendable {
    public var logger: Logger
    public var clock: any GatewayClock
    /// The process environment merged with `.env` (the process wins).
    public var environment: [String: String]
    /// Relative paths in settings are resolved against this folder.
    public var baseDirectory: URL
    /// Where channels count what `/metrics` shows (token fetches, for one).
    public var metrics: Metrics
    /// Shared by every channel built with this context (see `ChannelContext.httpClient`
    /// in the HTTP module); closed by ``Dispatcher/close()``.
    public var resources: ChannelResources
    /// The most transfers (threads) the shared HTTP client runs at once, all channels together.
    public var transferThreads: Int

    public init(logger: Logger = Logger(), clock: any GatewayClock = SystemClock(),
                environment: [String: String] = [:],
                baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                metrics: Metrics = Metrics(), resources: ChannelResources = ChannelResources(), transferThreads: Int = 128) {
        self.metrics = metrics
        self.resources = resources
        self.transferThreads = max(1, transferThreads)
        self.logger = logger
        self.clock = clock
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// A settings path made absolute against ``baseDirectory``.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
    }
}

/// The channel kinds a program knows, by name. The built-in table lives in
/// `channels/all/`; tests may build their own.
public struct ChannelTable: Sendable {
    public let kinds: [String: ChannelKind]

    public init(_ kinds: [ChannelKind]) {
        var table: [String: ChannelKind] = [:]
        for k in kinds {
            precondition(table[k.kind] == nil, "channel kind '\(k.kind)' registered twice")
            table[k.kind] = k
        }
        self.kinds = table
    }

    public subscript(kind: String) -> ChannelKind? { kinds[kind] }
    public var names: [String] { kinds.keys.sorted() }
}
