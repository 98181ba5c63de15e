import CCurl
import Foundation
import Gateway
import Synchronization

/// The HTTP client, on libcurl: URLSession on Linux cannot turn TLS verification off,
/// which the office's deployment needs.
///
/// Blocking curl calls run on threads this client owns, each keeping one curl handle
/// (and so its open connections) from request to request: keep-alive without any
/// caller's help, and never a blocked thread in Swift's cooperative pool.
public final class CurlHTTPClient: HTTPTransport {
    public struct Configuration: Sendable {
        /// Verify the server's certificate and name. Turning it off logs a warning once.
        public var verifyTLS: Bool = true
        /// A PEM file of certificates to trust instead of the system's.
        public var caFile: String?
        public var connectTimeout: Double = 10
        /// The whole exchange, unless a request says otherwise.
        public var timeout: Double = 30
        /// A larger response body aborts the request with ``HTTPClientError/bodyTooLarge(limit:)``.
        public var maxResponseBytes: Int = 1024 * 1024
        /// Requests in flight at once (one thread and one connection each).
        public var maxConcurrentRequests: Int = 128
        public var logger: Logger = Logger(label: "http-client")
        /// Logs every exchange, with credentials and tokens masked.
        public var debug: Bool = false

        public init(verifyTLS: Bool = true, caFile: String? = nil, connectTimeout: Double = 10, timeout: Double = 30,
                    maxResponseBytes: Int = 1024 * 1024, maxConcurrentRequests: Int = 128,
                    logger: Logger = Logger(label: "http-client"), debug: Bool = false) {
            self.verifyTLS = verifyTLS
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxConcurrentRequests = maxConcurrentRequests
            self.logger = logger
            self.debug = debug
        }
    }

    public let configuration: Configuration
    private let pool: CurlWorkerPool

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        _ = curlGlobalInit
        if !configuration.verifyTLS {
            configuration.logger.warnOnce("tls-verify-off", "TLS certificate verification is OFF (KEYCLOAK_VERIFY_SSL=false): the provider's identity is not checked")
        }
        pool = CurlWorkerPool(limit: max(1, configuration.maxConcurrentRequests))
    }

    deinit { pool.stop() }

    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let configuration = self.configuration
        if configuration.debug { configuration.logger.debug("request", ["exchange": Redaction.describe(request)]) }
        let started = Date()
        let result: Result<HTTPClientResponse, HTTPClientError> = await withCheckedContinuation { continuation in
            pool.submit { handle in
                continuation.resume(returning: CurlTransfer.perform(request, on: handle, configuration: configuration))
            }
        }
        if configuration.debug {
            let ms = Int(Date().timeIntervalSince(started) * 1000)
            switch result {
            case .success(let r): configuration.logger.debug("response", ["status": r.status, "ms": ms, "body": Redaction.maskBody(r.text)])
            case .failure(let e): configuration.logger.debug("no response", ["error": e.description, "ms": ms])
            }
        }
        return try result.get()
    }

    // MARK: helpers

    public func get(_ url: String, headers: HTTPHeaders = [:], timeout: Double? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        try await execute(HTTPClientRequest(method: "GET", url: url, headers: headers, timeout: timeout))
    }

    /// POSTs `application/x-www-form-urlencoded` fields, percent-encoded.
    public func postForm(_ url: String, fields: [(String, String)], headers: HTTPHeaders = [:],
                         timeout: Double? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(FormEncoding.encode($0.0))=\(FormEncoding.encode($0.1))" }.joined(separator: "&")
        return try await execute(HTTPClientRequest(method: "POST", url: url, headers: headers, body: Data(body.utf8), timeout: timeout))
    }

    /// POSTs a JSON body.
    public func postJSON(_ url: String, body: Data, headers: HTTPHeaders = [:],
                         timeout: Double? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        var headers = headers
        if headers["Content-Type"] == nil { headers["Content-Type"] = "application/json; charset=UTF-8" }
        return try await execute(HTTPClientRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout))
    }
}

/// curl_global_init must run once, before any handle, and is not thread-safe itself:
/// a global `let` is initialised exactly once, on first use, by the runtime.
let curlGlobalInit: Bool = {
    curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    return true
}()

/// `application/x-www-form-urlencoded` encoding: unreserved characters kept, space as
/// `%20`, everything else percent-encoded as UTF-8.
public enum FormEncoding {
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
