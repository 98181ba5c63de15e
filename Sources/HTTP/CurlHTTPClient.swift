import CCurl
import Foundation
import Gateway
import Synchronization

/// The HTTP client, on libcurl: URLSession on Linux cannot turn TLS verification off,
/// which the office's deployment needs.
///
/// Blocking curl calls run on worker threads, each keeping one curl handle (and so its
/// open connections) from request to request: keep-alive without any caller's help,
/// and never a blocked thread in Swift's cooperative pool. Channels share one set of
/// threads (``ChannelContext/httpClient(_:logger:)``), each with its own TLS settings
/// and its own cap on requests in flight; a client made with ``init(configuration:)``
/// has threads of its own.
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
        /// `http://host:port` of a proxy; nil: curl's default (the `https_proxy` variables).
        public var proxy: String?
        /// Whether the client itself warns when verification is off. The channel kit
        /// warns instead, naming the channel's own setting.
        public var warnWhenInsecure: Bool = true

        public init(verifyTLS: Bool = true, caFile: String? = nil, connectTimeout: Double = 10, timeout: Double = 30,
                    maxResponseBytes: Int = 1024 * 1024, maxConcurrentRequests: Int = 128,
                    logger: Logger = Logger(label: "http-client"), debug: Bool = false, proxy: String? = nil) {
            self.proxy = proxy
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
    /// The pool is this client's own (stopped with it), not a shared one.
    private let ownsPool: Bool
    /// Caps this client's requests in flight on a shared pool.
    private let gate: TransferGate?
    /// What shares the pool (a ``ChannelResources``): kept alive as long as this client,
    /// since it stops the threads when the last holder lets it go.
    private let owner: (any Sendable)?

    /// A client with threads of its own (up to `maxConcurrentRequests`).
    public convenience init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration, pool: CurlWorkerPool(limit: max(1, configuration.maxConcurrentRequests)), owned: true)
    }

    init(configuration: Configuration, pool: CurlWorkerPool, owned: Bool, owner: (any Sendable)? = nil) {
        self.owner = owner
        var configuration = configuration
        // Asking for debug means seeing the exchanges, whatever level the logger had.
        if configuration.debug { configuration.logger.level = min(configuration.logger.level, .debug) }
        self.configuration = configuration
        _ = curlGlobalInit
        if !configuration.verifyTLS && configuration.warnWhenInsecure {
            configuration.logger.warnOnce("tls-verify-off", "TLS certificate verification is OFF: the server's identity is not checked")
        }
        self.pool = pool
        self.ownsPool = owned
        self.gate = owned ? nil : TransferGate(limit: max(1, configuration.maxConcurrentRequests))
    }

    deinit { if ownsPool { pool.stop() } }

    /// Runs `job` on a worker thread with its curl handle (nil when curl could not make
    /// one), within this client's cap: the SMTP channel's transfers go through here too.
    public func perform<T: Sendable>(_ job: @escaping @Sendable (UnsafeMutableRawPointer?) -> T) async -> T {
        await gate?.enter()
        defer { gate?.leave() }
        return await withCheckedContinuation { continuation in
            pool.submit { handle in continuation.resume(returning: job(handle)) }
        }
    }

    public func execute(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let configuration = self.configuration
        if configuration.debug { configuration.logger.debug("request", ["exchange": Redaction.describe(request)]) }
        let started = Date()
        let result: Result<HTTPClientResponse, HTTPClientError> = await perform { handle in
            guard let handle else { return .failure(.transport("curl_easy_init failed (out of memory?)")) }
            return CurlTransfer.perform(request, on: handle, configuration: configuration)
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
