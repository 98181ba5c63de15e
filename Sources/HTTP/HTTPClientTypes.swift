import Foundation
import Gateway

/// One request made by the client.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data
    /// The whole exchange must end within this many seconds (nil: the client's default).
    public var timeout: Double?

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: Data = Data(), timeout: Double? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// What the server answered.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no answer. Each case is distinct so a channel can tell a
/// timeout from a refused connection from a certificate problem.
public enum HTTPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    case timeout(seconds: Double)
    case connectionRefused(String)
    case dnsFailure(String)
    /// The TLS handshake failed for a reason that may pass (reset, protocol error).
    case tls(String)
    /// The server's certificate was not trusted (unknown authority, wrong host name,
    /// expired, unreadable CA file): it will not pass by trying again.
    case certificate(String)
    case bodyTooLarge(limit: Int)
    case invalidURL(String)
    case transport(String)

    public var description: String { Masking.url(text) }

    private var text: String {
        switch self {
        case .timeout(let s): "no answer within \(s) s"
        case .connectionRefused(let s): "connection refused: \(s)"
        case .dnsFailure(let s): "host not found: \(s)"
        case .tls(let s): "TLS failure: \(s)"
        case .certificate(let s): "certificate not trusted: \(s)"
        case .bodyTooLarge(let limit): "response body larger than \(limit) bytes"
        case .invalidURL(let s): "invalid URL: \(s)"
        case .transport(let s): "transport error: \(s)"
        }
    }
}

/// The seam between channels and the network: the libcurl client in production,
/// anything that answers in tests.
public protocol HTTPTransport: Sendable {
    func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse
}
