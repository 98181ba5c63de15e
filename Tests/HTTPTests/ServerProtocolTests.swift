import Foundation
import Gateway
import HTTP
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The finer points of HTTP/1.1 and of ending connections well: versions, interim
/// answers, lingering after a refusal, hanging up on purpose, the access log, signals.
@Suite struct ServerProtocolTests {
    func server(sink: MemoryLogSink = MemoryLogSink(), _ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        let router = HTTPRouter()
        router.get("/ping") { _ in .text("pong") }
        router.post("/echo") { request in .text(String(decoding: request.body, as: UTF8.self)) }
        router.get("/hang-up") { _ in .dropConnection() }
        router.get("/json/{id}") { request in .json(["id": request.pathParameters["id"] ?? ""]) }
        var config = HTTPServerConfiguration()
        config.logger = Logger(sink: sink)
        configure(&config)
        let server = HTTPServer(configuration: config, router: router)
        try server.start()
        return server
    }

    @Test func http10ClosesUnlessAskedToKeepAlive() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let plain = try RawClient(port: server.port)
        plain.send("GET /ping HTTP/1.0\r\n\r\n")
        let first = try #require(await plain.response())
        #expect(first.status == 200 && first.body == "pong" && first.headers["connection"] == "close")
        #expect(await plain.ending() == .closed)

        let kept = try RawClient(port: server.port)
        kept.send("GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(await kept.response()?.headers["connection"] == "keep-alive")
        kept.send("GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(await kept.response()?.body == "pong")
    }

    @Test func emptyLinesBeforeARequestLineAreSkippedButNotForever() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        // A client that ends a POST body with an extra CRLF, then sends the next request.
        client.send("POST /echo HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi\r\nGET /ping HTTP/1.1\r\n\r\n")
        #expect(await client.response()?.body == "hi")
        #expect(await client.response()?.body == "pong")
        let noisy = try RawClient(port: server.port)
        noisy.send(String(repeating: "\r\n", count: 10) + "GET /ping HTTP/1.1\r\n\r\n")
        #expect(await noisy.response()?.status == 400)
        #expect(await noisy.ending() == .closed)
    }

