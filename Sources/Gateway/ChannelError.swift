import Foundation

/// Why a channel could not deliver a message, in words an operator can act on.
///
/// Messages are French: they end up in the relance's `notes`, which the office reads.
/// They name no provider: a channel adds its own advice with ``hint(_:)`` (the SMS
/// channel says which `.env` variable to check). Whether trying again is worth it is
/// decided in one place, ``isRetryable``.
public enum ChannelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address cannot be used (letters in a phone number, a malformed e-mail).
    case invalidRecipient(String)
    /// The provider refused the message (`-ERROR|code|message`).
    case refused(code: String, message: String)
    /// The provider answered something that is neither success nor refusal.
    case unexpectedAnswer(status: Int, body: String)
    /// The channel could not sign in (the provider's description when it gave one).
    case authentication(String)
    /// The provider's URL is wrong (the office's system calls it `ENDPOINT_NOT_FOUND`).
    case endpointNotFound(url: String)
    /// The provider's TLS certificate was refused (unknown authority, wrong name, expired):
    /// trying again cannot help until someone fixes the trust settings.
    case certificate(String)
    /// No answer in time. Reported with status 408.
    case timeout(seconds: Double)
    /// The provider could not be reached (refused, DNS, TLS). Reported with status 503.
    case connection(String)
    /// The provider is in trouble (5xx).
    case providerUnavailable(status: Int, body: String)
    /// The provider refused the request itself (a 4xx other than 401 and 404).
    case rejected(status: Int, body: String)
    /// The channel could not write where it writes (file sink, e-mail spool).
    case storage(String)
    /// The sender gave up waiting (shutdown, cancelled batch). Nothing was sent.
    case cancelled
    /// Another error with the channel's advice on what to check; behaves as `error`.
    indirect case hinted(ChannelError, hint: String)

    /// Provider bodies are cut to about this many bytes in messages.
    public static let bodyLimit = 1024

    /// Whether another attempt may succeed: timeouts, connection failures and 5xx yes;
    /// a refused number, bad credentials or a provider `-ERROR` no.
    public var isRetryable: Bool {
        switch self {
        case .timeout, .connection, .providerUnavailable: true
        case .invalidRecipient, .refused, .unexpectedAnswer, .authentication,
             .endpointNotFound, .certificate, .rejected, .storage, .cancelled: false
        case .hinted(let error, _): error.isRetryable
        }
    }

    /// The error without any hint, for matching on its case.
    public var underlying: ChannelError {
        if case .hinted(let error, _) = self { error.underlying } else { self }
    }

    /// The same error with the channel's advice appended to its message.
    public func hint(_ text: String) -> ChannelError { .hinted(self, hint: text) }

    /// The HTTP-like status the office's system reports for this failure.
    public var reportedStatus: Int? {
        switch self {
        case .timeout: 408
        case .connection, .certificate: 503
        case .hinted(let error, _): error.reportedStatus
        case .providerUnavailable(let status, _), .rejected(let status, _),
             .unexpectedAnswer(let status, _): status
        case .endpointNotFound: 404
        case .authentication: 401
        default: nil
        }
    }

    /// A short machine-readable code, for metrics and the attempt table.
    public var code: String {
        switch self {
        case .invalidRecipient: "invalid_recipient"
        case .refused: "refused"
        case .unexpectedAnswer: "unexpected_answer"
        case .authentication: "authentication"
        case .endpointNotFound: "endpoint_not_found"
        case .timeout: "timeout"
        case .connection: "connection"
        case .providerUnavailable: "provider_unavailable"
        case .rejected: "rejected"
        case .storage: "storage"
        case .certificate: "certificate"
        case .cancelled: "cancelled"
        case .hinted(let error, _): error.code
        }
    }

    /// The note an office person reads (a URL's credentials masked).
    public var description: String { Masking.url(text) }

    private var text: String {
        switch self {
        case .invalidRecipient(let why):
            "Destinataire invalide : \(why)"
        case .refused(let code, let message):
            "Refusé par le fournisseur (\(code)) : \(message)"
        case .unexpectedAnswer(let status, let body):
            "Réponse inattendue du fournisseur (HTTP \(status)) : \(Self.cut(body))"
        case .authentication(let why):
            "Authentification refusée par le fournisseur : \(why)"
        case .endpointNotFound(let url):
            "Adresse du fournisseur introuvable (404) : \(url)"
        case .certificate(let why):
            "Certificat TLS du fournisseur refusé : \(why)"
        case .timeout(let seconds):
            "Délai dépassé (408) : pas de réponse du fournisseur en \(Self.format(seconds)) s"
        case .connection(let why):
            "Erreur de connexion (503) : \(why)"
        case .providerUnavailable(let status, let body):
            "Fournisseur indisponible (HTTP \(status)) : \(Self.cut(body))"
        case .rejected(let status, let body):
            "Requête refusée par le fournisseur (HTTP \(status)) : \(Self.cut(body))"
        case .storage(let why):
            "Écriture impossible : \(why)"
        case .cancelled:
            "Envoi interrompu avant d'avoir été tenté"
        case .hinted(let error, let hint):
            "\(error.description) (\(hint))"
        }
    }

    /// Cuts a provider body to ``bodyLimit`` bytes (on a character boundary).
    public static func cut(_ body: String) -> String {
        if body.utf8.count <= bodyLimit { return body }
        var out = ""
        for ch in body {
            if out.utf8.count + ch.utf8.count > bodyLimit { break }
            out.append(ch)
        }
        return out + "…"
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
