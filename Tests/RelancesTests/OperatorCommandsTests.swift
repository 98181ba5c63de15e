import Foundation
import Gateway
import Relances
import Testing

/// The commands the office runs speak French, take `--limite` (and `--limit`, the
/// same), list the valid values of a wrong one, keep a line per SMS off the terminal
/// (`--log FILE`), and say nothing about the SMS client secret when no SMS goes.
@Suite struct OperatorCommandsTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("operateur-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test(.timeLimit(.minutes(1)))
    func wrongValuesListTheValidOnesInFrench() async throws {
        let folder = try Self.folder()
        let log = folder.appendingPathComponent("out.log")
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("x.sqlite").path)
        _ = try store.list(.init())
        #expect(try await RelancesProgram.run(["list", "--db", "x.sqlite", "--statut", "envoye"], directory: folder, output: log) == 2)
        let said = try String(contentsOf: log, encoding: .utf8)
        #expect(said.contains("« envoye » n'est pas une valeur possible ; valeurs possibles : en_attente, envoi_en_cours, envoyee, echec, annulee"), "\(said)")
        #expect(try await RelancesProgram.run(["generate", "--db", "x.sqlite", "--type", "fax"], directory: folder, output: log) == 2)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("valeurs possibles : sms, email, appel, courrier, visite"))
        #expect(try await RelancesProgram.run(["list", "--db", "x.sqlite", "--limite", "abc"], directory: folder, output: log) == 2)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("--limite doit être un nombre entier de 1 à 1000"))
        // --limit and --limite are the same option, everywhere.
        let shipped = DataSafetyTests.root.appendingPathComponent("channels/routing.json").path
        for command in [["list"], ["send", "--pending", "--dry-run", "--config", shipped], ["generate"]] {
            for spelling in ["--limite", "--limit"] {
                #expect(try await RelancesProgram.run(command + ["--db", "x.sqlite", spelling, "5"], directory: folder, output: log) == 0,
                        "\(command) \(spelling): \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
            }
        }
        for command in ["list", "send", "generate", "stats", "import", "recover", "demo"] {
            #expect(try await RelancesProgram.run([command, "--help"], directory: folder, output: log) == 0)
            let help = try String(contentsOf: log, encoding: .utf8)
            #expect(help.hasPrefix("usage : "), "\(command): \(help.prefix(80))")
            #expect(!help.contains("--limit "), "\(command) names --limit in its help")
        }
    }

    /// A send's log lines go to `--log FILE`, not the terminal's output; and an e-mail
    /// run with the SMS channel configured says nothing about its client secret.
    @Test(.timeLimit(.minutes(1)))
    func logsGoToTheirFileAndNoSMSMeansNoSecretWarning() async throws {
        let folder = try Self.folder()
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("x.sqlite").path)
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456", email: "jean@exemple.ga"))
        for _ in 0..<3 {
            _ = try store.create(NewRelance(contribuableID: who, type: .email, montantDue: Montant("5000")!, datePlanifiee: Date(timeIntervalSinceNow: -60),
                                            message: "Bonjour"))
        }
        try Data(#"""
            { "channels": { "ventis": { "kind": "ventis-sms", "url": "http://127.0.0.1:9/x", "keycloak_host": "http://127.0.0.1:9", "username": "u", "password": "p", "client_secret": "" },
                            "boite": { "kind": "email-stub", "from": "relances@mairie.ga", "directory": "mails" } },
              "routes": { "sms": { "channels": ["ventis"] }, "email": { "channels": ["boite"] } } }
            """#.utf8).write(to: folder.appendingPathComponent("routing.json"))
        let out = folder.appendingPathComponent("out.log")
        let status = try await RelancesProgram.run(["send", "--pending", "--db", "x.sqlite", "--config", "routing.json", "--log", "envoi.log"],
                                                   directory: folder, output: out)
        let said = try String(contentsOf: out, encoding: .utf8)
        #expect(status == 0, "\(said)")
        #expect(said.contains("3 envoyée(s), 0 échec(s)"), "\(said)")
        #expect(!said.contains("CLIENT_SECRET") && !said.contains("level="), "\(said)")
        let logged = try String(contentsOf: folder.appendingPathComponent("envoi.log"), encoding: .utf8)
        #expect(!logged.contains("CLIENT_SECRET"), "\(logged)")
        #expect(DataSafetyTests.mode(folder.appendingPathComponent("envoi.log").path) == 0o600)
    }
}
