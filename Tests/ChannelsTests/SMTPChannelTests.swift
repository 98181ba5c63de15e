import Foundation
import Gateway
import ProviderSandbox
import SMTPMail
import Testing

/// The `smtp` channel against the SMTP double, over loopback.
@Suite struct SMTPChannelTests {
    static let password = "m0t-de-passe-SMTP"

    func channel(_ server: SMTPSandbox, _ extra: [String: String] = [:], log: MemoryLogSink = MemoryLogSink()) throws -> SMTPChannel {
        var values = ["url": server.url, "starttls": "optional", "username": "relances", "password": Self.password,
                      "from": "relances@mairie-libreville.ga", "from_name": "Mairie de Libreville – Service des taxes",
                      "timeout_seconds": "5"]
        values.merge(extra) { $1 }
        return try SMTPChannel(settings: settings("courriel", SMTP.kind, values), context: ChannelContext(logger: Logger(level: .debug, sink: log)))
    }

    let delivery = Delivery(id: "relance-42", type: .email, recipient: "jean.ndong@example.ga",
                            subject: "Rappel : taxe de marché échue", body: "Bonjour M. Ndong,\nVotre taxe de 45 000 FCFA est échue.\n")

    /// Reads a delivered message back with Python's `email` package, a real MIME parser.
    func parse(_ data: String) async throws -> [String: String] {
        let script = """
            import sys, json, email, email.policy
            m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
            print(json.dumps({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
                              "message_id": str(m["message-id"]), "body": m.get_content()}))
            """
        let out = try await run(["python3", "-c", script], input: Data(data.utf8))
        return try JSONDecoder().decode([String: String].self, from: Data(out.utf8))
    }

    @Test func aMessageIsDeliveredWithItsAccentsAndAMessageIDFromTheDeliveryID() async throws {
        let server = try SMTPSandbox(username: "relances", password: Self.password)
        defer { server.stop() }
        let receipt = try await channel(server).send(delivery)
        let message = try #require(server.messages.first)
        #expect(message.from == "relances@mairie-libreville.ga" && message.recipients == ["jean.ndong@example.ga"] && message.user == "relances")
        let parsed = try await parse(message.data)
        #expect(parsed["subject"] == "Rappel : taxe de marché échue")
        #expect(parsed["from"] == "Mairie de Libreville – Service des taxes <relances@mairie-libreville.ga>")
        #expect(parsed["body"]?.replacingOccurrences(of: "\r\n", with: "\n") == "Bonjour M. Ndong,\nVotre taxe de 45 000 FCFA est échue.\n")
        #expect(parsed["message_id"] == "<relance-42.r@mairie-libreville.ga>")
        #expect(receipt.messageID == "relance-42.r@mairie-libreville.ga" && receipt.note.contains(receipt.messageID))
        #expect(receipt.providerAnswer.hasPrefix("250"))
    }

    @Test func aRetryCarriesTheSameMessageID() async throws {
        let server = try SMTPSandbox()
        defer { server.stop() }
        let smtp = try channel(server, ["username": "", "password": ""])
        server.fault = .temporary("4.3.0 réessayez plus tard")
        do { _ = try await smtp.send(delivery); Issue.record("accepted during a 451") } catch {
            #expect(error.isRetryable && error.description.contains("451"))
        }
        server.fault = .none
        _ = try await smtp.send(delivery)
        _ = try await smtp.send(delivery)
        var ids: [String?] = []
        for message in server.messages { ids.append(try await parse(message.data)["message_id"]) }
        #expect(ids == ["<relance-42.r@mairie-libreville.ga>", "<relance-42.r@mairie-libreville.ga>"])
    }

