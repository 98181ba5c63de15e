import Gateway

/// Limits and addresses of an ``HTTPServer``. The defaults suit the office's API on
/// one machine; tests shorten the timeouts.
public struct HTTPServerConfiguration: Sendable {
    /// The address to listen on: loopback by default, so nothing is exposed by accident.
    public var host: String = "127.0.0.1"
    /// 0 asks the system for a free port (tests); ``HTTPServer/port`` tells which.
    public var port: Int = 0
    /// Requests being served at once (each holds a thread); one more gets a 503 and is
    /// closed. Idle connections do not count: they wait in one poll loop, not a thread.
    public var maxConnections: Int = 1024
    /// Open connections, idle or not; beyond it, 503 and close. When more than three
    /// quarters are in use, idle ones are closed after ``crowdedIdleTimeout``.
    public var maxOpenConnections: Int = 8192
    /// Open connections from one address; beyond it, 503 and close: one client cannot
    /// take the room everyone shares. Behind a reverse proxy on this machine every client
    /// has the proxy's address: raise it (or let the proxy limit per client).
    public var maxConnectionsPerAddress: Int = 1024
    /// Requests being served at once for one address (a slow client holds its thread
    /// until its request is whole, up to ``readTimeout``); beyond it, 503 and close: one
    /// address cannot take more than half the threads. Behind a local reverse proxy: raise it.
    public var maxBusyConnectionsPerAddress: Int = 512
    /// Seconds an idle connection is kept when the server is near ``maxOpenConnections``.
    public var crowdedIdleTimeout: Double = 5
    /// Seconds a connection's thread waits for the next request on a keep-alive
    /// connection before parking it in the poll loop (a busy client keeps its thread).
    public var keepAliveHold: Double = 0.25
    /// Checks a request as soon as its head is read, before its body: nil lets it
    /// through (it may set ``HTTPRequest/principal``), a response refuses it (written,
    /// then the connection is closed without reading the body into memory).
    public var admission: (@Sendable (inout HTTPRequest) -> HTTPResponse?)?
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
