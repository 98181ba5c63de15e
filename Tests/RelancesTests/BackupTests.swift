import Foundation
import Gateway
import ProviderSandbox
import Relances
import Synchronization
import Testing
import TestKit

/// `relances backup` and `relances restore`: a consistent copy of a live database
/// that the ledger check accepts, private; a restore that checks what it puts back
/// and will not replace a database a program has open.
@Suite struct BackupTests {
    /// The copy is taken while another connection keeps writing (as `serve` does):
    /// it opens, its ledger verifies, it is private, and it holds at least what was
    /// there before the copy began.
    @Test(.timeLimit(.minutes(2)))
    func aBackupOfALiveDatabaseVerifiesAndIsPrivate() async throws {
        let batch = try await LedgerTests().sendBatch()
        let live = batch.store.database.path
        let before = try batch.store.list(.init()).total
        // A writer that does not stop while the copy runs.
        let stop = Atomic(false)
        let store = batch.store
        let writer = Task.detached {
            var n = 0
            while !stop.load(ordering: .relaxed) {
                n += 1
                _ = try? store.add(Contribuable(nom: "ÉCRIT-\(n)", prenom: "Pendant", telephone: "066123456"))
            }
            return n
        }
        let copy = batch.folder.appendingPathComponent("copie.sqlite").path
        let log = batch.folder.appendingPathComponent("backup.log")
        let umask = Glibc.umask(0)
        let status = try await RelancesProgram.run(["backup", "--db", live, "--to", copy], output: log)
        Glibc.umask(umask)
        stop.store(true, ordering: .relaxed)
        let written = await writer.value
        #expect(status == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(written > 0)
        #expect(DataSafetyTests.mode(copy) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: copy + ".partiel"))
        #expect(try await RelancesProgram.run(["ledger", "verify", "--db", copy], output: log) == 0)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("ledger intact: 8 entries"))
        let copied = try SQLiteRelanceStore(path: copy)
        #expect(try copied.list(.init()).total == before)
    }

    @Test(.timeLimit(.minutes(2)))
    func aRestoreChecksItsSourceAndRefusesADatabaseInUse() async throws {
        let batch = try await LedgerTests().sendBatch()
        let copy = batch.folder.appendingPathComponent("copie.sqlite").path
        try Database.backup(from: batch.store.database.path, to: copy)
        let log = batch.folder.appendingPathComponent("restore.log")

        // Not a relances database: refused, nothing touched.
        let junk = batch.folder.appendingPathComponent("notes.txt")
        try Data("pas une base".utf8).write(to: junk)
        let target = batch.folder.appendingPathComponent("restauree.sqlite").path
        #expect(try await RelancesProgram.run(["restore", "--from", junk.path, "--db", target], output: log) == 2)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("n'est pas une base"))
        #expect(!FileManager.default.fileExists(atPath: target))

        // Into a new file: the backup's data, and its ledger verifies.
        #expect(try await RelancesProgram.run(["restore", "--from", copy, "--db", target], output: log) == 0, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(try await RelancesProgram.run(["ledger", "verify", "--db", target], output: log) == 0)

        // Over the live database while this process has it open: refused without --force.
        let live = batch.store.database.path
        _ = try batch.store.list(.init())
        #expect(try await RelancesProgram.run(["restore", "--from", copy, "--db", live], output: log) == 2)
        #expect(try String(contentsOf: log, encoding: .utf8).contains("--force"))
        #expect(try await RelancesProgram.run(["restore", "--from", copy, "--db", live, "--force"], output: log) == 0,
                "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// The unit `relances systemd-unit` prints is one systemd accepts
    /// (`systemd-analyze verify` when the machine has it), and runs serve as the README says.
    @Test(.timeLimit(.minutes(1)))
    func theSystemdUnitIsValid() async throws {
        let (_, folder) = try temporaryStore()
        let unit = folder.appendingPathComponent("relances.service")
        #expect(try await RelancesProgram.run(["systemd-unit", "--directory", "/var/lib/relances"], output: unit) == 0)
        let text = try String(contentsOf: unit, encoding: .utf8)
        var sections: [String: [String: String]] = [:]
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("[") { current = String(line.dropFirst().dropLast()); continue }
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            try #require(parts.count == 2, "not a key=value line: \(line)")
            sections[current, default: [:]][parts[0]] = parts[1]
        }
        #expect(Set(sections.keys) == ["Unit", "Service", "Install"])
        let exec = try #require(sections["Service"]?["ExecStart"])
        #expect(exec.hasPrefix("/usr/local/bin/relances serve --db /var/lib/relances/relances.sqlite"))
        #expect(sections["Service"]?["WorkingDirectory"] == "/var/lib/relances" && sections["Service"]?["KillSignal"] == "SIGTERM")
        #expect(sections["Install"]?["WantedBy"] == "multi-user.target")
        #expect(try await RelancesProgram.run(["systemd-unit", "--directory", "var/lib"], output: unit) == 2)

        // systemd's own check, where the machine has systemd (not in every container).
        let analyzer = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if let analyzer {
            #expect(try await RelancesProgram.run(["systemd-unit", "--program", "/bin/true", "--directory", "/tmp", "--user", "root"], output: unit) == 0)
            let check = try Spawned(analyzer, ["verify", unit.path], output: .pipe)
            await check.exited(within: 60)   // its few lines fit in the pipe's buffer
            let said = String(decoding: try #require(check.output).readDataToEndOfFile(), as: UTF8.self)
            #expect(check.terminationStatus == 0 || said.contains("Failed to connect") || said.contains("System has not been booted"), "\(said)")
        }
    }
}
