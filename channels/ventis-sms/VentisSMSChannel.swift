import Foundation
import Gateway
import HTTP

/// Sends one SMS per delivery through the Ventis Messaging API.
///
/// `POST {url}/message` with a Keycloak bearer token and `{to, sender, isOTP, message}`;
/// the answer is `+SUCCESS|uuid|time` or `-ERROR|code|message`. A 401 gets one new
/// token and one retry of that message; never a loop.
public final class VentisSMSChannel: Channel {
    public let name: String
    public let accepts = AddressKind.phone
    let messageURL: String
    let sender: String
    let timeout: Double
    let transliterate: Bool
    let phone: PhoneNumberFormat
    let client: any HTTPTransport
    let tokens: KeycloakTokenProvider
    let logger: Logger
    /// No client secret is configured (warned once, at the first SMS).
    let emptySecret: Bool
    let clock: any GatewayClock

    public convenience init(settings: ChannelSettings, context: ChannelContext) throws(ConfigError) {
        let debug = settings.bool("debug") ?? false
        var logger = context.logger.labelled("ventis")
        if debug { logger.level = .debug }
        let transport = try TransportSettings(settings, context: context, logger: logger, verifyEnvironment: "KEYCLOAK_VERIFY_SSL")
        try self.init(settings: settings, context: context, transport: context.httpClient(transport, logger: logger, debug: debug), logger: logger)
    }

