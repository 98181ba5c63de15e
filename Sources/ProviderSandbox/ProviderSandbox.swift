import Foundation
import Gateway
import HTTP
import Synchronization

/// A local stand-in for Keycloak and the Ventis Messaging API that speaks exactly
/// the Ventis wire protocol (`channels/ventis-sms/README.md`): the password grant, bearer tokens that expire, the
/// pipe-delimited answers. It records what it received and fails on demand, so the
/// SMS channel is tested, demonstrated and benchmarked without leaving the machine.
public final class ProviderSandbox: Sendable {
    public typealias Configuration = SandboxConfiguration

    struct State {
        var configuration: SandboxConfiguration
        var tokens: [String: Date] = [:]     // token → expiry
        var received: [SandboxMessage] = []
        var tokenRequests = 0
        var messageRequests = 0
    }

    private let state: Mutex<State>
    private let clock: any GatewayClock
    private let random: @Sendable () -> Double
    private let server: HTTPServer
    private let logger: Logger
    /// Set by ``stop()``: cuts short the requests a timeout fault is holding.
    private let stopping = Atomic<Bool>(false)

    /// - Parameters:
    ///   - clock: tokens expire on this clock (a ``ManualClock`` in tests).
    ///   - random: draws for the fault rates, in 0..<1 (seeded in tests).
    public init(configuration: SandboxConfiguration = SandboxConfiguration(), port: Int = 0, host: String = "127.0.0.1",
                clock: any GatewayClock = SystemClock(), logger: Logger = Logger(label: "sandbox"),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        let state = Mutex(State(configuration: configuration))
        self.state = state
        self.clock = clock
        self.random = random
        self.logger = logger
        var serverConfig = HTTPServerConfiguration(host: host, port: port)
        serverConfig.logger = logger
        serverConfig.readTimeout = 10
        let router = HTTPRouter()
        self.server = HTTPServer(configuration: serverConfig, handler: router.handler)
        let realmPath = "/realms/{realm}/protocol/openid-connect/token"
        router.post(realmPath) { [unowned self] request in tokenEndpoint(request) }
        router.post(configuration.messagingPath + "/message") { [unowned self] request in await messageEndpoint(request) }
        router.get("/sandbox/messages") { [unowned self] _ in .json(received) }
        router.delete("/sandbox/messages") { [unowned self] _ in
            reset()
            return HTTPResponse(status: 204)
        }
        router.get("/sandbox/faults") { [unowned self] _ in .json(faults) }
        router.put("/sandbox/faults") { [unowned self] request in
            let wanted: SandboxFaults
            do throws(JSONBodyError) { wanted = try request.decodeJSON(SandboxFaults.self) } catch { return .error(status: 422, detail: error.description) }
            if let problem = wanted.problem { return .error(status: 422, detail: problem) }
            faults = wanted
            return .json(wanted)
        }
        router.post("/sandbox/revoke-tokens") { [unowned self] _ in
            revokeAllTokens()
            return HTTPResponse(status: 204)
        }
    }

    /// Starts listening; answers the port.
    @discardableResult
    public func start() throws -> Int { try server.start() }

