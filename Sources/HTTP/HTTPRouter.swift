import Foundation
import Synchronization

/// Routes requests by method and path pattern. Patterns have literal segments and
/// `{name}` parameters (`/api/relances/{id}/envoyer`); a trailing slash is optional on
/// every route; a literal segment beats a parameter (`/statistiques` before `/{id}`).
/// An unknown path is a 404, a known path with another method a 405 with `Allow`.
public final class HTTPRouter: Sendable {
    struct Route: Sendable {
        var method: String
        /// As added (`/api/relances/{id}`): the label metrics and logs use, never the raw path.
        var pattern: String
        var segments: [Segment]
        var handler: HTTPHandler
        /// Set for routes that never suspend: they run on the connection's thread.
        var immediate: (@Sendable (HTTPRequest) -> HTTPResponse)?
        var literals: Int { segments.filter { if case .literal = $0 { true } else { false } }.count }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// Read on every request by every connection thread, written only while routes are
    /// added: a reader-writer lock keeps readers from queueing behind each other.
    private let routes = ReadMostly<[Route]>([])

    public init() {}

    /// Adds a route. Routes are added before the server starts.
    public func add(_ method: String, _ pattern: String, _ handler: @escaping HTTPHandler) {
        let segments = Self.split(pattern).map { s -> Segment in
            s.hasPrefix("{") && s.hasSuffix("}") ? .parameter(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        routes.write { $0.append(Route(method: method.uppercased(), pattern: pattern, segments: segments, handler: handler)) }
    }

    /// Adds a route whose handler never waits (a store read, a ping): the server runs
    /// it on the connection's own thread, without a hop to Swift's cooperative pool.
    public func add(_ method: String, _ pattern: String, immediate handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        let wrapped: HTTPHandler = { request in handler(request) }
        add(method, pattern, wrapped)
        routes.write { $0[$0.count - 1].immediate = handler }
    }

    public func get(_ pattern: String, _ handler: @escaping HTTPHandler) { add("GET", pattern, handler) }
    public func post(_ pattern: String, _ handler: @escaping HTTPHandler) { add("POST", pattern, handler) }
    public func put(_ pattern: String, _ handler: @escaping HTTPHandler) { add("PUT", pattern, handler) }
    public func patch(_ pattern: String, _ handler: @escaping HTTPHandler) { add("PATCH", pattern, handler) }
    public func delete(_ pattern: String, _ handler: @escaping HTTPHandler) { add("DELETE", pattern, handler) }

    /// This router as a server handler.
    public var handler: HTTPHandler { { [self] request in await handle(request) } }

    /// For ``HTTPServer``: answers at once when the route is immediate (or there is no
    /// route), nil when the async handler must run.
    public var fastPath: @Sendable (HTTPRequest) -> HTTPResponse? {
        { [self] request in
            switch resolve(request) {
            case .response(let r): return r
            case .route(let route, let routed): return route.immediate?(routed)
            }
        }
    }

    enum Resolution {
        case response(HTTPResponse)
        case route(Route, HTTPRequest)
    }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        await handleWithPattern(request).response
    }

    /// Handles the request and says which route pattern answered it (nil for a 404 or
    /// 405 the router gave itself), so callers can count requests per route without one
    /// label per id.
    public func handleWithPattern(_ request: HTTPRequest) async -> (response: HTTPResponse, pattern: String?) {
        switch resolve(request) {
        case .response(let r): return (r, nil)
        case .route(let route, let routed): return (await route.handler(routed), route.pattern)
        }
    }

    /// The pattern of the route that would answer `request`, or nil when none would.
    public func pattern(for request: HTTPRequest) -> String? {
        if case .route(let route, _) = resolve(request) { return route.pattern }
        return nil
    }

    func resolve(_ request: HTTPRequest) -> Resolution {
        let path = Self.split(request.path)
        let method = request.method == "HEAD" ? "GET" : request.method
        var best: (route: Route, parameters: [String: String])?
        var allowed = Set<String>()
        for route in routes.read({ $0 }) {
            guard let parameters = Self.match(route.segments, path) else { continue }
            allowed.insert(route.method)
            guard route.method == method else { continue }
            if best == nil || route.literals > best!.route.literals { best = (route, parameters) }
        }
        guard let best else {
            if allowed.isEmpty { return .response(.error(status: 404, detail: "Not Found")) }
            if allowed.contains("GET") { allowed.insert("HEAD") }
            var response = HTTPResponse.error(status: 405, detail: "Method Not Allowed")
            response.headers["Allow"] = allowed.sorted().joined(separator: ", ")
            return .response(response)
        }
        var routed = request
        routed.pathParameters = best.parameters
        return .route(best.route, routed)
    }

    static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    static func match(_ pattern: [Segment], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(pattern, path) {
            switch segment {
            case .literal(let text): if text != part { return nil }
            case .parameter(let name): parameters[name] = String(part)
            }
        }
        return parameters
    }
}
