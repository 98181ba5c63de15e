import Foundation

/// A request as the server parsed it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query string, percent-decoded.
    public var path: String
    /// The query parameters, percent-decoded, in order.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: Data
    /// Filled by the router from `{name}` segments of the matched pattern.
    public var pathParameters: [String: String]
    /// The peer's address, for logs.
    public var remoteAddress: String
    /// Who sent it, as the server's admission check (``HTTPServerConfiguration/admission``)
    /// authenticated them: a name for records, nil when anonymous.
    public var principal: String?
    /// True once the admission check passed the request's head (so a handler that runs
    /// the same checks does not run them twice).
    public var admitted = false

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = [:],
                body: Data = Data(), pathParameters: [String: String] = [:], remoteAddress: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.remoteAddress = remoteAddress
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

/// A response to write.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// When set, the server writes nothing and closes the connection: how a test
    /// double plays a provider that hangs up or never answers.
    public var dropsConnection = false

    public init(status: Int = 200, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// No answer at all: the connection is closed as soon as the handler returns.
    public static func dropConnection() -> HTTPResponse {
        var response = HTTPResponse(status: 0)
        response.dropsConnection = true
        return response
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Data(text.utf8))
    }

    public static func json(data: Data, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: data)
    }
}

/// What answers requests: a router, or any closure. Its task prefers the connection's
/// own thread (a task executor, never the cooperative pool's), which runs it and waits
/// for it; child tasks it makes (task groups, `async let`) run there too. Wrap
/// CPU-heavy children in `withTaskExecutorPreference(globalConcurrentExecutor)` to
/// spread them over the pool.
public typealias HTTPHandler = @Sendable (HTTPRequest) async -> HTTPResponse
