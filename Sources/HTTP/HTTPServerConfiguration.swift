import Gateway

/// Limits and addresses of an ``HTTPServer``. The defaults suit the office's API on
/// one machine; tests shorten the timeouts.
public struct HTTPServerConfiguration: Sendable {
    /// The address to listen on: loopback by default, so nothing is exposed by accident.
    public var host: String = "127.0.0.1"
    /// 0 asks the system for a free port (tests); ``HTTPServer/port`` tells which.
    public var port: Int = 0
    /// Connections served at once; one more gets a 503 and is closed.
    public var maxConnections: Int = 1024
    /// The request line (method, target, version); longer gets 414.
    public var maxRequestLineBytes: Int = 8 * 1024
    /// All header lines together; more gets 431.
    public var maxHeaderBytes: Int = 32 * 1024
    /// A request body; larger gets 413 before it is read.
    public var maxBodyBytes: Int = 1024 * 1024
    /// Seconds a started request may take to arrive whole; then 408 and close.
    public var readTimeout: Double = 30
    /// Seconds a keep-alive connection may sit idle between requests.
    public var idleTimeout: Double = 60
    /// After a refusal (400, 413, 503…), seconds spent reading and discarding what the
    /// client still sends before closing, so that it reads the answer instead of a reset.
    public var lingerTimeout: Double = 2
    /// Requests served on one connection before it is closed (spreads load over time).
    public var maxRequestsPerConnection: Int = 10_000
    public var logger: Logger = Logger(label: "http")
    /// One log line per request: method, path, status, duration.
    public var accessLog: Bool = false

    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        self.port = port
    }
}