    @Test func expectContinueGetsAnInterimAnswerBeforeTheBody() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(await client.response())
        #expect(interim.status == 100)
        client.send("hello")
        let final = try #require(await client.response())
        #expect(final.status == 200 && final.body == "hello")
        // Too large: refused at once, no 100 sent.
        let big = try RawClient(port: server.port)
        big.send("POST /echo HTTP/1.1\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")
        #expect(await big.response()?.status == 413)
    }

    @Test func aRefusedClientStillSendingItsBodyReadsTheAnswerThenAnOrderlyClose() async throws {
        // A long linger, so that the test does not depend on how fast this machine is.
        let server = try server { $0.maxBodyBytes = 1000; $0.lingerTimeout = 30 }
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n")
        let refusal = try #require(await client.response())
        #expect(refusal.status == 413)
        #expect(refusal.body == #"{"detail":"Request Entity Too Large"}"#)
        // The client did not look and keeps uploading: the server must not reset it.
        var accepted = true
        for _ in 0..<16 { accepted = accepted && client.send([UInt8](repeating: 120, count: 62_500)) }
        #expect(accepted)
        client.finishSending()
        #expect(await client.ending() == .closed)
    }

    @Test func beyondTheCapAClientThatSentItsRequestReadsA503() async throws {
        let server = try server { $0.maxOpenConnections = 1; $0.crowdedIdleTimeout = 600; $0.lingerTimeout = 30 }
        defer { server.beginShutdown(grace: 1) }
        let holder = try RawClient(port: server.port)
        holder.send("GET /ping HTTP/1.1\r\n\r\n")
        #expect(await holder.response()?.status == 200)
        for _ in 0..<3 {
            let extra = try RawClient(port: server.port)
            extra.send("POST /echo HTTP/1.1\r\nContent-Length: 1000005\r\n\r\nhello")
            let answer = try #require(await extra.response())
            #expect(answer.status == 503 && answer.body == #"{"detail":"Service Unavailable"}"#)
            #expect(answer.headers["connection"] == "close")
            // Still uploading after the answer: drained, not reset.
            var accepted = true
            for _ in 0..<16 { accepted = accepted && extra.send([UInt8](repeating: 120, count: 62_500)) }
            #expect(accepted)
            extra.finishSending()
            #expect(await extra.ending() == .closed)
        }
        // The one admitted connection is still served.
        holder.send("GET /ping HTTP/1.1\r\n\r\n")
        #expect(await holder.response()?.body == "pong")
    }

    @Test func aHandlerCanHangUpWithoutAnswering() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send("GET /hang-up HTTP/1.1\r\n\r\n")
        #expect(await client.ending() == .closed)
        #expect(client.leftover.isEmpty)
    }

    @Test func headAnswersTheHeadersOfGetWithoutTheBody() async throws {
        let server = try server()
        defer { server.beginShutdown(grace: 1) }
        let client = try RawClient(port: server.port)
        client.send("HEAD /json/7 HTTP/1.1\r\n\r\n")
        let head = try #require(await client.headResponse())
        #expect(head.status == 200 && head.headers["content-length"] == String(#"{"id":"7"}"#.utf8.count))
        #expect(head.headers["content-type"] == "application/json")
        // The next answer on the connection starts right away: no body was written.
        client.send("GET /ping HTTP/1.1\r\n\r\n")
        #expect(await client.response()?.body == "pong")
    }

    @Test func theAccessLogHasOneLinePerRequest() async throws {
        let sink = MemoryLogSink()
        let server = try server(sink: sink) { $0.accessLog = true }
        let client = try RawClient(port: server.port)
        client.send("GET /json/42?x=1 HTTP/1.1\r\n\r\n")
        #expect(await client.response()?.status == 200)
        client.send("DELETE /ping HTTP/1.1\r\n\r\n")
        #expect(await client.response()?.status == 405)
        await server.stop(grace: 1)
        let lines = sink.lines.filter { $0.contains("msg=request") }
        #expect(lines.count == 2)
        #expect(lines.first.map { $0.contains("method=GET") && $0.contains("path=/json/42") && $0.contains("status=200") && $0.contains("ms=") } == true)
        #expect(lines.last.map { $0.contains("method=DELETE") && $0.contains("status=405") } == true)
    }

    @Test func aSignalShutsTheServerDownGracefully() async throws {
        let server = try server()
        let seen = Mutex<Int32>(0)
        // SIGUSR1 stands in for SIGTERM: the handler is installed before the signal is sent.
        server.shutdownOnTermination(grace: 5, signals: [SIGUSR1]) { number in seen.withLock { $0 = number } }
        let client = try RawClient(port: server.port)
        client.send("GET /ping HTTP/1.1\r\n\r\n")
        #expect(await client.response()?.status == 200)
        kill(getpid(), SIGUSR1)
        let stopped = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await server.stopped(); return true }
            group.addTask { try? await Task.sleep(nanoseconds: 20_000_000_000); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(stopped)
        #expect(seen.withLock { $0 } == SIGUSR1)
        #expect(await client.ending() == .closed)
        #expect(throws: RawClientError.self) { try RawClient(port: server.port) }
    }

    @Test func decodeJSONNamesTheWrongField() throws {
        struct Item: Decodable { var montant_due: Double }
        struct Body: Decodable { var type_relance: String; var contribuables: [Item] }
        func decode(_ json: String) -> JSONBodyError? {
            let request = HTTPRequest(method: "POST", path: "/", body: Data(json.utf8))
            switch Result(catching: { () throws(JSONBodyError) -> Body in try request.decodeJSON(Body.self) }) {
            case .success: return nil
            case .failure(let error): return error
            }
        }
        #expect(decode(#"{"type_relance":"sms","contribuables":[{"montant_due":1}]}"#) == nil)
        let wrongType = try #require(decode(#"{"type_relance":"sms","contribuables":[{"montant_due":1},{"montant_due":"x"}]}"#))
        #expect(wrongType.field == "contribuables[1].montant_due")
        #expect(wrongType.reason == "type invalide (nombre attendu)")
        let missing = try #require(decode(#"{"contribuables":[]}"#))
        #expect(missing.field == "type_relance" && missing.reason == "champ requis manquant")
        #expect(decode("{not json")?.description == "JSON invalide")
        #expect(decode("")?.reason == "corps de requête vide (JSON attendu)")
    }
}
