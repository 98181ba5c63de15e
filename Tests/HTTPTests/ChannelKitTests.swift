import Foundation
import Gateway
import HTTP
import Synchronization
import Testing

/// The kit every network channel uses: one failure mapping, the shared transport
/// settings, one set of worker threads for all channels.
@Suite struct ChannelKitTests {
    @Test func transportFailuresMapToTheirRetryability() {
        let retried: [HTTPClientError] = [.timeout(seconds: 3), .connectionRefused("x"), .dnsFailure("x"), .tls("reset"), .transport("x")]
        for error in retried { #expect(ChannelError(transport: error).isRetryable, "\(error)") }
        let final: [HTTPClientError] = [.certificate("self-signed"), .invalidURL("ftp://x"), .bodyTooLarge(limit: 10)]
        for error in final { #expect(!ChannelError(transport: error).isRetryable, "\(error)") }
        #expect(ChannelError(transport: .certificate("unknown CA")) == .certificate("unknown CA"))
        #expect(ChannelError(transport: .timeout(seconds: 3)) == .timeout(seconds: 3))
    }

    @Test func statusesMapToTheirRetryability() {
        #expect(ChannelError(status: 200, body: "", url: "u") == nil)
        #expect(ChannelError(status: 204, body: "", url: "u") == nil)
        for status in [408, 429, 500, 502, 503, 504] {
            #expect(ChannelError(status: status, body: "b", url: "u")?.isRetryable == true, "\(status)")
        }
        for status in [400, 401, 403, 404, 409, 413, 422] {
            #expect(ChannelError(status: status, body: "b", url: "u")?.isRetryable == false, "\(status)")
        }
        #expect(ChannelError(status: 404, body: "", url: "http://x/y") == .endpointNotFound(url: "http://x/y"))
        #expect(ChannelError(status: 422, body: "bad", url: "u") == .rejected(status: 422, body: "bad"))
        #expect(ChannelError(status: 302, body: "", url: "u")?.isRetryable == false)
    }

    /// The core's messages name no provider; a channel's hint adds its own advice and
    /// changes neither the code nor the retryability.
    @Test func messagesAreGenericAndHintsAreTheChannels() {
        let all: [ChannelError] = [.authentication("x"), .endpointNotFound(url: "u"), .certificate("c"), .connection("c")]
        for error in all {
            #expect(!error.description.contains("Keycloak") && !error.description.contains("VENTIS"), "\(error)")
        }
        let hinted = ChannelError.timeout(seconds: 2).hint("vérifiez le proxy")
        #expect(hinted.isRetryable && hinted.code == "timeout" && hinted.reportedStatus == 408)
        #expect(hinted.underlying == .timeout(seconds: 2) && hinted.description.hasSuffix("(vérifiez le proxy)"))
    }

    @Test func theTLSOffWarningNamesTheChannelsOwnSetting() throws {
        let sink = MemoryLogSink()
        let logger = Logger(sink: sink)
        let values = ["verify_ssl": "false", "timeout_seconds": "5", "connect_timeout_seconds": "2", "max_connections": "4",
                      "proxy": "", "ca_file": "certs/office.pem"]
        let context = ChannelContext(logger: logger, baseDirectory: URL(fileURLWithPath: "/srv/relances"))
        let transport = try TransportSettings(ChannelSettings(name: "courriel", kind: "smtp", file: "routing.json", values: values),
                                              context: context, logger: logger)
        #expect(transport == TransportSettings(verifyTLS: false, caFile: "/srv/relances/certs/office.pem", connectTimeout: 2, timeout: 5,
                                               proxy: nil, maxConnections: 4))
        let warnings = sink.all.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("channels.courriel.verify_ssl=false") == true)
        #expect(warnings.first?.contains("KEYCLOAK") == false)
        // A bad proxy or timeout is refused at start-up, naming the key.
        for (key, value) in [("proxy", "proxy.local:3128"), ("timeout_seconds", "0"), ("max_connections", "0")] {
            var bad = values
            bad[key] = value
            do {
                _ = try TransportSettings(ChannelSettings(name: "courriel", kind: "smtp", file: "routing.json", values: bad),
                                          context: context, logger: logger)
                Issue.record("\(key)=\(value) accepted")
            } catch {
                #expect(error.description.contains("channels.courriel.\(key)"))
            }
        }
    }

    /// Two channels built from one context share its threads: with one thread in all,
    /// the server never sees two of their requests at once, whatever each channel's cap.
    @Test func channelsShareOneBoundedSetOfThreads() async throws {
        let inFlight = Mutex((now: 0, most: 0))
        let router = HTTPRouter()
        router.get("/work") { _ in
            inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try? await Task.sleep(nanoseconds: 50_000_000)
            inFlight.withLock { $0.now -= 1 }
            return .text("ok")
        }
        var config = HTTPServerConfiguration()
        config.logger = Logger(sink: MemoryLogSink())
        let server = HTTPServer(configuration: config, handler: router.handler)
        let port = try server.start()
        defer { server.beginShutdown(grace: 1) }

        let context = ChannelContext(logger: Logger(sink: MemoryLogSink()), transferThreads: 1)
        let transport = TransportSettings(verifyTLS: true, caFile: nil, connectTimeout: 5, timeout: 10, proxy: nil, maxConnections: 8)
        let clients = [context.httpClient(transport, logger: context.logger), context.httpClient(transport, logger: context.logger)]
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<6 {
                group.addTask { try await clients[i % 2].get(url: "http://127.0.0.1:\(port)/work", timeout: 10).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        #expect(inFlight.withLock { $0.most } == 1)
        // Closing what the channels share is what shutdown does: no thread stays behind.
        context.resources.close()
    }

    /// A channel's client keeps the shared threads alive after the context that made it
    /// is gone, and a request after shutdown's close still gets a thread (never waits forever).
    @Test(.timeLimit(.minutes(1)))
    func aClientOutlivesItsContextAndStillRunsAfterAClose() async throws {
        let router = HTTPRouter()
        router.get("/ok") { _ in .text("ok") }
        var config = HTTPServerConfiguration()
        config.logger = Logger(sink: MemoryLogSink())
        let server = HTTPServer(configuration: config, handler: router.handler)
        let port = try server.start()
        defer { server.beginShutdown(grace: 1) }
        let logger = Logger(sink: MemoryLogSink())
        let orphan = ChannelContext(logger: logger, transferThreads: 1).httpClient(TransportSettings(), logger: logger)
        for _ in 0..<3 { #expect(try await orphan.get(url: "http://127.0.0.1:\(port)/ok", timeout: 10).text == "ok") }
        let context = ChannelContext(logger: logger, transferThreads: 1)
        let client = context.httpClient(TransportSettings(), logger: logger)
        #expect(try await client.get(url: "http://127.0.0.1:\(port)/ok", timeout: 10).status == 200)
        context.resources.close()
        for _ in 0..<3 { #expect(try await client.get(url: "http://127.0.0.1:\(port)/ok", timeout: 10).status == 200) }
    }
}
