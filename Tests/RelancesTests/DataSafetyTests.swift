import Foundation
import Gateway
import Relances
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The office's database is never replaced, doubled or made up by accident, and what
/// holds taxpayers' data is private to its owner.
@Suite struct DataSafetyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func mode(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : nil
    }

    static func contribuables(_ path: String) throws -> Int64 {
        try SQLiteRelanceStore(path: path).database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT COUNT(*) FROM contribuable") { $0.int(0) } ?? -1
        }
    }

    /// Runs `relances` under `umask 000`, the most permissive there is.
    static func runOpenUmask(_ arguments: [String], in folder: URL, output: URL) async throws -> Int32 {
        let program = try #require(RelancesProgram.path)
        return try await RelancesProgram.run(["-c", "umask 000 && exec \"$0\" \"$@\"", program] + arguments, directory: folder, output: output,
                                             executable: "/bin/sh")
    }

    /// Reported on today's main: a mistyped `--db` made an empty database and answered
    /// "0 relance(s)". Only commands that create data may create the file.
    @Test(.timeLimit(.minutes(1)))
    func readingCommandsRefuseADatabaseThatDoesNotExist() async throws {
        let (_, folder) = try ServeCommandTests.folder()
        let log = folder.appendingPathComponent("out.log")
        for command in [["list"], ["stats"], ["ledger", "verify"], ["ledger", "export", "--from", "2026-01-01", "--to", "2026-01-31"],
                        ["recover"], ["send", "--pending"]] {
            let status = try await RelancesProgram.run(command + ["--db", "relance.sqlite"], directory: folder, output: log)
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(status == 2, "\(command): \(output)")
            #expect(output.contains("la base de données « relance.sqlite » n'existe pas"), "\(command): \(output)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("relance.sqlite").path), "\(command) created it")
        }
        // A command that creates data still may.
        #expect(try await RelancesProgram.run(["generate", "--db", "new.sqlite"], directory: folder, output: log) == 0)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("new.sqlite").path))
    }

    /// Reported on today's main: `demo --db relances.sqlite` and `serve --demo` replaced
    /// the office's database with demo data, silently.
    @Test(.timeLimit(.minutes(1)))
    func demoAndServeDemoRefuseAnyOtherExistingFile() async throws {
        let (store, folder) = try ServeCommandTests.folder()
        _ = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "077 12 34 56"))
        let path = store.database.path
        let log = folder.appendingPathComponent("out.log")
        for command in [["demo", "--contribuables", "5"], ["serve", "--demo", "--port", "0"]] {
            let status = try await RelancesProgram.run(command + ["--db", path], directory: folder, output: log)
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(status == 2, "\(command): \(output)")
            #expect(output.contains("« \(path) » existe et n'est pas une base de démonstration"), "\(command): \(output)")
            #expect(try Self.contribuables(path) == 1, "\(command) changed the office's data")
        }
        // Nor a file that is not a database at all.
        let notes = folder.appendingPathComponent("notes.txt")
        try Data("à garder".utf8).write(to: notes)
        #expect(try await RelancesProgram.run(["demo", "--db", notes.path], directory: folder, output: log) == 2)
        #expect(try String(contentsOf: notes, encoding: .utf8) == "à garder")
    }

    /// Reported on today's main: the demo's own closing hint (`serve --db var/demo.sqlite
    /// --demo`) wiped the relances it had just made. And the files the demo makes are
    /// private, even under `umask 000`.
    @Test(.timeLimit(.minutes(2)))
    func serveDemoKeepsTheDemosDataAndTheDemosFilesArePrivate() async throws {
        let (_, folder) = try ServeCommandTests.folder()
        let log = folder.appendingPathComponent("demo.log")
        let config = Self.root.appendingPathComponent("channels/routing.json").path
        // The whole demo: a smaller one gives every late debt an SMS and prints no letter.
        let status = try await Self.runOpenUmask(["demo", "--config", config], in: folder, output: log)
        let output = try String(contentsOf: log, encoding: .utf8)
        try #require(status == 0, "\(output)")
        let demo = folder.appendingPathComponent("var/demo.sqlite").path
        #expect(SQLiteRelanceStore.isDemoDatabase(atPath: demo))
        func relances() throws -> [String] {
            try SQLiteRelanceStore(path: demo).database.withConnection { (s: Session) throws(StoreError) in
                try s.rows("SELECT id || ' ' || statut FROM relance ORDER BY id") { $0.text(0) }
            }
        }
        let made = try relances()
        #expect(made.count > 10)

        // Private whatever the umask: the database and its WAL, the letters, the e-mails, their folders.
        let var_ = folder.appendingPathComponent("var").path
        #expect(Self.mode(var_) == 0o700)
        for file in ["demo.sqlite", "demo.sqlite-wal"] where FileManager.default.fileExists(atPath: var_ + "/" + file) {
            #expect(Self.mode(var_ + "/" + file) == 0o600, "\(file)")
        }
        // The letters' PDFs and their folder (the e-mail spool: PrivateFilesTests).
        let letters = var_ + "/courriers"
        #expect(Self.mode(letters) == 0o700)
        let pdfs = try FileManager.default.contentsOfDirectory(atPath: letters).filter { $0.hasSuffix(".pdf") }
        #expect(!pdfs.isEmpty && pdfs.allSatisfy { Self.mode(letters + "/" + $0) == 0o600 }, "\(pdfs)")
        // The ledger export too.
        #expect(try await Self.runOpenUmask(["ledger", "export", "--from", "2000-01-01", "--to", "2100-01-01", "--out", "ledger.csv", "--db", demo],
                                            in: folder, output: log) == 0)
        #expect(Self.mode(folder.appendingPathComponent("ledger.csv").path) == 0o600)

        // `serve --demo` on it: the same relances, nothing replaced.
        let serveLog = folder.appendingPathComponent("serve.log")
        let (process, _) = try await ServeCommandTests().serve(["--demo", "--db", demo, "--schedule-interval", "0"], in: folder, log: serveLog)
        await ServeCommandTests.stop(process)
        #expect(try String(contentsOf: serveLog, encoding: .utf8).contains("kept as it is"))
        #expect(try relances() == made)
    }

    /// A new database is private from its first byte, and so are its WAL and
    /// shared-memory files.
    @Test func aNewDatabaseIsPrivate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("office.sqlite").path
        let store = try SQLiteRelanceStore(path: path)
        _ = try store.add(Contribuable(nom: "NZE", prenom: "Jean"))
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(Self.mode(file) == 0o600, "\(file)")
        }
        #expect(!SQLiteRelanceStore.isDemoDatabase(atPath: path))
    }
}
