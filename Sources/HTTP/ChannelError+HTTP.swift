import Gateway

/// The one mapping from HTTP and transport failures to ``ChannelError``, for every
/// channel that speaks HTTP (or uses curl): what is worth another attempt is decided
/// here, not again in each channel.
extension ChannelError {
    /// A request that got no answer: timeouts, refused connections, unknown hosts and
    /// TLS handshakes that broke are retried; a certificate that is not trusted, a URL
    /// that cannot be right, or an answer too large are not.
    public init(transport error: HTTPClientError) {
        switch error {
        case .timeout(let seconds): self = .timeout(seconds: seconds)
        case .connectionRefused(let why): self = .connection("connexion refusée : \(why)")
        case .dnsFailure(let why): self = .connection("serveur introuvable (DNS) : \(why)")
        case .tls(let why): self = .connection("TLS : \(why)")
        case .certificate(let why): self = .certificate(why)
        case .bodyTooLarge(let limit): self = .unexpectedAnswer(status: 200, body: "réponse de plus de \(limit) octets")
        case .invalidURL(let url): self = .endpointNotFound(url: url)
        case .transport(let why): self = .connection(why)
        }
    }

    /// An answer that is not a success, or nil for a 2xx: 408, 429 and 5xx are the
    /// provider's momentary trouble (retried); 401 and 403 refused credentials, 404 a
    /// wrong URL, any other 4xx a request the provider will never take (not retried).
    public init?(status: Int, body: String, url: String) {
        switch status {
        case 200...299: return nil
        case 408, 429, 500...599: self = .providerUnavailable(status: status, body: body)
        case 401, 403: self = .authentication("accès refusé (HTTP \(status)) \(ChannelError.cut(body))")
        case 404: self = .endpointNotFound(url: url)
        case 400...499: self = .rejected(status: status, body: body)
        default: self = .unexpectedAnswer(status: status, body: body)
        }
    }
}
