import Foundation
import Gateway
import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// What every request passes before the API does anything, checked on its head alone
/// (the server calls it before reading a body):
///
/// 1. `Host` must name this server (an address it listens on, a configured public
///    name, or a loopback name when it listens on loopback): a page on a DNS name that
///    suddenly resolves to 127.0.0.1 (DNS rebinding) gets 400.
/// 2. A state-changing request (`POST`, `PUT`, `PATCH`, `DELETE`) whose `Origin` (or,
///    without one, `Referer`) is another site's than the server's own and the allowed
///    ones gets 403: a page elsewhere cannot make the server act (CSRF).
/// 3. `/api/…` and `/metrics`: the rate limit (429), then the credentials (401): an
///    API token, or the office's JWT when a secret is set.
/// 4. A body must be `application/json` (415): a form or `text/plain` post, which a
///    browser sends cross-site without asking, is never read as JSON.
final class RequestGate: Sendable {
    private struct Token: Sendable {
        var bytes: [UInt8]
        var label: String
        /// The rate limit's key for it, made once.
        var key: String
    }

    private let tokens: [Token]
    private let jwt: JWTVerifier?
    let origins: Set<String>
    private let hosts: Set<String>
    private let limit: ClientRateLimit?
    private let clock: any GatewayClock
    private let logger: Logger

    /// The headers the office's page sends on every request, allowed by the preflight.
    static let allowedHeaders = ["Authorization", "Content-Type", "Cache-Control", "Pragma", "X-Requested-With", IdempotencyGuard.header]

    init(configuration: APIConfiguration) {
        tokens = APIToken.parse(configuration.tokens).map { Token(bytes: Array($0.value.value.utf8), label: $0.label, key: "token " + $0.value.value) }
        jwt = configuration.jwtSecret.map { JWTVerifier(secret: $0) }
        origins = Set(configuration.corsOrigins.map(Self.normalizedOrigin))
        hosts = Self.allowedHosts(listening: configuration.listenHost, publicNames: configuration.publicNames)
        limit = configuration.rateLimit.flatMap { $0 > 0 ? ClientRateLimit(rate: $0, clock: configuration.clock) : nil }
        clock = configuration.clock
        logger = configuration.logger
    }

    var requiresCredentials: Bool { !tokens.isEmpty || jwt != nil }

