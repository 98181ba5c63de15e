import Foundation
import Gateway
import Testing

/// What the office sees of the new channels from the command line: `relances channels`
/// lists them with their settings, and `relances demo` delivers e-mails to the SMTP
/// double and letters to a PDF, and says where each went.
@Suite struct ChannelCommandsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(.timeLimit(.minutes(1)))
    func channelsListsSmtpAndLettersWithTheirSettings() async throws {
        let (_, folder) = try temporaryStore()
        let log = folder.appendingPathComponent("out.log")
        let status = try await RelancesProgram.run(
            ["channels", "--config", Self.root.appendingPathComponent("channels/routing.json").path,
             "--env-file", folder.appendingPathComponent("none.env").path],
            environment: ["KEYCLOAK_MESSAGING_USERNAME": "u", "KEYCLOAK_MESSAGING_PASSWORD": "pw-secret", "SMTP_PASSWORD": "smtp-secret"],
            output: log)
        let out = try String(contentsOf: log, encoding: .utf8)
        #expect(status == 0, "\(out)")
        #expect(out.contains("smtp  (email addresses)") && out.contains("letters-pdf  (postal addresses)"))
        for setting in ["starttls", "verify_ssl", "proxy", "office_name", "office_phone", "logo", "run_idle_seconds"] {
            #expect(out.contains("      \(setting) "), "\(setting)")
        }
        #expect(out.contains("courriel  kind=smtp") && out.contains("letters  kind=letters-pdf"))
        #expect(!out.contains("pw-secret") && !out.contains("smtp-secret"))
    }

    @Test(.timeLimit(.minutes(2)))
    func theDemoDeliversEmailsToTheSMTPDoubleAndLettersToAPDF() async throws {
        let (_, folder) = try temporaryStore()
        let log = folder.appendingPathComponent("demo.log")
        let status = try await RelancesProgram.run(
            ["demo", "--db", folder.appendingPathComponent("demo.sqlite").path,
             "--config", Self.root.appendingPathComponent("channels/routing.json").path],
            directory: folder, output: log, timeout: 100)
        let out = try String(contentsOf: log, encoding: .utf8)
        #expect(status == 0, "\(out)")
        let accepted = out.split(separator: "\n").first { $0.contains("e-mails : le bac à sable SMTP") }
        #expect(accepted != nil && accepted?.contains("a accepté 0 ") == false, "\(out)")
        #expect(out.contains("envoyées par courriel :") && out.contains("envoyées par letters :"))
        #expect(out.contains("courriers (letters) : prêts à imprimer dans"))
        let pdfs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("var/courriers").path)
        #expect(pdfs.count == 1 && pdfs[0].hasSuffix(".pdf"), "\(pdfs)")
    }
}