    /// With any transport (tests of the protocol may give their own).
    public init(settings: ChannelSettings, context: ChannelContext, transport: any HTTPTransport, logger: Logger? = nil) throws(ConfigError) {
        let logger = logger ?? context.logger.labelled("ventis")
        func url(_ key: String) throws(ConfigError) -> String {
            let text = (settings.string(key) ?? "").trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("https://") || text.hasPrefix("http://"), URL(string: text)?.host != nil else {
                // The value is only quoted when it looks like a URL (credentials masked): a
                // `${VARIABLE}` put in the wrong place may hold a password.
                throw settings.problem(key, text.contains("://") ? "'\(Masking.url(text))' is not an http(s) URL"
                                                                 : "is not an http(s) URL: write it as https://host/path")
            }
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        let base = try url("url")
        let host = try url("keycloak_host")
        let realm = settings.string("realm") ?? "Messaging"
        guard !realm.isEmpty, !realm.contains("/") else { throw settings.problem("realm", "must be a realm name") }
        let sender = settings.string("sender") ?? "VENTIS"
        guard !sender.isEmpty else { throw settings.problem("sender", "must not be empty (VENTIS_MESSAGING_SENDER)") }
        let country = settings.string("country_code") ?? "241"
        guard !country.isEmpty, country.count <= 3, country.allSatisfy(\.isNumber) else {
            throw settings.problem("country_code", "must be 1 to 3 digits, e.g. 241")
        }
        let national = settings.int("national_digits") ?? 8
        guard (4...12).contains(national) else { throw settings.problem("national_digits", "must be 4 to 12 digits (8 in Gabon)") }
        let ratio = settings.double("token_refresh_ratio") ?? 0.9
        guard ratio > 0, ratio <= 1 else { throw settings.problem("token_refresh_ratio", "must be above 0 and at most 1") }
        let timeout = settings.double("timeout_seconds") ?? 30
        guard timeout > 0 else { throw settings.problem("timeout_seconds", "must be positive") }
        // The loader stops a missing one; an empty one (`"${KEYCLOAK_MESSAGING_PASSWORD:-}"`) is caught here.
        let username = (settings.string("username") ?? "").trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty else {
            throw settings.problem("username", "is empty; set KEYCLOAK_MESSAGING_USERNAME (in the environment or .env) or give it here")
        }
        let password = settings.secret("password")
        guard !password.isEmpty else {
            throw settings.problem("password", "is empty; set KEYCLOAK_MESSAGING_PASSWORD (in the environment or .env) or give it here")
        }
        let secret = settings.secret("client_secret")
        // Said when a token is first asked for, not here: a run that sends no SMS (an
        // e-mail campaign, a generation) has nothing to be warned about.
        self.emptySecret = secret.isEmpty
        self.name = settings.name
        self.messageURL = base + "/message"
        self.sender = sender
        self.timeout = timeout
        self.transliterate = settings.bool("transliterate") ?? false
        self.phone = PhoneNumberFormat(countryCode: country, nationalDigits: national,
                                       keepTrunkZero: settings.bool("keep_trunk_zero") ?? false)
        self.client = transport
        self.logger = logger
        self.clock = context.clock
        self.tokens = KeycloakTokenProvider(
            settings: .init(tokenURL: "\(host)/realms/\(realm)/protocol/openid-connect/token",
                            clientID: settings.string("client_id") ?? "api-messaging", clientSecret: secret,
                            username: username, password: password,
                            refreshRatio: ratio, timeout: timeout),
            client: transport, clock: context.clock, logger: logger, metrics: context.metrics)
    }

    public func check(_ delivery: Delivery) -> DeliveryCheck {
        let text = transliterate ? SMSText.transliterate(delivery.body) : delivery.body
        switch phone.format(delivery.recipient) {
        case .success: return DeliveryCheck(text: text)
        case .failure(let why): return DeliveryCheck(problem: ChannelError.invalidRecipient(phone.explain(why)).description, text: text)
        }
    }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        let number: String
        switch phone.format(delivery.recipient) {
        case .success(let n): number = n
        case .failure(let why): throw .invalidRecipient(phone.explain(why))
        }
        let text = transliterate ? SMSText.transliterate(delivery.body) : delivery.body
        let body: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            body = try encoder.encode(MessageRequest(to: number, sender: sender, isOTP: false, message: text))
        } catch {
            throw .rejected(status: 0, body: "encodage JSON impossible")
        }
        if emptySecret {
            logger.warnOnce("ventis-empty-secret", "KEYCLOAK_MESSAGING_CLIENT_SECRET is empty: the token request is sent without a client secret")
        }
        var token = try await tokens.token()
        var response = try await post(body, token: token)
        if response.status == 401 {
            logger.info("token refused by the messaging API; fetching a new one and retrying once", ["delivery": delivery.id])
            await tokens.invalidate(token)
            token = try await tokens.token()
            response = try await post(body, token: token)
            if response.status == 401 {
                throw ChannelError.authentication("l'API Ventis refuse le token Keycloak (401) même après renouvellement").hint(Self.credentialsHint)
            }
        }
        let analysis = SMSText.analyze(text)
        switch response.status {
        case 200:
            switch VentisReply(response.text) {
            case .success(let uuid, let timestamp):
                logger.info("SMS accepted", ["delivery": delivery.id, "to": logger.mask(number), "uuid": uuid, "segments": analysis.segments])
                return Receipt(channel: name, messageID: uuid, acceptedAt: clock.now(), recipient: number,
                               providerAnswer: response.text,
                               details: ["provider": "ventis", "encoding": analysis.encoding.rawValue, "segments": String(analysis.segments),
                                         "provider_time": timestamp, "sender": sender],
                               note: "SMS envoyé via Ventis. UUID: \(uuid)")
            case .error(let code, let message):
                logger.info("SMS refused", ["delivery": delivery.id, "to": logger.mask(number), "code": code, "message": message])
                throw .refused(code: code, message: message)
            case .unexpected:
                throw .unexpectedAnswer(status: 200, body: response.text)
            }
        default:
            throw Self.hinted(ChannelError(status: response.status, body: response.text, url: messageURL)
                ?? .unexpectedAnswer(status: response.status, body: response.text))
        }
    }

    /// The advice the office's own system gave for these failures, in its words.
    static let credentialsHint = "vérifiez KEYCLOAK_MESSAGING_USERNAME, KEYCLOAK_MESSAGING_PASSWORD et KEYCLOAK_MESSAGING_CLIENT_ID"
    static let urlHint = "ENDPOINT_NOT_FOUND : vérifiez VENTIS_MESSAGING_URL"

    static func hinted(_ error: ChannelError) -> ChannelError {
        switch error {
        case .endpointNotFound: error.hint(urlHint)
        case .authentication: error.hint(credentialsHint)
        case .certificate: error.hint("installez l'autorité de certification (ca_file) ; KEYCLOAK_VERIFY_SSL=false seulement en dernier recours")
        default: error
        }
    }

    public func checkHealth() async -> ChannelHealth {
        do {
            _ = try await tokens.token()
            return .healthy("token Keycloak obtenu")
        } catch {
            return .unhealthy(error.description)
        }
    }

    private func post(_ body: Data, token: Secret) async throws(ChannelError) -> HTTPClientResponse {
        let request = HTTPClientRequest(method: "POST", url: messageURL,
                                        headers: ["Authorization": "Bearer \(token.value)", "Content-Type": "application/json; charset=UTF-8"],
                                        body: body, timeout: timeout)
        do {
            return try await client.execute(request)
        } catch {
            throw Self.hinted(ChannelError(transport: error))
        }
    }

    struct MessageRequest: Encodable {
        var to: String
        var sender: String
        var isOTP: Bool
        var message: String
    }
}