    /// Nil to let the request through (its ``HTTPRequest/principal`` set when it
    /// authenticated), else the refusal.
    func admit(_ request: inout HTTPRequest) -> HTTPResponse? {
        if let host = request.headers["Host"], !hosts.contains(Self.hostName(host)) {
            return .error(status: 400, detail: "En-tête Host inconnu : ce serveur ne répond qu'à ses propres adresses et noms (voir RELANCES_PUBLIC_NAMES)")
        }
        if request.method == "OPTIONS" { return nil }
        if Self.changesState(request.method), let origin = Self.requestOrigin(request), !isAllowed(origin: origin, request) {
            return withCORS(.error(status: 403, detail: "Origine non autorisée : une page d'un autre site ne peut pas modifier les relances"), request)
        }
        let first = request.path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true).first
        // By first segment, as the router matches (it skips empty segments): `//api/…`
        // and `/metrics/` are the same routes and must need the same credentials.
        if first == "api" || first == "metrics" {
            let who = authenticate(request)
            // Limited before the credentials are refused, so wrong tokens cannot be tried
            // at full speed; keyed by the caller only once it is known valid (clients
            // behind one proxy are told apart), else by the address: a header the server
            // did not check cannot buy a fresh bucket.
            if let limit {
                let client = who?.key ?? "address " + clientAddress(request.remoteAddress)
                if let wait = limit.check(client) {
                    let seconds = max(1, Int(wait.rounded(.up)))
                    var r = HTTPResponse.error(status: 429, detail: "Trop de requêtes : réessayez dans \(seconds) s")
                    r.headers["Retry-After"] = String(seconds)
                    return withCORS(r, request)
                }
            }
            if requiresCredentials {
                guard let who else {
                    var r = HTTPResponse.error(status: 401, detail: "Authentification requise : jeton d'API ou de session manquant ou invalide")
                    r.headers["WWW-Authenticate"] = "Bearer"
                    return withCORS(r, request)
                }
                request.principal = who.name
            }
        }
        if Self.changesState(request.method), (Int(request.headers["Content-Length"] ?? "0") ?? 0) > 0,
           !Self.isJSON(request.headers["Content-Type"]) {
            return withCORS(.error(status: 415, detail: "Type de contenu non pris en charge : envoyez le corps en JSON (Content-Type: application/json)"), request)
        }
        return nil
    }

    /// The caller the credentials name (its name for records, its rate-limit key), or
    /// nil. Every API token is compared in full, in constant time.
    private func authenticate(_ request: HTTPRequest) -> (name: String, key: String)? {
        guard let credentials = Self.bearer(request.headers["Authorization"]) else { return nil }
        var refusal: JWTVerifier.Refusal?
        if let jwt, JWTVerifier.looksLikeJWT(credentials) {
            switch jwt.verify(credentials, now: clock.now()) {
            case .success(let identity): return (identity.subject, "user " + identity.subject)
            case .failure(let why): refusal = why   // unless it is an API token with two dots
            }
        }
        let given = Array(credentials.utf8)
        var found: Token?
        for token in tokens where constantTimeEqual(token.bytes, given) { found = token }
        if found == nil, let refusal {
            logger.info("session token refused", ["why": refusal.description, "from": clientAddress(request.remoteAddress)])
        }
        return found.map { ($0.label, $0.key) }
    }

    /// The credentials of `Bearer <credentials>`, the scheme in any case (RFC 9110 §11.1).
    static func bearer(_ header: String?) -> String? {
        guard let header, header.utf8.count > 7, header.prefix(6).lowercased() == "bearer",
              header.dropFirst(6).first == " " else { return nil }
        let credentials = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return credentials.isEmpty ? nil : credentials
    }

    /// Adds the CORS headers when the request comes from an allowed origin.
    func withCORS(_ response: HTTPResponse, _ request: HTTPRequest) -> HTTPResponse {
        guard let origin = request.headers["Origin"], origins.contains("*") || origins.contains(Self.normalizedOrigin(origin)) else {
            return response
        }
        var r = response
        r.headers["Access-Control-Allow-Origin"] = origin
        // Without this a cross-origin page cannot read them: how long to wait after a
        // 429, and whether an answer is a replay of an earlier one.
        r.headers["Access-Control-Expose-Headers"] = "Retry-After, \(IdempotencyGuard.replayedHeader)"
        r.headers["Vary"] = "Origin"
        return r
    }

    /// The answer to a CORS preflight: 204 with what the office's page needs for an
    /// allowed origin, 403 for another.
    func preflight(_ request: HTTPRequest) -> HTTPResponse {
        guard let origin = request.headers["Origin"], origins.contains("*") || origins.contains(Self.normalizedOrigin(origin)) else {
            return .error(status: 403, detail: "Origine non autorisée")
        }
        var r = HTTPResponse(status: 204)
        r.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
        r.headers["Access-Control-Allow-Headers"] = Self.allowedHeaders.joined(separator: ", ")
        r.headers["Access-Control-Max-Age"] = "600"
        return withCORS(r, request)
    }

    // MARK: origins

    static func changesState(_ method: String) -> Bool { ["POST", "PUT", "PATCH", "DELETE"].contains(method) }

    /// `Origin`, else the origin of `Referer`; nil when the request carries neither
    /// (a script, curl: no browser to trick).
    static func requestOrigin(_ request: HTTPRequest) -> String? {
        if let origin = request.headers["Origin"] { return origin }
        guard let referer = request.headers["Referer"], !referer.isEmpty else { return nil }
        // A Referer that is not a URL is not this server's page.
        guard let url = URLComponents(string: referer), let scheme = url.scheme, let host = url.host else { return "null" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The server's own origin (its `Host`, already checked) or an allowed one.
    func isAllowed(origin: String, _ request: HTTPRequest) -> Bool {
        let normalized = Self.normalizedOrigin(origin)
        if origins.contains("*") || origins.contains(normalized) { return true }
        guard let host = request.headers["Host"], let own = URLComponents(string: normalized), let ownHost = own.host else { return false }
        let authority = ownHost.lowercased() + (own.port.map { ":\($0)" } ?? "")
        return authority == Self.normalizedAuthority(host, scheme: own.scheme ?? "http")
    }

    /// `HTTPS://Office.ga:443/` → `https://office.ga`: how two spellings of one origin compare.
    static func normalizedOrigin(_ origin: String) -> String {
        guard let url = URLComponents(string: origin.trimmingCharacters(in: .whitespaces)), let scheme = url.scheme?.lowercased(),
              let host = url.host?.lowercased(), !host.isEmpty else { return origin }
        let port = url.port.flatMap { (scheme == "http" && $0 == 80) || (scheme == "https" && $0 == 443) ? nil : $0 }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (port.map { ":\($0)" } ?? "")
    }

    /// A `Host` value as an origin's authority: lowercase, the scheme's default port dropped.
    static func normalizedAuthority(_ host: String, scheme: String) -> String {
        let lower = host.lowercased().trimmingCharacters(in: .whitespaces)
        let name = hostName(lower)
        let rest = lower.hasPrefix("[") ? lower.drop { $0 != "]" }.dropFirst() : lower.drop { $0 != ":" }
        let port = rest.hasPrefix(":") ? String(rest.dropFirst()) : ""
        let defaultPort = scheme == "https" ? "443" : "80"
        let shownHost = name.contains(":") ? "[\(name)]" : name
        return port.isEmpty || port == defaultPort ? shownHost : "\(shownHost):\(port)"
    }

    // MARK: hosts

    /// The name in a `Host` value, without port, brackets or final dot, lowercase.
    static func hostName(_ host: String) -> String {
        var h = Substring(host.lowercased().trimmingCharacters(in: .whitespaces))
        if h.hasPrefix("[") {
            h = h.dropFirst().prefix { $0 != "]" }
        } else if let colon = h.lastIndex(of: ":"), h[h.index(after: colon)...].allSatisfy(\.isNumber) {
            h = h[..<colon]
        }
        while h.hasSuffix(".") { h = h.dropLast() }
        return String(h)
    }

    /// The names `Host` may carry: the address listened on (every local address for
    /// `0.0.0.0`), loopback names when loopback is listened on, and the public names.
    static func allowedHosts(listening host: String, publicNames: [String]) -> Set<String> {
        var names = Set(publicNames.map(hostName))
        let loopback: Set<String> = ["localhost", "127.0.0.1", "::1"]
        switch host {
        case "0.0.0.0", "::", "":
            names.formUnion(loopback)
            names.formUnion(localAddresses())
            if let hostname = ProcessInfo.processInfo.hostName.split(separator: ".").first { names.insert(hostname.lowercased()) }
        case _ where host == "localhost" || host.hasPrefix("127."):
            names.formUnion(loopback)
            names.insert(hostName(host))
        default:
            names.insert(hostName(host))
        }
        return names
    }

    /// This machine's IPv4 addresses.
    static func localAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var out: [String] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet4 in
                var a = inet4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &a, &text, socklen_t(INET_ADDRSTRLEN))
            }
            out.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return out
    }

    /// `application/json`, parameters (`; charset=utf-8`) allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return media == "application/json"
    }
}
