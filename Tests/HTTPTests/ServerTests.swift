import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Synchronization
import Testing

/// Holds requests until the test opens it; counts who arrived.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, arrived: Int, waiters: [CheckedContinuation<Void, Never>])>((false, 0, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let open = state.withLock { s -> Bool in
                s.arrived += 1
                if !s.open { s.waiters.append(continuation) }
                return s.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        waiters.forEach { $0.resume() }
    }

    var arrived: Int { state.withLock { $0.arrived } }
}

@Suite struct ServerTests {
    /// A router with the shapes the API uses.
    func router(gate: Gate = Gate()) -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/api/relances") { request in
            .json(["route": "list", "limit": request.queryValue("limit") ?? "", "q": request.queryValue("q") ?? ""])
        }
        router.get("/api/relances/statistiques") { _ in .json(["route": "stats"]) }
        router.get("/api/relances/{id}") { request in .json(["route": "one", "id": request.pathParameters["id"] ?? ""]) }
        router.patch("/api/relances/{id}/envoyer") { request in .json(["route": "send", "id": request.pathParameters["id"] ?? ""]) }
        router.post("/echo") { request in HTTPResponse(status: 201, headers: ["Content-Type": "text/plain"], body: request.body) }
        router.get("/slow") { _ in
            await gate.wait()
            return .text("done")
        }
        return router
    }

    func server(gate: Gate = Gate(), _ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        var config = HTTPServerConfiguration()
        config.logger = Logger(sink: MemoryLogSink())
        configure(&config)
        let server = HTTPServer(configuration: config, handler: router(gate: gate).handler)
        try server.start()
        return server
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        for n in 1...5 {
            client.send("GET /api/relances/\(n) HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try #require(await client.response())
            #expect(response.status == 200)
            #expect(response.body == #"{"id":"\#(n)","route":"one"}"# || response.body == #"{"route":"one","id":"\#(n)"}"#)
            #expect(response.headers["connection"] == "keep-alive")
            #expect(response.headers["date"]?.hasSuffix("GMT") == true)
            #expect(response.headers["content-length"] == String(response.body.utf8.count))
        }
        // Two requests in one write (pipelined) are both answered, in order.
        client.send("GET /api/relances/statistiques HTTP/1.1\r\n\r\nGET /api/relances/9/ HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(await client.response()?.body.contains("stats") == true)
        let last = try #require(await client.response())
        #expect(last.body.contains("\"9\""))
        #expect(last.headers["connection"] == "close")
        #expect(await client.isClosed())
    }

    @Test func routingParametersTrailingSlashesAndQueries() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /api/relances/?limit=20&q=Nz%C3%A9+Obame HTTP/1.1\r\n\r\n")
        let list = try #require(await client.response())
        #expect(list.body.contains("\"q\":\"Nzé Obame\"") && list.body.contains("\"limit\":\"20\""))
        client.send("PATCH /api/relances/42/envoyer/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(await client.response()?.body.contains("\"42\"") == true)
        client.send("GET /nowhere HTTP/1.1\r\n\r\n")
        let missing = try #require(await client.response())
        #expect(missing.status == 404 && missing.body == #"{"detail":"Not Found"}"#)
        client.send("DELETE /api/relances/42 HTTP/1.1\r\n\r\n")
        let wrong = try #require(await client.response())
        #expect(wrong.status == 405)
        #expect(wrong.headers["allow"] == "GET, HEAD")
        client.send("HEAD /api/relances/statistiques HTTP/1.1\r\n\r\n")
        let head = try #require(await client.headResponse())
        #expect(head.status == 200 && Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        client.send("POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world")
        let echo = try #require(await client.response())
        #expect(echo.status == 201 && echo.body == "hello world")
        #expect(client.leftover.isEmpty)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET /x HTTP/1.1 extra\r\n\r\n",
        "GET x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/9\r\n\r\n",
        "G@T /x HTTP/1.1\r\n\r\n",
        "GET /%zz HTTP/1.1\r\n\r\n",
        "GET /x?a=%C3 HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\n folded: header\r\n\r\n",
        "GET /x HTTP/1.1\r\nNo-Colon\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "POST /echo HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    ])
    func malformedRequestsGetA400AndTheConnectionClosed(_ raw: String) async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send(raw)
        let response = try #require(await client.response())
        #expect(response.status == 400 || response.status == 505 || response.status == 413, "\(raw)")
        #expect(response.body.contains("detail"))
        #expect(await client.isClosed())
        // The server still serves others.
        let other = try RawClient(port: server.port)
        other.send("GET /api/relances HTTP/1.1\r\n\r\n")
        #expect(await other.response()?.status == 200)
    }

    @Test func invalidUTF8InTheHeadIsA400() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send(Array("GET /x HTTP/1.1\r\nX: ".utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8))
        #expect(await client.response()?.status == 400)
    }

    @Test func oversizeLinesHeadersAndBodiesAreRefused() async throws {
        let server = try server { $0.maxRequestLineBytes = 1024; $0.maxHeaderBytes = 2048; $0.maxBodyBytes = 100 }
        defer { server.beginShutdown(grace: 1) }
        let long = try RawClient(port: server.port)
        long.send("GET /" + String(repeating: "a", count: 5000) + " HTTP/1.1\r\n\r\n")
        #expect(await long.response()?.status == 414)
        let headers = try RawClient(port: server.port)
        headers.send("GET / HTTP/1.1\r\n" + String(repeating: "X-Filler: \(String(repeating: "b", count: 100))\r\n", count: 40) + "\r\n")
        #expect(await headers.response()?.status == 431)
        let body = try RawClient(port: server.port)
        body.send("POST /echo HTTP/1.1\r\nContent-Length: 101\r\n\r\n")
        #expect(await body.response()?.status == 413)
        #expect(await body.isClosed())
        let chunked = try RawClient(port: server.port)
        chunked.send("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        #expect(await chunked.response()?.status == 411)
    }

    @Test func aClientThatSendsHalfARequestIsCutOff() async throws {
        let server = try server { $0.readTimeout = 0.3; $0.idleTimeout = 0.3 }
        defer { server.beginShutdown(grace: 1) }
        let half = try RawClient(port: server.port)
        half.send("POST /echo HTTP/1.1\r\nContent-Length: 50\r\n\r\nonly part")
        let response = try #require(await half.response(timeout: 10))
        #expect(response.status == 408)
        #expect(await half.isClosed())
        let silent = try RawClient(port: server.port)
        #expect(await silent.isClosed(timeout: 10))
    }

    @Test func fiveHundredConcurrentKeepAliveConnectionsAreServed() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let port = server.port
        let clients = try (0..<500).map { _ in try RawClient(port: port) }
        for (i, c) in clients.enumerated() { c.send("GET /api/relances/\(i) HTTP/1.1\r\n\r\n") }
        var ok = 0
        for (i, c) in clients.enumerated() {
            if let r = await c.response(timeout: 20), r.status == 200, r.body.contains("\"\(i)\"") { ok += 1 }
        }
        #expect(ok == 500)
        for (i, c) in clients.enumerated() { c.send("GET /api/relances/\(i + 1000) HTTP/1.1\r\n\r\n") }
        var again = 0
        for (i, c) in clients.enumerated() where await c.response(timeout: 20)?.body.contains("\"\(i + 1000)\"") == true { again += 1 }
        #expect(again == 500)
    }

    @Test func connectionsBeyondTheCapGetA503() async throws {
        let server = try server { $0.maxOpenConnections = 2; $0.crowdedIdleTimeout = 600 }
        defer { server.beginShutdown(grace: 1) }
        let a = try RawClient(port: server.port), b = try RawClient(port: server.port)
        a.send("GET /api/relances HTTP/1.1\r\n\r\n")
        b.send("GET /api/relances HTTP/1.1\r\n\r\n")
        let first = await a.response()?.status, second = await b.response()?.status
        #expect(first == 200 && second == 200)
        let c = try RawClient(port: server.port)
        #expect(await c.response()?.status == 503)
        #expect(await c.isClosed())
    }

    @Test func shutdownFinishesTheRequestInFlight() async throws {
        let gate = Gate()
        let server = try server(gate: gate)
        let client = try RawClient(port: server.port)
        let idle = try RawClient(port: server.port)
        idle.send("GET /api/relances HTTP/1.1\r\n\r\n")
        #expect(await idle.response()?.status == 200)
        client.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(await eventually(within: 10) { gate.arrived == 1 })
        let stopped = Mutex(false)
        // A plain thread, as the serve command's signal path: the blocking shutdown.
        let stopper = Thread {
            server.shutdown(grace: 30)
            stopped.withLock { $0 = true }
        }
        stopper.start()
        // Shutdown has begun once new connections are refused; the idle one is closed.
        #expect(await eventually(within: 10) { (try? RawClient(port: server.port)) == nil })
        #expect(await idle.ending() == .closed)
        #expect(!stopped.withLock { $0 })
        gate.open()
        let response = try #require(await client.response())
        #expect(response.status == 200 && response.body == "done")
        #expect(response.headers["connection"] == "close")
        #expect(await eventually(within: 10) { stopped.withLock { $0 } })
        #expect(await client.ending() == .closed)
    }

    /// From async code the shutdown holds no thread: `beginShutdown` returns while a
    /// request is still held, and `stop` suspends until that request has finished.
    @Test func beginShutdownReturnsAtOnceAndStopAwaitsTheRequestInFlight() async throws {
        let gate = Gate()
        let server = try server(gate: gate)
        let client = try RawClient(port: server.port)
        client.send("GET /slow HTTP/1.1\r\n\r\n")
        #expect(await eventually(within: 10) { gate.arrived == 1 })
        server.beginShutdown(grace: 30)
        #expect(await eventually(within: 10) { (try? RawClient(port: server.port)) == nil })
        let stopped = Mutex(false)
        let stopping = Task {
            await server.stop(grace: 30)
            stopped.withLock { $0 = true }
        }
        #expect(!stopped.withLock { $0 }, "stopped while a request was still held")
        gate.open()
        let response = try #require(await client.response())
        #expect(response.status == 200 && response.body == "done")
        await stopping.value
        #expect(stopped.withLock { $0 } && server.openConnections == 0)
    }
}
