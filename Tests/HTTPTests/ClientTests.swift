import Foundation
import Gateway
import HTTP
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ClientTests {
    /// A server that records which connection each request came on.
    final class Recorder: Sendable {
        let peers = Mutex<[String]>([])
    }

    func server(_ recorder: Recorder = Recorder()) throws -> HTTPServer {
        let router = HTTPRouter()
        router.get("/hello") { request in
            recorder.peers.withLock { $0.append(request.remoteAddress) }
            return .json(["bonjour": "Libreville"])
        }
        router.post("/form") { request in
            recorder.peers.withLock { $0.append(request.remoteAddress) }
            return .text(String(decoding: request.body, as: UTF8.self), contentType: request.headers["Content-Type"] ?? "")
        }
        router.get("/slow") { _ in
            try? await Task.sleep(nanoseconds: 2_000_000_000)
            return .text("late")
        }
        router.get("/big") { _ in .text(String(repeating: "x", count: 200_000)) }
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
        defer { server.shutdown(grace: 1) }
        let client = client()
        for _ in 0..<5 {
            let response = try await client.get("http://127.0.0.1:\(server.port)/hello")
            #expect(response.status == 200)
            #expect(response.text == #"{"bonjour":"Libreville"}"#)
            #expect(response.headers["content-type"] == "application/json")
        }
        let peers = recorder.peers.withLock { $0 }
        #expect(peers.count == 5)
        #expect(Set(peers).count == 1)
    }

    @Test func formBodiesArePercentEncoded() async throws {
        let server = try server()
        defer { server.shutdown(grace: 1) }
        let response = try await client().postForm("http://127.0.0.1:\(server.port)/form",
                                                   fields: [("username", "jean nzé"), ("password", "p&ss=word+1")])
        #expect(response.text == "username=jean%20nz%C3%A9&password=p%26ss%3Dword%2B1")
        #expect(response.headers["content-type"] == "application/x-www-form-urlencoded")
    }

    @Test func eachFailureHasItsOwnError() async throws {
        let server = try server()
        defer { server.shutdown(grace: 1) }
        let client = client { $0.maxResponseBytes = 100_000 }
        await #expect(throws: HTTPClientError.timeout(seconds: 0.3)) {
            _ = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/slow", timeout: 0.3))
        }
        await #expect(throws: HTTPClientError.bodyTooLarge(limit: 100_000)) {
            _ = try await client.get("http://127.0.0.1:\(server.port)/big")
        }
        let closedPort = try freePort()
        do {
            _ = try await client.get("http://127.0.0.1:\(closedPort)/")
            Issue.record("connected to a closed port")
        } catch {
            guard case .connectionRefused = error else { Issue.record("\(error)"); return }
        }
        do {
            _ = try await client.get("http://relances.invalid/")
            Issue.record("resolved .invalid")
        } catch {
            guard case .dnsFailure = error else { Issue.record("\(error)"); return }
        }
        await #expect(throws: HTTPClientError.invalidURL("ftp://x")) { _ = try await client.get("ftp://x") }
    }

    @Test func manyConcurrentRequestsAllComeBack() async throws {
        let server = try server()
        defer { server.shutdown(grace: 1) }
        let client = client { $0.maxConcurrentRequests = 32 }
        let port = server.port
        let ok = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask { (try? await client.get("http://127.0.0.1:\(port)/hello"))?.status == 200 }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(ok == 200)
    }

    @Test func debugLogsMaskCredentialsAndTokens() async throws {
        let server = try server()
        defer { server.shutdown(grace: 1) }
        let sink = MemoryLogSink()
        let client = client { $0.debug = true; $0.logger = Logger(level: .debug, sink: sink) }
        _ = try await client.postForm("http://127.0.0.1:\(server.port)/form",
                                      fields: [("username", "relances"), ("password", "hunter2"), ("client_secret", "s3cret")],
                                      headers: ["Authorization": "Bearer eyJtoken"])
        let log = sink.lines.joined(separator: "\n")
        #expect(log.contains("username=relances"))
        #expect(!log.contains("hunter2") && !log.contains("s3cret") && !log.contains("eyJtoken"))
        #expect(Redaction.maskBody(#"{"access_token":"abc.def","expires_in":300}"#) == #"{"access_token":"****","expires_in":300}"#)
    }

    @Test func tlsIsVerifiedByDefaultAndCanBeTurnedOffOrGivenACA() async throws {
        let tls = try TLSServer.start()
        defer { tls.stop() }
        let url = "https://localhost:\(tls.port)/"
        do {
            _ = try await client().get(url, timeout: 5)
            Issue.record("a self-signed certificate was accepted with verification on")
        } catch {
            guard case .tls = error else { Issue.record("expected a TLS error, got \(error)"); return }
        }
        let sink = MemoryLogSink()
        let insecure = client { $0.verifyTLS = false; $0.logger = Logger(sink: sink) }
        #expect(try await insecure.get(url, timeout: 10).status == 200)
        #expect(sink.lines.filter { $0.contains("verification is OFF") }.count == 1)
        let trusting = client { $0.caFile = tls.certificate }
        #expect(try await trusting.get(url, timeout: 10).status == 200)
    }
}

/// A port nobody listens on (bound then released).
func freePort() throws -> Int {
    let server = HTTPServer(configuration: HTTPServerConfiguration(), handler: { _ in .text("") })
    let port = try server.start()
    server.shutdown(grace: 0)
    return port
}

/// An HTTPS server (Python's `http.server` wrapped in TLS) with a self-signed
/// certificate for localhost that `openssl` makes for the test.
struct TLSServer {
    let process: Process
    let port: Int
    let certificate: String
    let folder: URL

    static func start() throws -> TLSServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                          "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        make.standardError = FileHandle.nullDevice
        make.standardOutput = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        let port = try freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = """
            import http.server, ssl, sys
            httpd = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
            httpd.serve_forever()
            """
        // The system's Python, not a version manager's shim, so terminate() reaches it.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        server.arguments = [python, "-c", script, "\(port)", cert, key]
        server.currentDirectoryURL = folder
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        // Wait (bounded) until it listens.
        for _ in 0..<100 {
            if isListening(port) { break }
            usleep(50_000)
        }
        return TLSServer(process: server, port: port, certificate: cert, folder: folder)
    }

    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    func stop() {
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        try? FileManager.default.removeItem(at: folder)
    }
}
