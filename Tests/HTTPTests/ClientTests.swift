import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Synchronization
import Testing

/// The curl client against the project's own server, over loopback.
@Suite struct ClientTests {
    /// What the server saw: the peer (`ip:port`, one per connection) of each request.
    final class Recorder: Sendable {
        let peers = Mutex<[String]>([])
        let requests = Mutex<[HTTPRequest]>([])
    }

    func server(_ recorder: Recorder = Recorder()) throws -> HTTPServer {
        let router = HTTPRouter()
        router.get("/hello") { request in
            recorder.peers.withLock { $0.append(request.remoteAddress) }
            return .json(["bonjour": "Libreville"])
        }
        let echo: HTTPHandler = { request in
            recorder.requests.withLock { $0.append(request) }
            return HTTPResponse(status: 200, headers: ["Content-Type": request.headers["Content-Type"] ?? "none"], body: request.body)
        }
        router.add("POST", "/echo", echo)
        router.add("PUT", "/echo", echo)
        router.add("DELETE", "/echo", echo)
        router.get("/slow") { _ in
            try? await Task.sleep(nanoseconds: 2_000_000_000)
            return .text("late")
        }
        router.get("/big") { _ in .text(String(repeating: "x", count: 200_000)) }
        router.get("/teapot") { _ in .text("nope", status: 418) }
        var config = HTTPServerConfiguration()
        config.logger = Logger(sink: MemoryLogSink())
        let server = HTTPServer(configuration: config, handler: router.handler)
        try server.start()
        return server
    }

    func client(_ configure: (inout CurlHTTPClient.Configuration) -> Void = { _ in }) -> CurlHTTPClient {
        var config = CurlHTTPClient.Configuration(logger: Logger(sink: MemoryLogSink()))
        configure(&config)
        return CurlHTTPClient(configuration: config)
    }

    @Test func requestsReuseOneKeptAliveConnection() async throws {
        let recorder = Recorder()
        let server = try server(recorder)
        defer { server.beginShutdown(grace: 1) }
        let client = client()
        for _ in 0..<5 {
            let response = try await client.get(url: "http://127.0.0.1:\(server.port)/hello")
            #expect(response.status == 200)
            #expect(response.text == #"{"bonjour":"Libreville"}"#)
            #expect(response.headers["content-type"] == "application/json")
        }
        let peers = recorder.peers.withLock { $0 }
        #expect(peers.count == 5)
        #expect(Set(peers).count == 1)   // one client port: one TCP connection for all five
    }

