import Foundation
import Gateway
import HTTP
import Relances

/// Access and browser settings of the API.
public struct APIConfiguration: Sendable {
    /// Accepted bearer tokens, each `label:token` or the token alone (see ``APIToken``);
    /// with no token and no ``jwtSecret`` the API is open (only allowed on loopback).
    public var tokens: [String] = []
    /// The office back-office's `SECRET_KEY`: its session tokens (JWT HS256) are then
    /// accepted as `Authorization: Bearer <jwt>`, alongside the API tokens.
    public var jwtSecret: Secret?
    /// Origins allowed to call the API from a browser (the office's back-office); they
    /// may also change things (others get 403 on a POST, PUT, PATCH or DELETE).
    public var corsOrigins: [String] = []
    /// The address the server listens on: `Host` must name it (or, on loopback,
    /// `localhost`); `0.0.0.0` stands for every local address.
    public var listenHost = "127.0.0.1"
    /// Other names `Host` may carry: the public names of the server behind its proxy.
    public var publicNames: [String] = []
    public var logger = Logger(label: "api")
    /// Where requests are counted by route and status, shown with the dispatcher's
    /// figures at `GET /metrics`. Pass the dispatcher's to keep one registry.
    public var metrics: Metrics
    /// `/api` and `/metrics` requests a second per client (its valid token, else its
    /// address), bursts of twice that; over it, 429, before any 401. Nil or 0: no limit.
    public var rateLimit: Double?
    /// The API's clock: the rate limit's, the handlers' "now", the age of idempotency
    /// keys (a test clock in tests).
    public var clock: any GatewayClock = SystemClock()

    public init(tokens: [String] = [], corsOrigins: [String] = [], logger: Logger = Logger(label: "api"), metrics: Metrics = Metrics(),
                rateLimit: Double? = nil) {
        self.tokens = tokens
        self.corsOrigins = corsOrigins
        self.logger = logger
        self.metrics = metrics
        self.rateLimit = rateLimit
    }
}

/// The `/api/relances` backend of the office's page, the taxpayer search, the channels'
/// health, `/healthz`, `/metrics` and the page itself, as one router.
public func buildRelancesRouter(store: any APIStore, sender: RelanceSender, configuration: APIConfiguration) -> HTTPRouter {
    let api = RelancesAPI(store: store, sender: sender, clock: configuration.clock)
    let router = HTTPRouter()
    let idempotency = IdempotencyGuard(store: store, clock: configuration.clock, logger: configuration.logger)
    func route(_ method: String, _ path: String, _ body: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        let logger = configuration.logger
        let handler: HTTPHandler = { request in
            do { return try await body(request) } catch let error as APIError {
                // A server error is logged with its cause before the answer, which never carries it.
                if error.status >= 500 {
                    logger.error("request failed", ["method": request.method, "route": path, "status": error.status,
                                                    "cause": error.cause ?? error.detail])
                }
                return error.response
            } catch {
                logger.error("request failed", ["method": request.method, "route": path, "status": 500, "cause": String(describing: error)])
                return .error(status: 500, detail: "Erreur interne")
            }
        }
        // Every route that changes something honours Idempotency-Key.
        router.add(method, path, method == "GET" ? handler : idempotency.wrap(handler))
    }
    route("GET", "/api/relances") { try api.list($0) }
    route("POST", "/api/relances") { try api.create($0) }
    route("GET", "/api/relances/statistiques") { try api.statistics($0) }
    route("GET", "/api/relances/statistiques/quotidiennes") { try api.dailyStatistics($0) }
    route("GET", "/api/relances/export.csv") { try api.exportCSV($0) }
    route("POST", "/api/relances/generer-automatique") { try await api.generate($0) }
    route("POST", "/api/relances/manuelles") { try api.manual($0) }
    route("POST", "/api/relances/envoyer") { try await api.sendMany($0) }
    route("GET", "/api/relances/contribuable/{id}/historique") { try api.history($0) }
    route("GET", "/api/relances/{id}") { try api.one($0) }
    route("GET", "/api/relances/{id}/journal") { try api.journal($0) }
    route("PUT", "/api/relances/{id}") { try api.update($0) }
    route("PATCH", "/api/relances/{id}/envoyer") { try await api.send($0) }
    route("PATCH", "/api/relances/{id}/programmer") { try api.schedule($0) }
    route("PATCH", "/api/relances/{id}/effectuee") { try api.markDone($0) }
    route("GET", "/api/contribuables") { try api.searchContribuables($0) }
    route("GET", "/api/contribuables/{id}") { try api.contribuable($0) }
    route("PUT", "/api/contribuables/{id}") { try api.updateContact($0) }
    route("GET", "/api/channels") { _ in await api.channels() }
    route("GET", "/api/courriers/{file}") { request in
        CourrierDownload.response(file: request.pathParameters["file"] ?? "", folders: sender.dispatcher.documentsFolders)
    }
    let metrics = MetricsEndpoint(store: store, metrics: configuration.metrics, dispatcher: sender.dispatcher.metrics,
                                  logger: configuration.logger)
    router.get("/metrics") { metrics.scrape($0) }
    router.get("/healthz") { _ in .json(["status": "ok"]) }
    RelancesPage.register(on: router)
    return router
}

