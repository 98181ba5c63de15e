import Foundation
import Gateway

/// The transport settings every network channel takes, under the same names: TLS
/// verification, CA file, timeouts, proxy, requests in flight. A channel lists
/// ``specs(verifyEnvironment:timeout:maxConnections:)`` with its own settings and reads
/// them with ``init(_:context:logger:verifyEnvironment:)``.
public struct TransportSettings: Sendable, Equatable {
    public var verifyTLS: Bool
    /// An absolute path, or nil for the system's authorities.
    public var caFile: String?
    public var connectTimeout: Double
    public var timeout: Double
    public var proxy: String?
    public var maxConnections: Int

    public init(verifyTLS: Bool = true, caFile: String? = nil, connectTimeout: Double = 10, timeout: Double = 30,
                proxy: String? = nil, maxConnections: Int = 16) {
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.proxy = proxy
        self.maxConnections = maxConnections
    }

    /// The settings' specs; `verifyEnvironment` is the variable `verify_ssl` falls back
    /// to (the office's `KEYCLOAK_VERIFY_SSL` for the SMS channel).
    public static func specs(verifyEnvironment: String? = nil, timeout: String = "30", maxConnections: String = "16") -> [SettingSpec] {
        [
            SettingSpec("verify_ssl", .boolean, default: "true", environment: verifyEnvironment,
                        help: "verify TLS certificates (false: warned at start-up)"),
            SettingSpec("ca_file", default: "", help: "PEM file of certificates to trust instead of the system's"),
            SettingSpec("connect_timeout_seconds", .number, default: "10", help: "how long to wait for the connection"),
            SettingSpec("timeout_seconds", .number, default: timeout, help: "how long one exchange may take in all"),
            SettingSpec("proxy", default: "", help: "http://host:port of a proxy; empty: none but the https_proxy variables"),
            SettingSpec("max_connections", .integer, default: maxConnections, help: "this channel's requests in flight at once"),
        ]
    }

    /// Reads and checks the settings; warns once when verification is off, naming the
    /// channel's own setting (and its variable, when it has one).
    public init(_ settings: ChannelSettings, context: ChannelContext, logger: Logger, verifyEnvironment: String? = nil) throws(ConfigError) {
        let timeout = settings.double("timeout_seconds") ?? 30
        guard timeout > 0 else { throw settings.problem("timeout_seconds", "must be positive") }
        let connect = settings.double("connect_timeout_seconds") ?? 10
        guard connect > 0 else { throw settings.problem("connect_timeout_seconds", "must be positive") }
        let connections = settings.int("max_connections") ?? 16
        guard connections >= 1 else { throw settings.problem("max_connections", "must be at least 1") }
        let proxy = (settings.string("proxy") ?? "").trimmingCharacters(in: .whitespaces)
        if !proxy.isEmpty {
            let schemes = ["http://", "https://", "socks5://", "socks5h://"]
            guard schemes.contains(where: proxy.hasPrefix), URL(string: proxy)?.host != nil else {
                throw settings.problem("proxy", "'\(proxy)' is not a proxy URL; write http://host:port")
            }
        }
        let ca = (settings.string("ca_file") ?? "").trimmingCharacters(in: .whitespaces)
        self.verifyTLS = settings.bool("verify_ssl") ?? true
        self.caFile = ca.isEmpty ? nil : context.resolve(ca).path
        self.connectTimeout = connect
        self.timeout = timeout
        self.proxy = proxy.isEmpty ? nil : proxy
        self.maxConnections = connections
        if !verifyTLS {
            let variable = verifyEnvironment.map { " or \($0)=false" } ?? ""
            logger.warnOnce("tls-verify-off-\(settings.name)",
                            "TLS certificate verification is OFF for channel '\(settings.name)' (channels.\(settings.name).verify_ssl=false\(variable)): the provider's identity is not checked")
        }
    }

    /// The client configuration these settings make.
    public func clientConfiguration(logger: Logger, debug: Bool = false) -> CurlHTTPClient.Configuration {
        var configuration = CurlHTTPClient.Configuration(verifyTLS: verifyTLS, caFile: caFile, connectTimeout: connectTimeout,
                                                         timeout: timeout, maxConcurrentRequests: maxConnections,
                                                         logger: logger, debug: debug, proxy: proxy)
        configuration.warnWhenInsecure = false
        return configuration
    }
}

extension ChannelContext {
    /// A client on the program's one set of HTTP worker threads (``transferThreads`` in
    /// all), with these TLS settings and this channel's cap on requests in flight.
    /// Makes no connection: the first request does.
    public func httpClient(_ transport: TransportSettings, logger: Logger, debug: Bool = false) -> CurlHTTPClient {
        let pool = resources.shared("curl-workers") { CurlWorkerPool(limit: transferThreads) }
        return CurlHTTPClient(configuration: transport.clientConfiguration(logger: logger, debug: debug), pool: pool, owned: false,
                              owner: resources)
    }
}