    @Test func formBodiesArePercentEncoded() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let response = try await client().postForm(url: "http://127.0.0.1:\(server.port)/echo",
                                                   fields: [("username", "jean nzé"), ("password", "p&ss=word+1/~")])
        #expect(response.text == "username=jean%20nz%C3%A9&password=p%26ss%3Dword%2B1%2F~")
        #expect(response.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(FormEncoding.encode([("a b", "ç"), ("empty", "")]) == "a%20b=%C3%A7&empty=")
    }

    @Test func jsonAndBinaryBodiesArriveByteForByteWithTheirMethod() async throws {
        let recorder = Recorder()
        let server = try server(recorder)
        defer { server.beginShutdown(grace: 1) }
        let client = client()
        let url = "http://127.0.0.1:\(server.port)/echo"
        let json = try await client.postJSON(url: url, body: Data(#"{"message":"Échéance"}"#.utf8), headers: ["X-Relance": "42"])
        #expect(json.text == #"{"message":"Échéance"}"#)
        #expect(json.headers["content-type"] == "application/json; charset=UTF-8")
        // NUL and high bytes: the body is copied by length, not as a C string.
        let binary = Data([0x00, 0x01, 0xFF, 0x00, 0x7F])
        let put = try await client.execute(HTTPClientRequest(method: "PUT", url: url, headers: ["Content-Type": "application/octet-stream"], body: binary))
        #expect(put.body == binary)
        _ = try await client.execute(HTTPClientRequest(method: "DELETE", url: url))
        let seen = recorder.requests.withLock { $0 }
        #expect(seen.map(\.method) == ["POST", "PUT", "DELETE"])
        #expect(seen.first?.headers["X-Relance"] == "42")
        #expect(seen.first?.headers["Expect"] == nil)   // no 100-continue round trip
    }

    @Test func aStatusIsAnAnswerNotAnError() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let response = try await client().get(url: "http://127.0.0.1:\(server.port)/teapot")
        #expect(response.status == 418 && response.text == "nope")
    }

    @Test func aSlowServerIsATimeout() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        await #expect(throws: HTTPClientError.timeout(seconds: 0.3)) {
            _ = try await client().execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/slow", timeout: 0.3))
        }
        // The configuration's timeout applies when the request gives none.
        await #expect(throws: HTTPClientError.timeout(seconds: 0.4)) {
            _ = try await client { $0.timeout = 0.4 }.get(url: "http://127.0.0.1:\(server.port)/slow")
        }
    }

    @Test func aDeclaredBodyOverTheCapIsRefused() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = client { $0.maxResponseBytes = 100_000 }
        await #expect(throws: HTTPClientError.bodyTooLarge(limit: 100_000)) {
            _ = try await client.get(url: "http://127.0.0.1:\(server.port)/big")
        }
        // Under the cap, the same client is fine.
        #expect(try await client.get(url: "http://127.0.0.1:\(server.port)/hello").status == 200)
    }

    @Test func aClosedPortIsConnectionRefused() async throws {
        let closed = try RefusingPort()
        do {
            _ = try await client().get(url: "http://127.0.0.1:\(closed.port)/", timeout: 10)
            Issue.record("connected to a closed port")
        } catch {
            guard case .connectionRefused(let why) = error else { Issue.record("expected connectionRefused, got \(error)"); return }
            #expect(why.contains("127.0.0.1"))   // curl's own detail is kept
        }
    }

    @Test func anUnknownHostIsADNSFailure() async throws {
        do {
            _ = try await client().get(url: "http://relances.invalid/", timeout: 20)
            Issue.record("resolved .invalid")
        } catch {
            guard case .dnsFailure(let why) = error else { Issue.record("expected dnsFailure, got \(error)"); return }
            #expect(why.contains("relances.invalid"))
        }
    }

    @Test func aURLThatIsNotHTTPIsRefusedBeforeCurl() async throws {
        await #expect(throws: HTTPClientError.invalidURL("ftp://x")) { _ = try await client().get(url: "ftp://x") }
    }

    @Test func manyConcurrentRequestsAllComeBack() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = client { $0.maxConcurrentRequests = 32 }
        let port = server.port
        let ok = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask { (try? await client.get(url: "http://127.0.0.1:\(port)/hello"))?.status == 200 }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(ok == 200)
    }

    @Test func debugLogsMaskCredentialsAndTokens() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let sink = MemoryLogSink()
        // debug shows the exchanges even through a logger left at info.
        let client = client { $0.debug = true; $0.logger = Logger(level: .info, sink: sink) }
        _ = try await client.postForm(url: "http://127.0.0.1:\(server.port)/echo",
                                      fields: [("username", "relances"), ("password", "hunter2"), ("client_secret", "s3cret")],
                                      headers: ["Authorization": "Bearer eyJtoken"])
        _ = try await client.postJSON(url: "http://127.0.0.1:\(server.port)/echo",
                                      body: Data(#"{"access_token":"abc.def","refresh_token":"r3fr","expires_in":300}"#.utf8))
        let log = sink.lines.joined(separator: "\n")
        #expect(log.contains("username=relances"))   // debug does log the exchange
        #expect(log.contains("status=200"))
        for secret in ["hunter2", "s3cret", "eyJtoken", "abc.def", "r3fr"] {
            #expect(!log.contains(secret), "\(secret) reached the log")
        }
    }

    @Test func maskingSurvivesEscapedQuotesAndOddKeys() {
        #expect(Redaction.maskBody(#"{"access_token":"abc.def","expires_in":300}"#) == #"{"access_token":"****","expires_in":300}"#)
        // An escaped quote inside a password must not end the mask.
        let masked = Redaction.maskBody(#"{"password": "ab\"cd\\", "user":"x"}"#)
        #expect(masked == #"{"password":"****", "user":"x"}"#)
        #expect(Redaction.maskBody("grant_type=password&new_password=x1&password=p%26") == "grant_type=password&new_password=****&password=****")
        let described = Redaction.describe(HTTPClientRequest(method: "GET", url: "http://h/", headers: ["authorization": "Basic dXNlcg==", "Cookie": "sid=1"]))
        #expect(!described.contains("dXNlcg") && !described.contains("sid=1"))
    }

    @Test func withoutDebugNothingOfTheExchangeIsLogged() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let sink = MemoryLogSink()
        let client = client { $0.logger = Logger(level: .debug, sink: sink) }
        _ = try await client.postForm(url: "http://127.0.0.1:\(server.port)/echo", fields: [("username", "relances")])
        #expect(sink.lines.isEmpty)
    }
}
