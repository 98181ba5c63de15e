import Foundation
import Gateway
import HTTP
import Relances

/// Access and browser settings of the API.
public struct APIConfiguration: Sendable {
    /// Accepted bearer tokens; empty: the API is open (only allowed on loopback).
    public var tokens: [String] = []
    /// Origins allowed to call the API from a browser (the office's back-office).
    public var corsOrigins: [String] = []
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
public func buildRelancesRouter(store: SQLiteRelanceStore, sender: RelanceSender, configuration: APIConfiguration) -> HTTPRouter {
    let api = RelancesAPI(store: store, sender: sender, clock: configuration.clock)
    let router = HTTPRouter()
    let idempotency = IdempotencyGuard(store: store, clock: configuration.clock, logger: configuration.logger)
    func route(_ method: String, _ path: String, _ body: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        let handler: HTTPHandler = { request in
            do { return try await body(request) } catch let error as APIError { return error.response } catch {
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
    route("GET", "/api/relances/contribuable/{id}/historique") { try api.history($0) }
    route("GET", "/api/relances/{id}") { try api.one($0) }
    route("PUT", "/api/relances/{id}") { try api.update($0) }
    route("PATCH", "/api/relances/{id}/envoyer") { try await api.send($0) }
    route("PATCH", "/api/relances/{id}/programmer") { try api.schedule($0) }
    route("PATCH", "/api/relances/{id}/effectuee") { try api.markDone($0) }
    route("GET", "/api/contribuables") { try api.searchContribuables($0) }
    route("GET", "/api/contribuables/{id}") { try api.contribuable($0) }
    route("PUT", "/api/contribuables/{id}") { try api.updateContact($0) }
    route("GET", "/api/channels") { _ in await api.channels() }
    let metrics = MetricsEndpoint(store: store, metrics: configuration.metrics, dispatcher: sender.dispatcher.metrics,
                                  logger: configuration.logger)
    router.get("/metrics") { metrics.scrape($0) }
    router.get("/healthz") { _ in .json(["status": "ok"]) }
    RelancesPage.register(on: router)
    return router
}

/// Wraps the router with the rate limit and bearer-token checks (on `/api/` and
/// `/metrics`), CORS, and the count of requests by route pattern and status.
public func relancesHandler(router: HTTPRouter, configuration: APIConfiguration) -> HTTPHandler {
    // Each token's bytes, and its rate-limit key, made once.
    let tokens = configuration.tokens.map { (bytes: Array($0.utf8), key: "token " + $0) }
    let origins = Set(configuration.corsOrigins)
    let metrics = configuration.metrics
    let limit = configuration.rateLimit.flatMap { $0 > 0 ? ClientRateLimit(rate: $0, clock: configuration.clock) : nil }
    /// The answer, and the route pattern it counts under.
    @Sendable func answer(_ request: HTTPRequest) async -> (HTTPResponse, String?) {
        let origin = request.headers["Origin"]
        let allowedOrigin = origin.flatMap { origins.contains($0) || origins.contains("*") ? $0 : nil }
        func withCORS(_ response: HTTPResponse) -> HTTPResponse {
            guard let allowedOrigin else { return response }
            var r = response
            r.headers["Access-Control-Allow-Origin"] = allowedOrigin
            // Without this a cross-origin page cannot read them: how long to wait after a
            // 429, and whether an answer is a replay of an earlier one.
            r.headers["Access-Control-Expose-Headers"] = "Retry-After, \(IdempotencyGuard.replayedHeader)"
            r.headers["Vary"] = "Origin"
            return r
        }
        if request.method == "OPTIONS" {
            guard allowedOrigin != nil else { return (.error(status: 403, detail: "Origine non autorisée"), "preflight") }
            var r = HTTPResponse(status: 204)
            r.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, OPTIONS"
            r.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, \(IdempotencyGuard.header)"
            r.headers["Access-Control-Max-Age"] = "600"
            return (withCORS(r), "preflight")
        }
        // By first segment, as the router matches (it skips empty segments): `//api/…`
        // and `/metrics/` are the same routes and must need the same token.
        let first = request.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true).first
        if first == "api" || first == "metrics" {
            // Which configured token the request carries, if any. Every token is compared
            // in full, in constant time: the answer's timing says nothing.
            let given = request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? Array($0.dropFirst(7).utf8) : nil } ?? []
            var valid: String?
            for token in tokens where constantTimeEqual(token.bytes, given) { valid = token.key }
            // Limited before the token is refused, so wrong tokens cannot be tried at full
            // speed; keyed by the token only once it is known valid (clients behind one
            // proxy are told apart), else by the address: a header the server did not
            // check cannot buy a fresh bucket.
            if let limit {
                let client = valid ?? "address " + clientAddress(request.remoteAddress)
                if let wait = limit.check(client) {
                    let seconds = max(1, Int(wait.rounded(.up)))
                    var r = HTTPResponse.error(status: 429, detail: "Trop de requêtes : réessayez dans \(seconds) s")
                    r.headers["Retry-After"] = String(seconds)
                    return (withCORS(r), router.pattern(for: request))
                }
            }
            if !tokens.isEmpty, valid == nil {
                var r = HTTPResponse.error(status: 401, detail: "Authentification requise : jeton d'API manquant ou invalide")
                r.headers["WWW-Authenticate"] = "Bearer"
                return (withCORS(r), router.pattern(for: request))
            }
        }
        let (response, pattern) = await router.handleWithPattern(request)
        return (withCORS(response), pattern)
    }
    return { request in
        let (response, route) = await answer(request)
        // Labels from fixed sets only (patterns, known methods), so a client cannot grow the series.
        let method = knownMethods.contains(request.method) ? request.method : "other"
        metrics.increment("relances_api_requests_total", ["method": method, "route": route ?? "unmatched", "status": String(response.status)],
                          help: "HTTP requests by method, route pattern and status.")
        return response
    }
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
