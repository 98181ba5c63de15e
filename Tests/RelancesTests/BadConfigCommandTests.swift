import Foundation
import Gateway
import Relances
import Testing

/// A broken routing config given to the program: `check-config` lists every problem,
/// and `send` stops before it claims anything, so no relance changes.
@Suite struct BadConfigCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func aBadConfigStopsSendBeforeAnythingIsClaimed() async throws {
        let (store, folder) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "N", prenom: "P", adresse: "BP 1, Libreville"))
        let ids = try (0..<3).map { _ in try store.create(NewRelance(contribuableID: who, type: .courrier, montantDue: Montant("1")!, datePlanifiee: fixedNow)).id }
        let config = folder.appendingPathComponent("routing.json")
        // Two problems: a sink without its path, a route to a channel that does not exist.
        try Data(#"{"channels": {"letters": {"kind": "file-sink"}}, "routes": {"courrier": {"channels": ["letters", "lettres"]}}}"#.utf8).write(to: config)
        let log = folder.appendingPathComponent("out.log")
        let common = ["--config", config.path, "--env-file", folder.appendingPathComponent("none.env").path]

        #expect(try await RelancesProgram.run(["check-config"] + common, output: log) == 1)
        let checked = try String(contentsOf: log, encoding: .utf8)
        #expect(checked.contains("2 problem(s)"))
        #expect(checked.contains("\(config.path): channels.letters.path: missing required setting"))
        #expect(checked.contains("\(config.path): routes.courrier.channels[1]: unknown channel 'lettres'; configured channels: letters"))

        let status = try await RelancesProgram.run(["send", "--pending", "--db", store.database.path] + common, output: log)
        #expect(status != 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("unknown channel 'lettres'"))
        for id in ids {
            let r = try #require(try store.relance(id))
            #expect(r.statut == .enAttente && r.notes == nil)
            #expect(try store.attempts(relanceID: id).isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("courrier.jsonl").path))
    }

    /// `relances channels` printed a URL's credentials as written (`http://user:PW@host`);
    /// `check-config` repeated them in a refusal. Both mask the userinfo now.
    @Test(.timeLimit(.minutes(1)))
    func credentialsInAURLAreNotPrinted() async throws {
        let (_, folder) = try temporaryStore()
        let config = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"ventis": {"kind": "ventis-sms", "url": "https://api:Url-S3cret@messaging.example/messaging/api/v1", "username": "u", "password": "p"}}, "routes": {"sms": {"channels": ["ventis"]}}}"#.utf8).write(to: config)
        let log = folder.appendingPathComponent("out.log")
        let common = ["--config", config.path, "--env-file", folder.appendingPathComponent("none.env").path]
        #expect(try await RelancesProgram.run(["channels"] + common, output: log) == 0)
        let listed = try String(contentsOf: log, encoding: .utf8)
        #expect(listed.contains("url=https://****@messaging.example/messaging/api/v1") && !listed.contains("Url-S3cret"), "\(listed)")

        try Data(#"{"channels": {"ventis": {"kind": "ventis-sms", "url": "ftp://api:Url-S3cret@messaging.example/", "username": "u", "password": "p"}}, "routes": {"sms": {"channels": ["ventis"]}}}"#.utf8).write(to: config)
        #expect(try await RelancesProgram.run(["check-config"] + common, output: log) == 1)
        let checked = try String(contentsOf: log, encoding: .utf8)
        #expect(checked.contains("ftp://****@messaging.example/") && !checked.contains("Url-S3cret"), "\(checked)")
    }
}