    /// Stops listening (connections are refused from then on), cuts held requests
    /// short and closes every connection within a second. It blocks the calling thread
    /// meanwhile: from async code, ``beginStop()`` then `await` ``stopped()``.
    @available(*, noasync, message: "it blocks: beginStop(), then await stopped()")
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        server.shutdown(grace: 1)
    }

    /// Starts ``stop()`` and returns at once, holding no thread (a `defer`, a `deinit`,
    /// async code); ``stopped()`` says when it has finished.
    public func beginStop() {
        stopping.store(true, ordering: .relaxed)
        server.beginShutdown(grace: 1)
    }

    /// Returns once the sandbox has stopped: every connection closed.
    public func stopped() async { await server.stopped() }

    public var port: Int { server.port }
    /// `KEYCLOAK_MESSAGING_HOST` for this sandbox.
    public var keycloakURL: String { "http://127.0.0.1:\(port)" }
    /// `VENTIS_MESSAGING_URL` for this sandbox.
    public var messagingURL: String { "http://127.0.0.1:\(port)\(state.withLock { $0.configuration.messagingPath })" }

    /// The variables that point the `ventis-sms` channel here.
    public var environment: [String: String] {
        let c = state.withLock { $0.configuration }
        var env = ["VENTIS_MESSAGING_URL": messagingURL, "KEYCLOAK_MESSAGING_HOST": keycloakURL,
                   "KEYCLOAK_MESSAGING_REALM": c.realm, "KEYCLOAK_MESSAGING_CLIENT_ID": c.clientID,
                   "KEYCLOAK_MESSAGING_USERNAME": c.username, "KEYCLOAK_MESSAGING_PASSWORD": c.password]
        if let secret = c.clientSecret { env["KEYCLOAK_MESSAGING_CLIENT_SECRET"] = secret }
        return env
    }

    public var received: [SandboxMessage] { state.withLock { $0.received } }
    /// The numbers whose message was accepted (`+SUCCESS`), with how many times.
    public var acceptedByNumber: [String: Int] {
        received.reduce(into: [:]) { counts, m in if m.answer.hasPrefix("+SUCCESS") { counts[m.to, default: 0] += 1 } }
    }
    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }
    public var messageRequests: Int { state.withLock { $0.messageRequests } }

    public var faults: SandboxFaults {
        get { state.withLock { $0.configuration.faults } }
        set { state.withLock { $0.configuration.faults = newValue } }
    }

    /// Every token stops working at once (the provider revoked them).
    public func revokeAllTokens() { state.withLock { $0.tokens.removeAll() } }

    /// Forgets what was received and counted.
    public func reset() {
        state.withLock { s in
            s.received.removeAll()
            s.tokenRequests = 0
            s.messageRequests = 0
        }
    }

    // MARK: Keycloak

    func tokenEndpoint(_ request: HTTPRequest) -> HTTPResponse {
        let c = state.withLock { s -> SandboxConfiguration in
            s.tokenRequests += 1
            return s.configuration
        }
        guard request.pathParameters["realm"] == c.realm else {
            return keycloakError(404, "Realm does not exist", nil)
        }
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true,
              let form = RequestHead.form(request.body) else {
            return keycloakError(400, "invalid_request", "Missing form parameter: grant_type")
        }
        guard let grant = form["grant_type"] else { return keycloakError(400, "invalid_request", "Missing form parameter: grant_type") }
        guard grant == "password" else { return keycloakError(400, "unsupported_grant_type", "Unsupported grant_type") }
        guard form["client_id"] == c.clientID else { return keycloakError(401, "invalid_client", "Invalid client or Invalid client credentials") }
        if let secret = c.clientSecret {
            guard let given = form["client_secret"] else { return keycloakError(401, "unauthorized_client", "Client secret not provided in request") }
            guard given == secret else { return keycloakError(401, "unauthorized_client", "Invalid client or Invalid client credentials") }
        }
        guard form["username"] == c.username, form["password"] == c.password else {
            return keycloakError(401, "invalid_grant", "Invalid user credentials")
        }
        let token = Self.randomToken()
        state.withLock { $0.tokens[token] = clock.now().addingTimeInterval(Double(c.expiresIn)) }
        return .json(TokenAnswer(access_token: token, expires_in: c.expiresIn, refresh_expires_in: 1800,
                                 refresh_token: Self.randomToken(), token_type: "Bearer", scope: "profile email"))
    }

    struct TokenAnswer: Encodable {
        var access_token: String
        var expires_in: Int
        var refresh_expires_in: Int
        var refresh_token: String
        var token_type: String
        var scope: String
    }

    func keycloakError(_ status: Int, _ error: String, _ description: String?) -> HTTPResponse {
        var body = ["error": error]
        if let description { body["error_description"] = description }
        return .json(body, status: status)
    }

    // MARK: Ventis

    struct MessageBody: Decodable {
        var to: String?
        var sender: String?
        var isOTP: Bool?
        var message: String?
    }

    func messageEndpoint(_ request: HTTPRequest) async -> HTTPResponse {
        let (faults, refused) = state.withLock { s -> (SandboxFaults, Set<String>) in
            s.messageRequests += 1
            return (s.configuration.faults, s.configuration.refusedNumbers)
        }
        let token = request.headers["Authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let now = clock.now()
        let valid = state.withLock { s -> Bool in
            guard let expiry = s.tokens[token] else { return false }
            return expiry > now
        }
        let body = try? request.decodeJSON(MessageBody.self)
        func record(_ answer: String, uuid: String? = nil) {
            let m = SandboxMessage(to: body?.to ?? "", sender: body?.sender ?? "", isOTP: body?.isOTP ?? false,
                                   message: body?.message ?? "", token: token, receivedAt: ISO8601.string(from: now),
                                   answer: answer, uuid: uuid)
            state.withLock { $0.received.append(m) }
        }
        guard valid, faults.unauthorizedRate <= 0 || random() >= faults.unauthorizedRate else {
            record("401")
            return .json(["error": "invalid_token", "error_description": "Token is not active"], status: 401)
        }
        if faults.latency > 0 { try? await Task.sleep(nanoseconds: UInt64(faults.latency * 1e9)) }
        let faultShare = faults.timeoutRate + faults.failureRate + faults.garbageRate + faults.dropRate
        let draw = faultShare > 0 ? random() : 1
        if draw < faults.timeoutRate {
            record("timeout")
            await hold(faults.timeoutHold)
            return .dropConnection()
        }
        if draw < faults.timeoutRate + faults.failureRate {
            record("500")
            return .text("Internal Server Error", status: 500)
        }
        if draw < faults.timeoutRate + faults.failureRate + faults.garbageRate {
            record("garbage")
            return .text("<html><body>Maintenance</body></html>", contentType: "text/html")
        }
        if draw < faultShare {
            record("dropped")
            return .dropConnection()
        }
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/json") == true, let body else {
            record("-ERROR|BAD_REQUEST")
            return .text("-ERROR|BAD_REQUEST|Corps JSON invalide ou Content-Type non JSON")
        }
        // As the network: Gabon's numbers are 241 and 8 digits, nothing else is routed.
        guard let to = body.to, to.count == 11, to.hasPrefix("241"), to.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            record("-ERROR|INVALID_NUMBER")
            return .text("-ERROR|INVALID_NUMBER|Numéro de destinataire invalide : \(body.to ?? "(absent)")")
        }
        guard let sender = body.sender, !sender.isEmpty else {
            record("-ERROR|INVALID_SENDER")
            return .text("-ERROR|INVALID_SENDER|Expéditeur manquant")
        }
        guard body.isOTP != nil else {
            record("-ERROR|BAD_REQUEST")
            return .text("-ERROR|BAD_REQUEST|Champ isOTP manquant")
        }
        guard let message = body.message, !message.isEmpty else {
            record("-ERROR|EMPTY_MESSAGE")
            return .text("-ERROR|EMPTY_MESSAGE|Message vide")
        }
        _ = sender
        _ = message
        if refused.contains(to) {
            record("-ERROR|NUMBER_REFUSED")
            return .text("-ERROR|NUMBER_REFUSED|Numéro sur liste d'opposition")
        }
        let uuid = UUID().uuidString.lowercased()
        let answer = "+SUCCESS|\(uuid)|\(ISO8601.string(from: now))"
        record(answer, uuid: uuid)
        return .text(answer)
    }

    /// Waits `seconds`, or less if the sandbox stops meanwhile.
    private func hold(_ seconds: Double) async {
        let until = Date().addingTimeInterval(seconds)
        while !stopping.load(ordering: .relaxed), until.timeIntervalSinceNow > 0 {
            try? await Task.sleep(nanoseconds: UInt64(min(0.05, until.timeIntervalSinceNow) * 1e9))
        }
    }

    static func randomToken() -> String {
        (0..<4).map { _ in UUID().uuidString.replacingOccurrences(of: "-", with: "") }.joined()
    }
}
