import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing
#if canImport(Glibc)
import Glibc
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
                      executable: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? #require(path, "the relances program is not built: run `swift build` (swift test builds it)"))
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let log = try FileHandle(forWritingTo: output)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    /// Runs `relances` to its end (at most `timeout` seconds); answers its exit status.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, output: URL,
                    timeout: Double = 60, executable: String? = nil) async throws -> Int32 {
        let process = try start(arguments, environment: environment, directory: directory, output: output, executable: executable)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
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
    static func campaign(total: Int) throws -> (SQLiteRelanceStore, URL, ProviderSandbox, [String]) {
        let (store, folder) = try temporaryStore()
        var configuration = SandboxConfiguration()
        configuration.faults.latency = 0.01
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
        let (store, folder, sandbox, common) = try Self.campaign(total: total)
        defer { sandbox.stop() }
        let batch = try RelancesProgram.start(["send", "--pending", "--max-in-flight", "16"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send.log"))
        let deadline = Date().addingTimeInterval(60)
        while sandbox.received.count < 300 && batch.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(batch.isRunning, "the batch ended before it could be stopped")
        batch.terminate()
        let stopDeadline = Date().addingTimeInterval(30)
        while batch.isRunning && Date() < stopDeadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(!batch.isRunning, "SIGTERM did not stop the batch")
        batch.waitUntilExit()
        #expect(batch.terminationReason == .exit)
        let log = (try? String(contentsOf: folder.appendingPathComponent("send.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("stopped by signal 15"), "\(log.suffix(400))")

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
    static func killedBatch(after: Int, inFlight: Int, _ common: [String], _ sandbox: ProviderSandbox, _ folder: URL) async throws -> Process {
        let batch = try RelancesProgram.start(["send", "--pending", "--max-in-flight", "\(inFlight)"] + common, environment: sandbox.environment,
                                              output: folder.appendingPathComponent("send-1.log"))
        let deadline = Date().addingTimeInterval(60)
        while sandbox.received.count < after && batch.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(batch.isRunning, "the batch ended before it could be killed")
        kill(batch.processIdentifier, SIGKILL)
        batch.waitUntilExit()
        return batch
    }

    /// A batch of 2,000 SMS killed with SIGKILL in the middle, then recovered and
    /// finished: per the provider's own record, no relance is delivered twice, every
    /// one is `envoyee` (delivered exactly once) or flagged for review, none is lost.
    @Test(.timeLimit(.minutes(3)))
    func aBatchKilledMidwayLosesNothingAndSendsNothingTwice() async throws {
        let total = 2_000
        let (store, folder, sandbox, common) = try Self.campaign(total: total)
        defer { sandbox.stop() }
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
        #expect(Set(flagged.map(\.id)) == Set(caught))
        #expect(flagged.allSatisfy { $0.notes.hasPrefix("Issue inconnue") })
        #expect(accepted.count == sent.count + flagged.filter { accepted[$0.phone] != nil }.count)
        print("crash test: \(caught.count) caught in flight, \(flagged.filter { accepted[$0.phone] != nil }.count) of them delivered before the kill, \(sent.count) envoyee")
    }

    /// After a kill, `recover` alone lists and changes nothing; `--resend` is the
    /// operator's word: the relances caught in flight go back `en_attente` and the next
    /// batch sends them. Only those can then reach a number twice (their first send may
    /// have arrived before the kill); nothing else is delivered twice or lost.
    @Test(.timeLimit(.minutes(3)))
    func resendingAfterAKillIsTheOperatorsChoiceAndOnlyTheCaughtCanArriveTwice() async throws {
        let total = 600
        let (store, folder, sandbox, common) = try Self.campaign(total: total)
        defer { sandbox.stop() }
        let db = store.database.path
        // 4 in flight at 10 ms: about 400 a second, so the batch is still running,
        // 100 sends in, when the test kills it, however busy the machine.
        _ = try await Self.killedBatch(after: 100, inFlight: 4, common, sandbox, folder)
        let caught = try store.inProgress()
        #expect(!caught.isEmpty)

        // Listing only: exit 0, every caught relance named, nothing changed.
        let listing = folder.appendingPathComponent("recover-list.log")
        #expect(try await RelancesProgram.run(["recover", "--db", db], output: listing) == 0)
        let listed = try String(contentsOf: listing, encoding: .utf8)
        #expect(caught.allSatisfy { listed.contains("relance \($0): envoi_en_cours") })
        #expect(listed.contains("\(caught.count) relance(s); use --close or --resend"))
        #expect(try store.inProgress() == caught)
        // Both at once is refused as a usage error, and changes nothing either.
        #expect(try await RelancesProgram.run(["recover", "--resend", "--close", "--db", db], output: listing) == 2)
        #expect(try store.inProgress() == caught)
        let before = sandbox.acceptedByNumber   // the provider's record at the kill

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
