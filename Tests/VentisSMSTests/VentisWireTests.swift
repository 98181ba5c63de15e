import Foundation
import Gateway
import HTTP
import Synchronization
import Testing
@testable import VentisSMS

/// The bytes the channel puts on the wire, as a server sees them: the exact headers
/// and bodies of the Ventis protocol (`channels/ventis-sms/README.md`), which the sandbox (lenient like the real
/// provider may be) does not all check.
@Suite struct VentisWireTests {
    struct TokenAnswer: Encodable {
        var access_token: String
        var expires_in: Int
        var token_type: String
    }

    /// Answers like Keycloak and Ventis and keeps every request whole.
    final class Recorder: Sendable {
        final class Store: Sendable { let requests = Mutex<[HTTPRequest]>([]) }
        let store = Store()
        let server: HTTPServer

        init() throws {
            let store = self.store
            let router = HTTPRouter()
            router.post("/realms/{realm}/protocol/openid-connect/token") { request in
                store.requests.withLock { $0.append(request) }
                return .json(TokenAnswer(access_token: "tok.EN-42", expires_in: 300, token_type: "Bearer"))
            }
            router.post("/messaging/api/v1/message") { request in
                store.requests.withLock { $0.append(request) }
                return .text("+SUCCESS|0f1e2d3c-aaaa-bbbb-cccc-123456789abc|2026-11-25T10:00:00Z")
            }
            var config = HTTPServerConfiguration()
            config.logger = Logger(sink: MemoryLogSink())
            server = HTTPServer(configuration: config, router: router)
            try server.start()
        }

        var base: String { "http://127.0.0.1:\(server.port)" }
        var all: [HTTPRequest] { store.requests.withLock { $0 } }
    }

    func channel(_ recorder: Recorder, _ extra: [String: String] = [:]) throws -> VentisSMSChannel {
        try VentisSMSChannel(
            settings: VentisRig.settings(["url": recorder.base + "/messaging/api/v1", "keycloak_host": recorder.base,
                                          "username": "relances@mairie", "password": "p&ss=w0rd é"].merging(extra) { $1 }),
            context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
    }

    @Test func theTokenRequestIsAPasswordGrantFormWithoutAnEmptySecret() async throws {
        let recorder = try Recorder()
        defer { recorder.server.beginShutdown(grace: 1) }
        _ = try await channel(recorder).send(VentisRig.delivery())
        let token = try #require(recorder.all.first)
        #expect(token.method == "POST")
        #expect(token.path == "/realms/Messaging/protocol/openid-connect/token")
        #expect(token.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(String(decoding: token.body, as: UTF8.self)
                == "grant_type=password&client_id=api-messaging&username=relances%40mairie&password=p%26ss%3Dw0rd%20%C3%A9")
    }

    @Test func aClientSecretWhenSetIsOneMoreField() async throws {
        let recorder = try Recorder()
        defer { recorder.server.beginShutdown(grace: 1) }
        _ = try await channel(recorder, ["client_secret": "s3c+ret", "realm": "Autre", "client_id": "relances-app"]).send(VentisRig.delivery())
        let token = try #require(recorder.all.first)
        #expect(token.path == "/realms/Autre/protocol/openid-connect/token")
        #expect(String(decoding: token.body, as: UTF8.self)
                == "grant_type=password&client_id=relances-app&username=relances%40mairie&password=p%26ss%3Dw0rd%20%C3%A9&client_secret=s3c%2Bret")
    }

    @Test func theMessageRequestHasTheBearerTheContentTypeAndTheFourFields() async throws {
        let recorder = try Recorder()
        defer { recorder.server.beginShutdown(grace: 1) }
        let text = "Échéance dépassée : 5000 FCFA / « merci »"
        let receipt = try await channel(recorder, ["sender": "MAIRIE"]).send(VentisRig.delivery("066 12 34 56", text))
        #expect(receipt.messageID == "0f1e2d3c-aaaa-bbbb-cccc-123456789abc")
        let requests = recorder.all
        #expect(requests.count == 2)
        let message = try #require(requests.last)
        #expect(message.method == "POST" && message.path == "/messaging/api/v1/message")
        #expect(message.headers["Authorization"] == "Bearer tok.EN-42")
        #expect(message.headers["Content-Type"] == "application/json; charset=UTF-8")
        let json = try #require(try JSONSerialization.jsonObject(with: message.body) as? [String: Any])
        #expect(Set(json.keys) == ["to", "sender", "isOTP", "message"])
        #expect(json["to"] as? String == "24166123456")
        #expect(json["sender"] as? String == "MAIRIE")
        #expect(json["message"] as? String == text)
        // A JSON boolean, not 0 or "false".
        let raw = String(decoding: message.body, as: UTF8.self)
        #expect(raw.contains(#""isOTP":false"#))
        #expect(raw.contains("Échéance"))   // UTF-8 as such, not \u escapes
        #expect(raw.contains(" / "))        // and no escaped slash
    }

    @Test func aTrailingSlashInTheURLsIsNotDoubled() async throws {
        let recorder = try Recorder()
        defer { recorder.server.beginShutdown(grace: 1) }
        _ = try await channel(recorder, ["url": recorder.base + "/messaging/api/v1/", "keycloak_host": recorder.base + "/"])
            .send(VentisRig.delivery())
        #expect(recorder.all.map(\.path) == ["/realms/Messaging/protocol/openid-connect/token", "/messaging/api/v1/message"])
    }
}
