import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import Testing
#if canImport(Glibc)
import Glibc
import TestKit
#endif

/// The built `relances` program (`swift test` builds it beside the test runner).
enum RelancesProgram {
    static var path: String? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [here.appendingPathComponent("relances"), root.appendingPathComponent(".build/debug/relances")]
            .map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `relances` with `arguments` and `environment` added to ours, in `directory`
    /// (else ours): where it looks for `.env` and `channels/routing.json`.
    static func start(_ arguments: [String], environment: [String: String], directory: URL? = nil, output: URL,
                      executable: String? = nil) throws -> Spawned {
        try Spawned(try executable ?? #require(path, "the relances program is not built: run `swift build` (swift test builds it)"), arguments,
                    environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, directory: directory,
                    output: .file(output))
    }

    /// Runs `relances` to its end (at most `timeout` seconds); answers its exit status.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, output: URL,
                    timeout: Double = 60, executable: String? = nil) async throws -> Int32 {
        let process = try start(arguments, environment: environment, directory: directory, output: output, executable: executable)
        _ = await eventually(within: timeout) { !process.isRunning }
        if process.isRunning {
            process.terminate()
            Issue.record("relances \(arguments.joined(separator: " ")) did not end within \(timeout) s")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite struct CrashRecoveryTests {
    /// A store of `total` SMS relances, each to its own number; the sandbox (10 ms an
    /// answer); the command-line options pointing `relances` at both.
    static func campaign(total: Int, latency: Double = 0.01) throws -> (SQLiteRelanceStore, URL, ProviderSandbox, [String]) {
        let (store, folder) = try temporaryStore()
        var configuration = SandboxConfiguration()
        configuration.faults.latency = latency
        let sandbox = ProviderSandbox(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        _ = try sandbox.start()
        let stamp = ISO8601.string(from: Date().addingTimeInterval(-60))
        try store.database.transaction { (s: Session) throws(StoreError) in
            for i in 0..<total {
                try s.run("INSERT INTO contribuable (nom, prenom, telephone, actif, created_at) VALUES (?, 'P', ?, 1, ?)",
                          [.text("C\(i)"), .text("06" + String(1_000_000 + i)), .text(stamp)])
                try s.run("INSERT INTO relance (contribuable_id, type_relance, statut, message, montant_due, date_planifiee, created_at, updated_at) VALUES (?, 'sms', 'en_attente', ?, 500000, ?, ?, ?)",
                          [.int(s.lastInsertID), .text("Rappel \(i)"), .text(stamp), .text(stamp), .text(stamp)])
            }
        }
        let config = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"ventis": {"kind": "ventis-sms", "retry": {"max_attempts": 2, "initial_delay_ms": 10}}}, "routes": {"sms": {"channels": ["ventis"]}}}"#.utf8).write(to: config)
        return (store, folder, sandbox, ["--db", store.database.path, "--config", config.path, "--env-file", folder.appendingPathComponent("none.env").path])
    }


    static func rows(_ store: SQLiteRelanceStore) throws -> [(id: Int64, statut: String, notes: String, phone: String)] {
        try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT r.id, r.statut, COALESCE(r.notes, ''), c.telephone FROM relance r JOIN contribuable c ON c.id = r.contribuable_id") {
                (id: $0.int(0), statut: $0.text(1), notes: $0.text(2), phone: "241" + $0.text(3).dropFirst())
            }
        }
    }

    /// SIGTERM in the middle of a batch: the sends in flight finish and are recorded,
    /// nothing more is claimed, nothing is left `envoi_en_cours`; the store then says
    /// exactly what the provider's record says.
    @Test(.timeLimit(.minutes(3)))
    func aBatchStoppedBySIGTERMFinishesWhatIsInFlightAndClaimsNothingMore() async throws {
        let total = 2_000
        // 16 in flight at 30 ms: the batch lasts some 4 s, killed 300 sends in.
        let (store, folder, sandbox, common) = try Self.campaign(total: total, latency: 0.03)
        defer { sandbox.beginStop() }
        let batch = try RelancesProgram.start(["send", "--pending", "--max-in-flight", "16"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send.log"))
        _ = await eventually(within: 60) { sandbox.received.count >= 300 || !batch.isRunning }
        #expect(batch.isRunning, "the batch ended before it could be stopped")
        batch.terminate()
        _ = await eventually(within: 30) { !batch.isRunning }
        #expect(!batch.isRunning, "SIGTERM did not stop the batch")
        batch.waitUntilExit()
        #expect(batch.terminationReason == .exit)
        let log = (try? String(contentsOf: folder.appendingPathComponent("send.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("arrêté par le signal 15"), "\(log.suffix(400))")

        #expect(try store.inProgress().isEmpty)
        let accepted = sandbox.acceptedByNumber
        let rows = try Self.rows(store)
        #expect(accepted.values.allSatisfy { $0 == 1 })
        #expect(Set(rows.filter { $0.statut == "envoyee" }.map(\.phone)) == Set(accepted.keys))
        #expect(rows.filter { $0.statut == "en_attente" }.allSatisfy { accepted[$0.phone] == nil })
        #expect(rows.allSatisfy { $0.statut == "envoyee" || $0.statut == "en_attente" })
        #expect(rows.filter { $0.statut == "en_attente" }.count > 0)
    }

    /// `relances send --pending` with `inFlight` sends at a time, killed with SIGKILL once
    /// the provider has accepted `after` messages.
    static func killedBatch(after: Int, inFlight: Int, _ common: [String], _ sandbox: ProviderSandbox, _ folder: URL) async throws -> Spawned {
        let batch = try RelancesProgram.start(["send", "--pending", "--max-in-flight", "\(inFlight)"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send-1.log"))
        _ = await eventually(within: 60) { sandbox.received.count >= after || !batch.isRunning }
        #expect(batch.isRunning, "the batch ended before it could be killed")
        kill(batch.processIdentifier, SIGKILL)
        batch.waitUntilExit()
        // A message the provider took just before the kill is still in its latency: the
        // provider's record is the one once every request it took is answered.
        #expect(await eventually { sandbox.received.count >= sandbox.messageRequests })
        return batch
    }

    /// A batch of 2,000 SMS killed with SIGKILL in the middle, then recovered and
    /// finished: per the provider's own record, no relance is delivered twice, every
    /// one is `envoyee` (delivered exactly once) or flagged for review, none is lost.
    @Test(.timeLimit(.minutes(3)))
    func aBatchKilledMidwayLosesNothingAndSendsNothingTwice() async throws {
        let total = 2_000
        // 16 in flight at 30 ms: the batch lasts some 4 s, killed 300 sends in.
        let (store, folder, sandbox, common) = try Self.campaign(total: total, latency: 0.03)
        defer { sandbox.beginStop() }
        let db = store.database.path

        // The batch, killed once the provider has accepted a few hundred.
        let batch = try await Self.killedBatch(after: 300, inFlight: 16, common, sandbox, folder)
        #expect(batch.terminationReason == .uncaughtSignal)

        let caught = try store.inProgress()
        #expect(!caught.isEmpty)   // some were claimed when it died: their outcome is unknown
        // Recovery flags them for review; the next batch sends what was never claimed.
        #expect(try await RelancesProgram.run(["recover", "--close", "--db", db], output: folder.appendingPathComponent("recover.log")) == 0)
        #expect(try store.inProgress().isEmpty)
        #expect(try await RelancesProgram.run(["send", "--pending", "--max-in-flight", "16"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send-2.log")) == 0)

        let accepted = sandbox.acceptedByNumber
        #expect(accepted.values.allSatisfy { $0 == 1 }, "a number was sent twice")
        let rows = try Self.rows(store)
        #expect(rows.count == total)
        let flagged = rows.filter { $0.statut == "echec" }
        let sent = rows.filter { $0.statut == "envoyee" }
        #expect(sent.count + flagged.count == total, "lost: \(rows.filter { $0.statut != "envoyee" && $0.statut != "echec" }.map(\.id))")
        #expect(sent.allSatisfy { accepted[$0.phone] == 1 }, "a relance marked envoyee the provider never accepted")
        // Only those handed to the channel when it died are in doubt: at most the 16 in
        // flight; the others caught were never sent, so went back and out once.
        #expect(Set(flagged.map(\.id)).isSubset(of: Set(caught)) && flagged.count <= 16, "\(flagged.count) flagged")
        #expect(flagged.allSatisfy { $0.notes.hasPrefix("Issue inconnue") })
        #expect(accepted.count == sent.count + flagged.filter { accepted[$0.phone] != nil }.count)
        print("crash test: \(caught.count) caught in flight, \(flagged.filter { accepted[$0.phone] != nil }.count) of them delivered before the kill, \(sent.count) envoyee")
    }

    /// After a kill, `recover` alone puts back what was claimed but never handed to the
    /// channel (certainly not sent) and lists the rest, at most the sends in flight;
    /// `--resend` is the operator's word: those go back `en_attente` and the next
    /// batch sends them. Only those can then reach a number twice (their first send may
    /// have arrived before the kill); nothing else is delivered twice or lost.
    @Test(.timeLimit(.minutes(3)))
    func resendingAfterAKillIsTheOperatorsChoiceAndOnlyTheCaughtCanArriveTwice() async throws {
        let total = 600
        let (store, folder, sandbox, common) = try Self.campaign(total: total, latency: 0.05)
        defer { sandbox.beginStop() }
        let db = store.database.path
        // 4 in flight at 50 ms: about 80 a second, so the batch (some 7 s) is still
        // running, 100 sends in, when the test kills it, however busy the machine.
        _ = try await Self.killedBatch(after: 100, inFlight: 4, common, sandbox, folder)
        let caught = try store.inProgress()
        #expect(!caught.isEmpty)

        let before = sandbox.acceptedByNumber   // the provider's record at the kill
        // Without an option: exit 0, every caught relance named; the never-handed ones
        // back en_attente on their own, the ones in flight (at most 4) left for a person.
        let listing = folder.appendingPathComponent("recover-list.log")
        #expect(try await RelancesProgram.run(["recover", "--db", db], output: listing) == 0)
        let listed = try String(contentsOf: listing, encoding: .utf8)
        #expect(caught.allSatisfy { listed.contains("relance \($0) : envoi_en_cours") })
        let inFlight = try store.inProgress()
        #expect(Set(inFlight).isSubset(of: Set(caught)) && inFlight.count <= 4, "\(inFlight.count) left in flight")
        #expect(listed.contains("\(caught.count) relance(s) envoi_en_cours : "))
        #expect(inFlight.isEmpty || listed.contains("\(inFlight.count) à l'issue inconnue : utilisez --close ou --resend"), "\(listed.suffix(300))")
        let putBack = Set(caught).subtracting(inFlight)
        #expect(try putBack.allSatisfy { try store.relance($0)?.statut == .enAttente })
        let phones = Dictionary(uniqueKeysWithValues: try Self.rows(store).map { ($0.id, $0.phone) })
        #expect(putBack.allSatisfy { before[phones[$0]!] == nil }, "a relance put back as never handed had reached the provider")
        // Both at once is refused as a usage error, and changes nothing.
        #expect(try await RelancesProgram.run(["recover", "--resend", "--close", "--db", db], output: listing) == 2)
        #expect(try store.inProgress() == inFlight)

        #expect(try await RelancesProgram.run(["recover", "--resend", "--db", db], output: folder.appendingPathComponent("recover.log")) == 0)
        #expect(try store.inProgress().isEmpty)
        #expect(try caught.allSatisfy { try store.relance($0)?.statut == .enAttente })
        #expect(try await RelancesProgram.run(["send", "--pending", "--max-in-flight", "16"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send-2.log")) == 0)

        let accepted = sandbox.acceptedByNumber
        let rows = try Self.rows(store)
        #expect(rows.count == total && rows.allSatisfy { $0.statut == "envoyee" }, "not every relance envoyee: \(rows.filter { $0.statut != "envoyee" }.map(\.id))")
        #expect(rows.allSatisfy { accepted[$0.phone] != nil }, "a relance envoyee the provider never accepted")
        let caughtPhones = Set(rows.filter { caught.contains($0.id) }.map(\.phone))
        let twice = Set(accepted.filter { $0.value > 1 }.keys)
        #expect(twice.isSubset(of: caughtPhones), "delivered twice without being caught in flight: \(twice.subtracting(caughtPhones).sorted())")
        #expect(accepted.values.allSatisfy { $0 <= 2 })
        // Exactly those the provider had taken before the kill arrive twice.
        #expect(twice == Set(caughtPhones.filter { before[$0] != nil }))
    }
}

@Suite struct LiveClaimTests {
    /// `recover --resend` while a `send` runs: its claims are live (process alive, lease
    /// renewed), so recover leaves them alone and says so; nothing is sent twice.
    @Test(.timeLimit(.minutes(3)))
    func recoverLeavesALiveSendersClaimsAlone() async throws {
        // 50 ms a message, 4 at once: the batch lasts about 7 s, longer than starting the
        // recover program takes on a loaded machine.
        let (store, folder, sandbox, common) = try CrashRecoveryTests.campaign(total: 600, latency: 0.05)
        defer { sandbox.beginStop() }
        let batch = try RelancesProgram.start(["send", "--pending", "--max-in-flight", "4"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send.log"))
        _ = await eventually(within: 60) { sandbox.received.count >= 50 || !batch.isRunning }
        #expect(batch.isRunning, "the batch ended before recover ran")
        let claimed = try store.inProgress()
        let out = folder.appendingPathComponent("recover.log")
        #expect(try await RelancesProgram.run(["recover", "--resend", "--db", store.database.path], output: out) == 0)
        let said = try String(contentsOf: out, encoding: .utf8)
        #expect(said.contains("laissée(s) telle(s) quelle(s) (un envoi est en cours)"), "\(said.suffix(300))")
        #expect(!said.contains("remise(s) en_attente"), "\(said.suffix(300))")
        await batch.exited(within: 120)
        #expect(batch.terminationStatus == 0 && !claimed.isEmpty)
        #expect(try store.inProgress().isEmpty)
        let rows = try CrashRecoveryTests.rows(store)
        #expect(rows.allSatisfy { $0.statut == "envoyee" })
        #expect(sandbox.acceptedByNumber.values.allSatisfy { $0 == 1 } && sandbox.acceptedByNumber.count == 600)
    }

    /// SIGTERM to `serve` during a generation with sending: nothing more is claimed,
    /// what is in flight finishes and is recorded, the request is answered, then the
    /// program exits; nothing is left `envoi_en_cours`, the store says what the
    /// provider's record says, and what was not started stays `en_attente`.
    @Test(.timeLimit(.minutes(3)))
    func sigtermDuringAGenerationWithSendingRecordsEveryOutcomeThenAnswers() async throws {
        let (store, folder) = try temporaryStore()
        var configuration = SandboxConfiguration()
        configuration.faults.latency = 0.05
        let sandbox = ProviderSandbox(configuration: configuration, logger: Logger(sink: MemoryLogSink()))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }
        let taxe = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        for i in 0..<400 {
            let who = try store.add(Contribuable(nom: "C\(i)", prenom: "P", telephone: "066" + String(100_000 + i)))
            _ = try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: "2026-01-05"))
        }
        let config = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"ventis": {"kind": "ventis-sms"}}, "routes": {"sms": {"channels": ["ventis"]}}}"#.utf8).write(to: config)
        let port = try ServeCommandTests.freePort()
        let serve = try RelancesProgram.start(["serve", "--port", "\(port)", "--schedule-interval", "0", "--rate-limit", "0", "--db", store.database.path,
                                               "--config", config.path, "--env-file", folder.appendingPathComponent("none.env").path],
                                              environment: sandbox.environment, output: folder.appendingPathComponent("serve.log"))
        let client = CurlHTTPClient(configuration: .init(connectTimeout: 2, timeout: 60, logger: Logger(sink: MemoryLogSink())))
        let base = "http://127.0.0.1:\(port)"
        let up = Date().addingTimeInterval(30)
        while serve.isRunning && Date() < up {
            if let answer = try? await client.execute(HTTPClientRequest(url: base + "/healthz")), answer.status == 200 { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let request = Task {
            try await client.execute(HTTPClientRequest(method: "POST", url: base + "/api/relances/generer-automatique", headers: ["Content-Type": "application/json"],
                                                       body: Data(#"{"envoyer_automatiquement": true, "limite": 400}"#.utf8)))
        }
        _ = await eventually(within: 60) { sandbox.received.count >= 40 }
        serve.terminate()
        let answer = try await request.value
        #expect(answer.status == 200)
        let answered = (try JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]]) ?? []
        #expect(answered.count == 400)
        await serve.exited(within: 60)
        #expect(serve.terminationReason == .exit && serve.terminationStatus == 0)

        #expect(try store.inProgress().isEmpty)
        let rows = try CrashRecoveryTests.rows(store)
        let accepted = sandbox.acceptedByNumber
        #expect(accepted.values.allSatisfy { $0 == 1 })
        #expect(Set(rows.filter { $0.statut == "envoyee" }.map(\.phone)) == Set(accepted.keys))
        #expect(rows.allSatisfy { $0.statut == "envoyee" || $0.statut == "en_attente" })
        #expect(rows.filter { $0.statut == "en_attente" }.count > 100, "claimed on after SIGTERM")
        #expect(answered.filter { $0["statut"] as? String == "envoyee" }.count == accepted.count)
    }
}
