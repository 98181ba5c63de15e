import Foundation
import Gateway
import HTTP

/// One access token for every send: fetched by one request however many sends wait
/// for it, reused until 90 % of its lifetime, dropped when the API says 401.
actor KeycloakTokenProvider {
    struct Settings: Sendable {
        var tokenURL: String
        var clientID: String
        var clientSecret: Secret
        var username: String
        var password: Secret
        var refreshRatio: Double
        var timeout: Double
    }

    private let settings: Settings
    private let client: any HTTPTransport
    private let clock: any GatewayClock
    private let logger: Logger
    private let metrics: Metrics
    private var current: (token: Secret, renewAt: Date)?
    private var pending: Task<Result<(Secret, Double), ChannelError>, Never>?
    private var pendingSince = Date.distantPast

    init(settings: Settings, client: any HTTPTransport, clock: any GatewayClock, logger: Logger, metrics: Metrics) {
        self.settings = settings
        self.client = client
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    /// A valid token: the current one, or the one being fetched, or a new fetch.
    func token() async throws(ChannelError) -> Secret {
        if let current, clock.now() < current.renewAt { return current.token }
        let task: Task<Result<(Secret, Double), ChannelError>, Never>
        if let pending {
            task = pending
        } else {
            let settings = self.settings, client = self.client, logger = self.logger
            task = Task { await Self.fetch(settings, client: client, logger: logger) }
            pending = task
            pendingSince = clock.now()
            metrics.increment("relances_token_fetches_total", help: "Keycloak token requests made.")
        }
        let result = await task.value
        // Only the first waiter to wake installs the result: a later one must not put back
        // a token that a 401 has invalidated in between.
        if pending == task {
            pending = nil
            if case .success(let (token, lifetime)) = result {
                // Counted from when the request left, so the token is never used past its life.
                current = (token, pendingSince.addingTimeInterval(lifetime * settings.refreshRatio))
            }
        }
        return try result.get().0
    }

    /// Forgets `token` if it is still the current one (the API refused it).
    func invalidate(_ token: Secret) {
        if current?.token == token { current = nil }
    }

    static func fetch(_ s: Settings, client: any HTTPTransport, logger: Logger) async -> Result<(Secret, Double), ChannelError> {
        var fields = [("grant_type", "password"), ("client_id", s.clientID), ("username", s.username), ("password", s.password.value)]
        // The office's client is public: an empty secret is left out, not sent empty.
        if !s.clientSecret.isEmpty { fields.append(("client_secret", s.clientSecret.value)) }
        let response: HTTPClientResponse
        do {
            response = try await client.postForm(url: s.tokenURL, fields: fields, timeout: s.timeout)
        } catch {
            logger.error("Keycloak token request failed", ["error": error.description])
            switch ChannelError(transport: error) {
            case .connection(let why): return .failure(.connection("Keycloak injoignable (\(s.tokenURL)) : \(why)"))
            case let other: return .failure(VentisSMSChannel.hinted(other))
            }
        }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.status == 200, let token = json?["access_token"] as? String, !token.isEmpty else {
            let code = json?["error"] as? String
            let description = json?["error_description"] as? String
            let why = [code, description].compactMap { $0 }.joined(separator: " : ")
            let detail = why.isEmpty ? "HTTP \(response.status) \(ChannelError.cut(response.text))" : "\(why) (HTTP \(response.status))"
            logger.error("Keycloak refused the token request", ["status": response.status, "error": code ?? "", "description": description ?? ""])
            if response.status >= 500 { return .failure(.providerUnavailable(status: response.status, body: "Keycloak : \(detail)")) }
            return .failure(ChannelError.authentication("token Keycloak non obtenu : \(detail)").hint(VentisSMSChannel.credentialsHint))
        }
        let lifetime = (json?["expires_in"] as? NSNumber)?.doubleValue ?? 300
        logger.debug("Keycloak token obtained", ["expires_in": lifetime])
        return .success((Secret(token), lifetime))
    }
}
