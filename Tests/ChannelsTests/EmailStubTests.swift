import EmailStub
import Foundation
import Gateway
import Testing

@Suite struct EmailStubTests {
    func channel(_ folder: URL) throws -> EmailStubChannel {
        try EmailStubChannel(settings: settings("mail", EmailStub.kind, [
            "from": "relances@mairie-libreville.ga", "from_name": "Mairie de Libreville – Taxes",
            "directory": folder.path]), context: ChannelContext())
    }

    @Test func aStandardParserReadsTheMessageBackWithAccentsIntact() async throws {
        let folder = try temporaryFolder("mail")
        defer { try? FileManager.default.removeItem(at: folder) }
        let body = "Bonjour Éléonore,\n\nVous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026.\n"
            + String(repeating: "Ligne très longue « avec guillemets » ", count: 5) + "\nMerci.\n"
        let subject = "Rappel : taxe municipale échue – n° 42 (Libreville, Akébé) à régler avant l'échéance"
        let receipt = try await channel(folder).send(Delivery(id: "relance-42", type: .email, recipient: "eleonore.nze@example.ga",
                                                              subject: subject, body: body))
        let file = try #require(receipt.details["file"])
        #expect(file.hasPrefix(folder.path) && file.hasSuffix(".eml"))
        let script = """
            import email, email.policy, json, sys
            m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
            print(json.dumps({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
                              "mid": m["message-id"], "date": m["date"], "mime": m["mime-version"],
                              "cte": m["content-transfer-encoding"], "body": m.get_content(),
                              "long": max(len(l) for l in open(sys.argv[1], 'rb').read().split(b"\\r\\n"))}))
            """
        let parsed = try JSONSerialization.jsonObject(with: Data(try await run(["python3", "-c", script, file]).utf8)) as? [String: Any]
        #expect(parsed?["subject"] as? String == subject)
        #expect(parsed?["from"] as? String == "Mairie de Libreville – Taxes <relances@mairie-libreville.ga>")
        #expect(parsed?["to"] as? String == "eleonore.nze@example.ga")
        #expect(parsed?["mid"] as? String == "<\(receipt.messageID)>")
        #expect(parsed?["mime"] as? String == "1.0")
        #expect(parsed?["cte"] as? String == "quoted-printable")
        #expect((parsed?["date"] as? String)?.hasSuffix("+0000") == true)
        #expect(parsed?["body"] as? String == body)
        #expect((parsed?["long"] as? Int ?? 999) <= 78)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty)
    }

    @Test func anInvalidAddressIsRefusedBeforeAnythingIsWritten() async throws {
        let folder = try temporaryFolder("mail")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stub = try channel(folder)
        for bad in ["jean.example.ga", "jean@", "@example.ga", "jean nze@example.ga", "jean@example", "a@b.ga\r\nBcc: x@y.ga", "j..n@example.ga"] {
            await #expect(throws: ChannelError.self, "\(bad)") {
                _ = try await stub.send(Delivery(id: "r", type: .email, recipient: bad, subject: "s", body: "b"))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test func neitherRecipientNorSubjectCanChooseThePath() async throws {
        let folder = try temporaryFolder("mail")
        defer { try? FileManager.default.removeItem(at: folder) }
        let receipt = try await channel(folder).send(Delivery(id: "../../etc/passwd", type: .email, recipient: "a@example.ga",
                                                              subject: "../../x\nBcc: evil@example.ga", body: "b"))
        let file = try #require(receipt.details["file"])
        #expect(URL(fileURLWithPath: file).deletingLastPathComponent().path == folder.path)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!text.contains("\nBcc:"))
    }

    @Test func aBadSenderIsAConfigError() {
        do {
            _ = try EmailStubChannel(settings: settings("mail", EmailStub.kind, ["from": "not-an-address", "directory": "x"]), context: ChannelContext())
            Issue.record("accepted a bad sender")
        } catch {
            #expect(error.description.hasPrefix("test.json: channels.mail.from: not a usable address"))
        }
    }
}
