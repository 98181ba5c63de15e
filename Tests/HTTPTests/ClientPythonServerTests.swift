import Foundation
import Gateway
import HTTP
import Testing

/// The curl client against a Python server: TLS with a self-signed certificate, and
/// what the project's server never sends (a body without `Content-Length`).
@Suite struct ClientPythonServerTests {
    func client(_ configure: (inout CurlHTTPClient.Configuration) -> Void = { _ in }) -> CurlHTTPClient {
        var config = CurlHTTPClient.Configuration(logger: Logger(sink: MemoryLogSink()))
        configure(&config)
        return CurlHTTPClient(configuration: config)
    }

    @Test func tlsIsVerifiedByDefault() async throws {
        let tls = try ClientTestServer.start(tls: true)
        defer { tls.stop() }
        do {
            _ = try await client().get(url: "https://localhost:\(tls.port)/", timeout: 10)
            Issue.record("a self-signed certificate was accepted with verification on")
        } catch {
            guard case .certificate = error else { Issue.record("expected a certificate error, got \(error)"); return }
        }
    }

    @Test func turningVerificationOffWorksAndWarnsOnce() async throws {
        let tls = try ClientTestServer.start(tls: true)
        defer { tls.stop() }
        let sink = MemoryLogSink()
        let logger = Logger(sink: sink)
        let insecure = client { $0.verifyTLS = false; $0.logger = logger }
        _ = client { $0.verifyTLS = false; $0.logger = logger.labelled("other") }   // a second client, same logger family
        let response = try await insecure.get(url: "https://localhost:\(tls.port)/", timeout: 10)
        #expect(response.status == 200 && response.text == "ok")
        #expect(sink.all.filter { $0.level == .warning && $0.message.contains("verification is OFF") }.count == 1)
        // Verification on says nothing.
        let quiet = MemoryLogSink()
        _ = client { $0.logger = Logger(sink: quiet) }
        #expect(quiet.lines.isEmpty)
    }

    @Test func aGivenCAFileIsTrusted() async throws {
        let tls = try ClientTestServer.start(tls: true)
        defer { tls.stop() }
        let certificate = try #require(tls.certificate)
        let trusting = client { $0.caFile = certificate }
        #expect(try await trusting.get(url: "https://localhost:\(tls.port)/", timeout: 10).text == "ok")
        // A CA file that does not exist is a TLS error, never a silent fall back to no check.
        let missing = client { $0.caFile = tls.folder.appendingPathComponent("absent.pem").path }
        do {
            _ = try await missing.get(url: "https://localhost:\(tls.port)/", timeout: 10)
            Issue.record("a missing CA file was accepted")
        } catch {
            guard case .certificate = error else { Issue.record("expected a certificate error, got \(error)"); return }
        }
    }

    @Test func keepAliveHoldsAgainstAnotherServerToo() async throws {
        let server = try ClientTestServer.start(tls: false)
        defer { server.stop() }
        let client = client()
        var peers: Set<String> = []
        for _ in 0..<4 {
            peers.insert(try await client.get(url: "http://127.0.0.1:\(server.port)/peer", timeout: 10).text)
        }
        #expect(peers.count == 1)
    }

    @Test func anUndeclaredBodyOverTheCapIsCutOff() async throws {
        let server = try ClientTestServer.start(tls: false)
        defer { server.stop() }
        let client = client { $0.maxResponseBytes = 50_000 }
        let small = try await client.get(url: "http://127.0.0.1:\(server.port)/nolength?n=40000", timeout: 10)
        #expect(small.body.count == 40_000 && small.headers["content-length"] == nil)
        await #expect(throws: HTTPClientError.bodyTooLarge(limit: 50_000)) {
            _ = try await client.get(url: "http://127.0.0.1:\(server.port)/nolength?n=3000000", timeout: 10)
        }
    }
}
