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

/// What the office's commands print for `--help` is French, the options shared by
/// several commands read the same everywhere, and `relances --help` lists them in French.
@Suite struct FrenchHelpTests {
    static let officeCommands = ["demo", "list", "stats", "send", "generate", "import", "recover", "programmer"]
    /// Words of the English texts these helps had (the shared options' block, `programmer`).
    static let english = ["routing config", "default", "variables for", "send every message", "verbose logs", "unmasked",
                          "appended", "usage:", "FILE", "Schedule", "when to send", " the ", " it ", "give "]

    static func help(_ words: [String], _ folder: URL) async throws -> (Int32, String) {
        let out = folder.appendingPathComponent("aide-\(UUID().uuidString).txt")
        let status = try await RelancesProgram.run(words, directory: folder, output: out)
        return (status, try String(contentsOf: out, encoding: .utf8))
    }

    @Test(.timeLimit(.minutes(1)))
    func theOfficeCommandsHelpIsFrenchAndTheirSharedOptionsReadTheSame() async throws {
        let folder = try OperatorCommandsTests.folder()
        var optionLines: [String: Set<String>] = [:]   // an option → each way a help describes it
        for command in Self.officeCommands {
            let (status, help) = try await Self.help([command, "--help"], folder)
            #expect(status == 0 && help.hasPrefix("usage : relances \(command)"), "\(command): \(help.prefix(80))")
            for word in Self.english { #expect(!help.contains(word), "\(command) --help says « \(word) »:\n\(help)") }
            for line in help.components(separatedBy: "\n") where line.hasPrefix("  --") {
                let option = String(line.dropFirst(2).prefix { $0 != " " && $0 != "," })
                optionLines[option, default: []].insert(line)
                // Every option's text starts at the same column.
                let c = Array(line)
                #expect((c.count > 25 && c[23] == " " && c[24] == " " && c[25] != " ") || option == "--date-debut", "\(command): « \(line) »")
            }
        }
        for shared in ["--db", "--config", "--dry-run", "--limite", "--max-in-flight", "--type"] {
            #expect(optionLines[shared] != nil, "no command names \(shared)")
        }
        for option in ["--config", "--env-file", "--debug", "--log"] {
            #expect((optionLines[option]?.count ?? 0) <= 1, "\(option) is described several ways: \(optionLines[option] ?? [])")
        }
        let (_, overview) = try await Self.help(["--help"], folder)
        #expect(overview.hasPrefix("relances : ") && overview.contains("usage : relances <commande>") && overview.contains("commandes :"), "\(overview)")
        let lines = overview.components(separatedBy: "\n")
        for command in Self.officeCommands {
            let line = try #require(lines.first { $0.hasPrefix("  \(command) ") })
            for word in ["Schedule", "the ", "Run ", "Print "] { #expect(!line.contains(word), "\(line)") }
        }
        #expect(lines.contains("  programmer    Programmer une relance en attente : serve l'envoie à cette date"))
    }

    /// `programmer` refuses in French, saying what it expects; `--date` (and `--at`, its
    /// earlier name) schedules.
    @Test(.timeLimit(.minutes(1)))
    func programmerRefusesInFrenchAndTakesDate() async throws {
        let folder = try OperatorCommandsTests.folder()
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("x.sqlite").path)
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "066123456"))
        let id = try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: Date(), message: "Rappel")).id
        let (noDate, saidNoDate) = try await Self.help(["programmer", "\(id)", "--db", "x.sqlite"], folder)
        #expect(noDate == 2 && saidNoDate.hasPrefix("relances programmer: donnez la date d'envoi : --date 2026-12-01T08:00:00Z"), "\(saidNoDate)")
        let (bad, saidBad) = try await Self.help(["programmer", "\(id)", "--date", "demain", "--db", "x.sqlite"], folder)
        #expect(bad == 2 && saidBad.contains("--date : « demain » n'est pas une date ISO 8601 ; attendu par ex. 2026-12-01T08:00:00Z"), "\(saidBad)")
        let (past, saidPast) = try await Self.help(["programmer", "\(id)", "--date", "2020-01-01T08:00:00Z", "--db", "x.sqlite"], folder)
        #expect(past == 2 && saidPast.contains("est passée : pour envoyer maintenant, utilisez `relances send \(id)`"), "\(saidPast)")
        let (noID, saidNoID) = try await Self.help(["programmer", "--date", "2031-03-02T07:30:00Z", "--db", "x.sqlite"], folder)
        #expect(noID == 2 && saidNoID.contains("donnez le numéro d'une relance"), "\(saidNoID)")
        let (ok, saidOK) = try await Self.help(["programmer", "\(id)", "--date", "2031-03-02T09:30:00+01:00", "--db", "x.sqlite"], folder)
        #expect(ok == 0 && saidOK.contains("relance \(id) : programmée pour le 2031-03-02T08:30:00Z"), "\(saidOK)")
        #expect(try await Self.help(["programmer", "\(id)", "--at", "2031-04-02T07:30:00Z", "--db", "x.sqlite"], folder).0 == 0)
        #expect(try store.relance(id).map { ISO8601.string(from: $0.datePlanifiee) } == "2031-04-02T07:30:00Z")
    }
}
