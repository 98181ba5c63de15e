import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
@testable import RelancesServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Who may use the API, checked on the request's head: credentials (API tokens, the
/// office's JWT), the site a browser request comes from, the name it was sent to.
@Suite struct AccessTests {
    static let token = "guichet:0123456789abcdef-token"
    static let bearer: HTTPHeaders = ["Authorization": "Bearer 0123456789abcdef-token"]
    static let secret = "le-secret-partage-du-back-office"

    // MARK: credentials

    /// RFC 9110: the scheme is case-insensitive; `bearer x` was a 401 before.
    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        let rig = try APIRig(tokens: [Self.token])
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let (status, _, _) = try await rig.call("GET", "/api/relances", headers: ["Authorization": "\(scheme) 0123456789abcdef-token"])
            #expect(status == 200, "\(scheme)")
        }
        for wrong in ["Basic 0123456789abcdef-token", "Bearer", "Bearer ", "Bearer0123456789abcdef-token", "0123456789abcdef-token"] {
            #expect(try await rig.call("GET", "/api/relances", headers: ["Authorization": wrong]).0 == 401, "\(wrong)")
        }
    }

    /// A NUL, a bare CR or LF or another control byte in a header is a 400: before, a
    /// NUL went through to the handlers.
    @Test func aControlByteInTheHeadIs400() async throws {
        let rig = try APIRig()
        for bad in ["X-Note: a\u{0}b", "X-Note: a\u{1}b", "X-Note: a\u{7F}b", "X-Note: a\rb", "X-Note: a\nX-Other: b", "X-Note: \u{1B}[31m"] {
            let bytes = Array("GET /api/relances HTTP/1.1\r\nHost: 127.0.0.1\r\n\(bad)\r\n\r\n".utf8)
            let answer = try await RawRequest.send(bytes, port: rig.server.port)
            #expect(answer.status == 400 && answer.closed, "\(bad.debugDescription)")
        }
        let tab = try await RawRequest.send(Array("GET /api/relances HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Note: a\tb\r\n\r\n".utf8), port: rig.server.port)
        #expect(tab.status == 200)
    }

    /// Credentials are checked on the head: a stranger's 1 MiB upload is answered 401 at
    /// once, without the server waiting for (and keeping) the body. Before, the server
    /// read the whole body first: here it would wait for it until the test's deadline.
    @Test(.timeLimit(.minutes(1)))
    func anUnauthenticatedBodyIsRefusedBeforeItIsRead() async throws {
        let rig = try APIRig(tokens: [Self.token])
        let fd = try #require(LoopbackSocket.connect(port: rig.server.port))
        defer { close(fd) }
        let head = "POST /api/relances/manuelles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
        #expect(LoopbackSocket.sendAll(fd, Array(head.utf8)))
        // Only the head was sent: the answer must come without the body.
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, RawRequest.parse(received, closed: false) == nil {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 0) > 0 else { try await Task.sleep(nanoseconds: 5_000_000); continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        let answer = try #require(RawRequest.parse(received, closed: false))
        #expect(answer.status == 401 && answer.headers["connection"] == "close")
    }

    /// The office's page sends `Authorization: Bearer <JWT>` signed with its secret: with
    /// `RELANCES_JWT_SECRET` set it is accepted beside the API tokens, and who acted is
    /// recorded. A forged, expired or `alg: none` token is a 401.
    @Test func theOfficesSessionTokenIsAccepted() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let rig = try APIRig(tokens: [Self.token], clock: clock) { $0.jwtSecret = Secret(Self.secret) }
        let now = clock.now()
        let good = TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(600)), secret: Self.secret)
        #expect(try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer \(good)"]).0 == 200)
        #expect(try await rig.call("GET", "/api/relances", headers: Self.bearer).0 == 200)
        let forged = TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(600)), secret: "un-autre-secret-de-seize")
        let none = TestJWT.base64URL(Array(#"{"alg":"none"}"#.utf8)) + "." + TestJWT.base64URL(Array(TestJWT.claims(sub: "1", exp: now.addingTimeInterval(600)).utf8)) + "."
        let expired = TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(-120)), secret: Self.secret)
        for bad in [forged, none, expired, "a.b.c"] {
            let (status, _, response) = try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer \(bad)"])
            #expect(status == 401 && response.headers["WWW-Authenticate"] == "Bearer")
        }
        clock.advance(by: 601 + 30)
        #expect(try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer \(good)"]).0 == 401)
    }

    /// Without a secret, a JWT is just a wrong token.
    @Test func withoutASecretAJWTIsRefused() async throws {
        let rig = try APIRig(tokens: [Self.token])
        let jwt = TestJWT.make(TestJWT.claims(sub: "42", exp: Date().addingTimeInterval(600)), secret: Self.secret)
        #expect(try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer \(jwt)"]).0 == 401)
    }

    /// Who acted is recorded: `acteur` (a JWT's `sub`, a token's label) on the relances
    /// created, changed, sent and generated, `utilisateur_id` from a whole-number `sub`,
    /// and `acteur` on the ledger entries of the sends, the chain intact.
    @Test func whoActedIsRecorded() async throws {
        let rig = try APIRig(tokens: [Self.token]) { $0.jwtSecret = Secret(Self.secret) }
        func jwt(_ sub: String) -> HTTPHeaders {
            ["Authorization": "Bearer " + TestJWT.make(TestJWT.claims(sub: sub, exp: Date().addingTimeInterval(600)), secret: Self.secret)]
        }
        let body = #"{"contribuable_id": \#(rig.who), "type_relance": "sms", "montant_due": "5000", "date_planifiee": "2026-11-24T08:00:00Z", "message": "Rappel"}"#
        let (created, json, _) = try await rig.call("POST", "/api/relances", json: body, headers: jwt("42"))
        let relance = try #require(json as? [String: Any])
        #expect(created == 201 && relance["acteur"] as? String == "42" && relance["utilisateur_id"] as? Int == 42)
        let id = try #require(relance["id"] as? Int)

        let (_, changed, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"notes": "appelé"}"#, headers: Self.bearer)
        #expect((changed as? [String: Any])?["acteur"] as? String == "guichet")
        #expect((changed as? [String: Any])?["utilisateur_id"] as? Int == 42)

        let (_, sent, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer", headers: jwt("agent.nze"))
        #expect((sent as? [String: Any])?["statut"] as? String == "envoyee" && (sent as? [String: Any])?["acteur"] as? String == "agent.nze")
        let today = String(ISO8601.string(from: Date()).prefix(10))
        let entries = try rig.store.ledgerEntries(from: "2000-01-01", to: today)
        #expect(!entries.isEmpty && entries.allSatisfy { $0.relanceID == Int64(id) && $0.acteur == "agent.nze" })

        let (_, generated, _) = try await rig.call("POST", "/api/relances/generer-automatique?envoyer_automatiquement=true", headers: Self.bearer)
        let items = try #require(generated as? [[String: Any]])
        #expect(!items.isEmpty && items.allSatisfy { $0["acteur"] as? String == "guichet" && $0["statut"] as? String == "envoyee" })
        let all = try rig.store.ledgerEntries(from: "2000-01-01", to: today)
        #expect(all.filter { $0.relanceID != Int64(id) }.allSatisfy { $0.acteur == "guichet" })
        #expect(try rig.store.verifyLedger().isIntact)

        let manual = #"{"type_relance": "sms", "message": "Rappel", "montant_due": "5000", "contribuables": [{"contribuable_id": \#(rig.who)}]}"#
        let (_, made, _) = try await rig.call("POST", "/api/relances/manuelles", json: manual, headers: jwt("7"))
        #expect((made as? [[String: Any]])?.first?["acteur"] as? String == "7" && (made as? [[String: Any]])?.first?["utilisateur_id"] as? Int == 7)
    }

    /// A user whose session token was renewed between two tries of one request (same
    /// Idempotency-Key) is the same caller: the second try is the first's answer, not a
    /// second relance. Another user's same key is theirs alone.
    @Test func aRenewedSessionTokenKeepsItsIdempotencyKeys() async throws {
        let rig = try APIRig { $0.jwtSecret = Secret(Self.secret) }
        func jwt(_ sub: String, _ seconds: Double) -> String {
            "Bearer " + TestJWT.make(TestJWT.claims(sub: sub, exp: Date().addingTimeInterval(seconds)), secret: Self.secret)
        }
        let body = #"{"contribuable_id": \#(rig.who), "type_relance": "sms", "montant_due": "5000", "date_planifiee": "2026-11-24T08:00:00Z"}"#
        let first = try await rig.call("POST", "/api/relances", json: body, headers: ["Authorization": jwt("42", 600), "Idempotency-Key": "k-1"])
        let again = try await rig.call("POST", "/api/relances", json: body, headers: ["Authorization": jwt("42", 900), "Idempotency-Key": "k-1"])
        #expect(first.0 == 201 && again.0 == 201 && again.2.headers["Idempotency-Replayed"] == "true")
        let other = try await rig.call("POST", "/api/relances", json: body, headers: ["Authorization": jwt("43", 600), "Idempotency-Key": "k-1"])
        #expect(other.0 == 201 && other.2.headers["Idempotency-Replayed"] == nil)
        #expect(try rig.store.list(RelanceFilter()).1 == 2)
    }

    // MARK: JWT vectors

    @Test func jwtVectors() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let verifier = JWTVerifier(secret: Secret(Self.secret), leeway: 30)
        let claims = TestJWT.claims(sub: "42", exp: now.addingTimeInterval(300))
        // As PyJWT makes it (jwt.encode({"sub": "42", "exp": 1800000300}, secret, "HS256")),
        // computed with Python's own hmac and hashlib.
        let pyjwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImV4cCI6MTgwMDAwMDMwMH0.o5wSCcxfDxgU3Jl5Dl7pQsG6LA3b9OU2qf2lhSd8c0w"
        #expect(TestJWT.make(claims, secret: Self.secret) == pyjwt)
        #expect(verifier.verify(pyjwt, now: now) == .success(.init(subject: "42")))
        #expect(verifier.verify(TestJWT.make(#"{"sub":7,"exp":1800000300}"#, secret: Self.secret), now: now) == .success(.init(subject: "7")))
        // A bad signature: another secret, or one bit of the payload changed.
        #expect(verifier.verify(TestJWT.make(claims, secret: "un-autre-secret-de-seize"), now: now) == .failure(.signature))
        let parts = pyjwt.split(separator: ".")
        let tampered = parts[0] + "." + TestJWT.base64URL(Array(#"{"sub":"1","exp":1800000300}"#.utf8)) + "." + parts[2]
        #expect(verifier.verify(String(tampered), now: now) == .failure(.signature))
        // alg none (with or without a signature), HS512, RS256: refused as such.
        let noneHeader = TestJWT.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        #expect(verifier.verify(noneHeader + "." + parts[1] + ".", now: now) == .failure(.algorithm("none")))
        #expect(verifier.verify(TestJWT.make(claims, secret: Self.secret, header: #"{"alg":"none"}"#), now: now) == .failure(.algorithm("none")))
        #expect(verifier.verify(TestJWT.make(claims, secret: Self.secret, header: #"{"alg":"HS512"}"#), now: now) == .failure(.algorithm("HS512")))
        #expect(verifier.verify(TestJWT.make(claims, secret: Self.secret, header: #"{"alg":"RS256"}"#), now: now) == .failure(.algorithm("RS256")))
        #expect(verifier.verify(TestJWT.make(claims, secret: Self.secret, header: #"{"typ":"JWT"}"#), now: now) == .failure(.malformed("no alg")))
        // exp past (beyond the leeway), within the leeway; nbf in the future; no exp.
        #expect(verifier.verify(TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(-31)), secret: Self.secret), now: now) == .failure(.expired))
        #expect(verifier.verify(TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(-20)), secret: Self.secret), now: now) == .success(.init(subject: "42")))
        #expect(verifier.verify(TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(600), nbf: now.addingTimeInterval(120)), secret: Self.secret),
                                now: now) == .failure(.notYetValid))
        #expect(verifier.verify(TestJWT.make(TestJWT.claims(sub: "42", exp: now.addingTimeInterval(600), nbf: now.addingTimeInterval(10)), secret: Self.secret),
                                now: now) == .success(.init(subject: "42")))
        #expect(verifier.verify(TestJWT.make(#"{"sub":"42"}"#, secret: Self.secret), now: now) == .failure(.claims("exp missing or not a number")))
        #expect(verifier.verify(TestJWT.make(#"{"exp":1800000300}"#, secret: Self.secret), now: now) == .failure(.claims("sub missing")))
        // Malformed: bad base64url, missing or extra parts, not JSON.
        #expect(verifier.verify("eyJ*bGciOiJIUzI1NiJ9." + parts[1] + "." + parts[2], now: now) == .failure(.malformed("not base64url")))
        #expect(verifier.verify(parts[0] + "=." + parts[1] + "." + parts[2], now: now) == .failure(.malformed("not base64url")))
        #expect(verifier.verify(String(parts[0] + "." + parts[1]), now: now) == .failure(.malformed("2 parts instead of 3")))
        #expect(verifier.verify(pyjwt + ".x", now: now) == .failure(.malformed("4 parts instead of 3")))
        #expect(verifier.verify("..", now: now) == .failure(.malformed("not base64url")))
        #expect(verifier.verify(TestJWT.make("[1]", secret: Self.secret), now: now) == .failure(.malformed("payload is not a JSON object")))
        #expect(verifier.verify(TestJWT.make(claims, secret: Self.secret, header: "pas du json"), now: now) == .failure(.malformed("header is not a JSON object")))
    }

    // MARK: origins

    /// CSRF: before, the open loopback server created (and would have sent) a relance
    /// posted as `text/plain` from `https://evil.example`. Now another site's origin
    /// (or Referer) is 403 on anything that changes state, a body must be JSON (415),
    /// and nothing is written; the server's own page and the allowed origins still work.
    @Test func anotherSiteCannotMakeTheServerAct() async throws {
        let rig = try APIRig(cors: ["https://backoffice.mairie.ga"])
        let body = #"{"type_relance": "sms", "message": "Payez ici", "montant_due": "5000", "contribuables": [{"contribuable_id": \#(rig.who), "telephone_override": "0770000000"}]}"#
        let port = rig.server.port
        func post(_ headers: [String]) async throws -> RawRequest.Answer {
            // Host with the port, as a browser sends it.
            var head = "POST /api/relances/manuelles HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.utf8.count)\r\n"
            for line in headers { head += line + "\r\n" }
            return try await RawRequest.send(Array((head + "\r\n" + body).utf8), port: port)
        }
        let attacks: [([String], Int)] = [
            (["Origin: https://evil.example", "Content-Type: text/plain"], 403),
            (["Origin: https://evil.example", "Content-Type: application/json"], 403),
            (["Origin: null", "Content-Type: application/json"], 403),
            (["Referer: https://evil.example/page.html", "Content-Type: application/json"], 403),
            (["Origin: http://127.0.0.1:\(port + 1)", "Content-Type: application/json"], 403),
            (["Content-Type: text/plain"], 415),
            (["Content-Type: application/x-www-form-urlencoded"], 415),
            ([], 415),
        ]
        for (headers, status) in attacks {
            let answer = try await post(headers)
            #expect(answer.status == status, "\(headers)")
        }
        let forbidden = try await post(["Origin: https://evil.example"])
        #expect(String(decoding: forbidden.body, as: UTF8.self).contains("Origine non autorisée"))
        #expect(try rig.store.list(RelanceFilter()).1 == 0)
        // A PATCH (sending) from another site is refused the same way.
        let send = try await RawRequest.send(RawRequest.request("PATCH", "/api/relances/1/envoyer", headers: ["Origin: https://evil.example"]), port: port)
        #expect(send.status == 403)

        for headers in [["Origin: http://127.0.0.1:\(port)"], ["Referer: http://127.0.0.1:\(port)/"], ["Origin: https://backoffice.mairie.ga"], []] {
            let answer = try await post(headers + ["Content-Type: application/json; charset=utf-8"])
            #expect(answer.status == 201, "\(headers): \(String(decoding: answer.body, as: UTF8.self))")
        }
        #expect(try rig.store.list(RelanceFilter()).1 == 4)
        // Reading stays open to the page's own GETs, whatever the Referer.
        let read = try await RawRequest.send(RawRequest.request("GET", "/api/relances", headers: ["Referer: https://evil.example/"]), port: port)
        #expect(read.status == 200)
    }

    /// DNS rebinding: a name that resolves to 127.0.0.1 but is not this server's gets
    /// 400; loopback names and the configured public names are served.
    @Test func aRequestForAnotherHostNameIs400() async throws {
        let rig = try APIRig { $0.publicNames = ["relances.mairie.ga"] }
        let port = rig.server.port
        func get(host: String) async throws -> Int {
            try await RawRequest.send(Array("GET /api/relances HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8), port: port).status
        }
        for host in ["evil.example", "evil.example:\(port)", "127.0.0.1.nip.io", "relances.mairie.ga.evil.example", "10.0.0.1"] {
            #expect(try await get(host: host) == 400, "\(host)")
        }
        for host in ["127.0.0.1:\(port)", "localhost:\(port)", "LOCALHOST", "[::1]:\(port)", "relances.mairie.ga", "Relances.Mairie.GA.:443"] {
            #expect(try await get(host: host) == 200, "\(host)")
        }
    }

    /// The office's page sends `Cache-Control`, `Pragma` and `X-Requested-With` on every
    /// request: the preflight must allow them (before, it did not and the page got
    /// "Failed to fetch").
    @Test func thePreflightAllowsTheHeadersThePageSends() async throws {
        let rig = try APIRig(tokens: [Self.token], cors: ["https://backoffice.mairie.ga"])
        let (status, _, response) = try await rig.call("OPTIONS", "/api/relances", headers: [
            "Origin": "https://backoffice.mairie.ga", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,cache-control,content-type,idempotency-key,pragma,x-requested-with"])
        #expect(status == 204)
        let allowed = Set((response.headers["Access-Control-Allow-Headers"] ?? "").lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(allowed.isSuperset(of: ["authorization", "content-type", "cache-control", "pragma", "x-requested-with", "idempotency-key"]))
    }

    /// Labels name who acted; a token alone gets its position.
    @Test func tokensAreReadWithTheirLabels() {
        #expect(APIToken(parsing: "guichet:0123456789abcdef", index: 0) == APIToken(label: "guichet", value: Secret("0123456789abcdef")))
        #expect(APIToken(parsing: "0123456789abcdef", index: 2) == APIToken(label: "jeton-3", value: Secret("0123456789abcdef")))
        #expect(APIToken(parsing: "a b:0123456789abcdef", index: 0).label == "jeton-1")
        #expect(APIToken.weakness(of: "", what: "an API token", source: "--token")?.contains("from --token is empty") == true)
        #expect(APIToken.weakness(of: "court", what: "an API token", source: ".env")?.contains("5 characters") == true)
        #expect(APIToken.weakness(of: "0123456789abcdef", what: "an API token", source: ".env") == nil)
    }
}
