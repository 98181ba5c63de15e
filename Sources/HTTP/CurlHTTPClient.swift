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
        var configuration = configuration
        // Asking for debug means seeing the exchanges, whatever level the logger had.
        if configuration.debug { configuration.logger.level = min(configuration.logger.level, .debug) }
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
                guard let handle else {
                    continuation.resume(returning: .failure(.transport("curl_easy_init failed (out of memory?)")))
                    return
                }
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
}

/// curl_global_init must run once, before any handle, and is not thread-safe itself:
/// a global `let` is initialised exactly once, on first use, by the runtime.
let curlGlobalInit: Bool = {
    curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    return true
}()