/// The API's handler, and the check the server runs on each request's head before
/// reading its body (``RequestGate``): give `admission` to the server's configuration.
public struct RelancesService: Sendable {
    public let handler: HTTPHandler
    public let admission: @Sendable (inout HTTPRequest) -> HTTPResponse?
}

/// Wraps the router with the checks of ``RequestGate`` (Host, origin, rate limit,
/// credentials, content type), CORS, and the count of requests by route pattern and
/// status.
public func relancesService(router: HTTPRouter, configuration: APIConfiguration) -> RelancesService {
    let gate = RequestGate(configuration: configuration)
    let metrics = configuration.metrics
    @Sendable func count(_ request: HTTPRequest, _ status: Int, _ route: String?) {
        // Labels from fixed sets only (patterns, known methods), so a client cannot grow the series.
        let method = knownMethods.contains(request.method) ? request.method : "other"
        metrics.increment("relances_api_requests_total", ["method": method, "route": route ?? "unmatched", "status": String(status)],
                          help: "HTTP requests by method, route pattern and status.")
    }
    let admission: @Sendable (inout HTTPRequest) -> HTTPResponse? = { request in
        guard let refusal = gate.admit(&request) else { return nil }
        count(request, refusal.status, router.pattern(for: request))
        return refusal
    }
    let handler: HTTPHandler = { incoming in
        var request = incoming
        // Wired without the server's admission (or called directly): the same checks, so
        // the handler is never open by mistake.
        if !request.admitted, let refusal = admission(&request) { return refusal }
        if request.method == "OPTIONS" {
            let r = gate.preflight(request)
            count(request, r.status, "preflight")
            return r
        }
        let (response, pattern) = await router.handleWithPattern(request)
        count(request, response.status, pattern)
        return gate.withCORS(response, request)
    }
    return RelancesService(handler: handler, admission: admission)
}

/// ``relancesService(router:configuration:)``'s handler alone.
public func relancesHandler(router: HTTPRouter, configuration: APIConfiguration) -> HTTPHandler {
    relancesService(router: router, configuration: configuration).handler
}

/// The peer's address without its port (`10.0.0.7:51234` → `10.0.0.7`).
func clientAddress(_ remote: String) -> String {
    let address = remote.split(separator: ":").dropLast().joined(separator: ":")
    return address.isEmpty ? remote : address
}

private let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

/// Compares two byte strings without stopping at the first difference.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var diff = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for i in 0..<max(a.count, b.count) {
        diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
    }
    return diff == 0
}