    @Test func repliesMapToTemporaryPermanentAndInvalidRecipient() async throws {
        let server = try SMTPSandbox()
        defer { server.stop() }
        let smtp = try channel(server, ["username": "", "password": ""])
        server.fault = .permanent("5.7.1 message refusé")
        do { _ = try await smtp.send(delivery); Issue.record("accepted during a 554") } catch {
            #expect(!error.isRetryable && error == .refused(code: "554", message: "5.7.1 message refusé"))
        }
        server.fault = .none
        server.refuse("inconnu@example.ga", "5.1.1 boîte inconnue")
        var refused = delivery
        refused.recipient = "inconnu@example.ga"
        do { _ = try await smtp.send(refused); Issue.record("accepted a refused recipient") } catch {
            guard case .invalidRecipient(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("550 5.1.1 boîte inconnue") && !error.isRetryable)
        }
        #expect(server.messages.isEmpty)
    }

    @Test func aServerThatHangsOrDropsIsRetryableAndABadPasswordIsNot() async throws {
        let server = try SMTPSandbox(username: "relances", password: Self.password)
        defer { server.stop() }
        server.fault = .drop
        let plain = try channel(server), impatient = try channel(server, ["timeout_seconds": "1"])
        let wrong = MemoryLogSink()
        let wrongPassword = try channel(server, ["password": "faux"], log: wrong)
        do { _ = try await plain.send(delivery); Issue.record("accepted by a dropped connection") } catch {
            #expect(error.isRetryable, "\(error)")
        }
        server.fault = .hang
        do { _ = try await impatient.send(delivery); Issue.record("accepted by a hung server") } catch {
            #expect(error.isRetryable && error.code == "timeout", "\(error)")
        }
        server.fault = .none
        let log = wrong
        do { _ = try await wrongPassword.send(delivery); Issue.record("signed in with a wrong password") } catch {
            #expect(!error.isRetryable && error.code == "authentication" && error.description.contains("SMTP_PASSWORD"))
        }
        #expect(!log.lines.contains { $0.contains(Self.password) || $0.contains("faux") })
    }

    /// A certificate for 127.0.0.1, made now with openssl: none ships in the product.
    func certificate(_ folder: URL) async throws -> (certificate: String, key: String) {
        let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
        _ = try await run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                     "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        return (cert, key)
    }

    @Test func starttlsRequiredSendsOverTLSAndRefusesAServerWithout() async throws {
        let folder = try temporaryFolder("smtp-tls")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tls = try await certificate(folder)
        let server = try SMTPSandbox(username: "relances", password: Self.password, tls: tls)
        defer { server.stop() }
        _ = try await channel(server, ["starttls": "required", "ca_file": tls.certificate]).send(delivery)
        let message = try #require(server.messages.first)
        #expect(message.overTLS && message.user == "relances")
        #expect(try await parse(message.data)["subject"] == "Rappel : taxe de marché échue")
        // The same server without trusting its certificate: refused for good, nothing sent.
        let untrusting = try channel(server, ["starttls": "required"])
        do { _ = try await untrusting.send(delivery); Issue.record("an untrusted certificate was accepted") } catch {
            #expect(!error.isRetryable && error.code == "certificate", "\(error)")
        }
        // A server that offers no STARTTLS: starttls=required never sends in clear.
        let plain = try SMTPSandbox(username: "relances", password: Self.password)
        defer { plain.stop() }
        let strict = try channel(plain, ["starttls": "required"])
        do { _ = try await strict.send(delivery); Issue.record("sent in clear with starttls=required") } catch {
            #expect(!error.isRetryable, "\(error)")
        }
        #expect(plain.messages.isEmpty && server.messages.count == 1)
    }

    @Test func settingsAreCheckedAtStartUpWithoutConnecting() throws {
        let server = try SMTPSandbox()
        defer { server.stop() }
        for (key, value) in [("url", "http://smtp.example.ga"), ("starttls", "maybe"), ("from", "pas-une-adresse")] {
            do { _ = try channel(server, [key: value]); Issue.record("\(key)=\(value) accepted") } catch {
                #expect("\(error)".contains("channels.courriel.\(key)"))
            }
        }
        _ = try channel(server)
        #expect(server.connections == 0)
    }
}
