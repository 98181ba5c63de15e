import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances
import Testing

/// A full disk or an unwritable folder, under the channel or under the database: the
/// relance says so truthfully and the database stays whole.
@Suite struct StorageFailureTests {
    func sender(_ store: SQLiteRelanceStore, folder: URL, sinkPath: String) throws -> RelanceSender {
        let config = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"letters": {"kind": "file-sink", "path": "\#(sinkPath)", "retry": {"max_attempts": 2, "initial_delay_ms": 1}}}, "routes": {"courrier": {"channels": ["letters"]}}}"#.utf8)
            .write(to: config)
        let routing = try GatewaySetup.config(configFile: config.path, environment: Environment())
        let dispatcher = try routing.makeDispatcher(context: ChannelContext(logger: Logger(sink: MemoryLogSink()), baseDirectory: folder))
        return RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: Logger(sink: MemoryLogSink()))
    }

    /// `n` letters, each to a taxpayer of its own (one taxpayer's letters of a batch go
    /// one after the other, as one envelope).
    func letters(_ store: SQLiteRelanceStore, _ n: Int) throws -> [Int64] {
        try (0..<n).map { i in
            let who = try store.add(Contribuable(nom: "D\(i)", prenom: "P", adresse: "BP \(i), Libreville"))
            return try store.create(NewRelance(contribuableID: who, type: .courrier, montantDue: Montant("1")!, datePlanifiee: fixedNow)).id
        }
    }

    func integrity(_ store: SQLiteRelanceStore) throws -> String {
        try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("PRAGMA integrity_check") { $0.text(0) } ?? "" }
    }

    @Test func aFullDiskUnderTheSinkIsAnEchecWithTheReason() async throws {
        let (store, folder) = try temporaryStore()
        // /dev/full takes the open and refuses every write with ENOSPC: a full disk.
        let ids = try letters(store, 5)
        let summary = try await sender(store, folder: folder, sinkPath: "/dev/full").send(ids, maxInFlight: 2)
        #expect(summary.failed == 5 && summary.sent == 0)
        for id in ids {
            let r = try #require(try store.relance(id))
            #expect(r.statut == .echec && r.notes?.contains("/dev/full") == true && r.notes?.contains("No space left on device") == true)
            #expect(try store.attempts(relanceID: id).count == 1)   // a storage failure is not retried on the spot
        }
        #expect(try integrity(store) == "ok")
    }

    @Test func anUnwritableSinkFolderIsAnEchecNamingThePath() async throws {
        let (store, folder) = try temporaryStore()
        let blocker = folder.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let ids = try letters(store, 3)
        let summary = try await sender(store, folder: folder, sinkPath: "not-a-folder/courrier.jsonl").send(ids, maxInFlight: 2)
        #expect(summary.failed == 3)
        for id in ids {
            let notes = try #require(try store.relance(id)?.notes)
            #expect(notes.contains(blocker.path), "\(notes)")
        }
        #expect(try integrity(store) == "ok")
    }

    /// The database itself full (SQLite's own SQLITE_FULL, by a page limit): outcomes
    /// that cannot be written are reported, their relances stay `envoi_en_cours` (their
    /// outcome unknown to the store), nothing half-written; once there is room, they
    /// are recovered.
    @Test func aFullDatabaseLeavesRelancesClaimedAndTheFileWhole() async throws {
        let (store, folder) = try temporaryStore()
        let ids = try letters(store, 40)
        let pages = try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("PRAGMA page_count") { $0.int(0) } ?? 0 }
        // Room for the claims, not for the attempts, outcomes and ledger entries.
        try store.database.execute("PRAGMA max_page_count = \(pages + 1)")
        let summary = try await sender(store, folder: folder, sinkPath: "courrier.jsonl").send(ids, maxInFlight: 4)
        #expect(summary.unrecorded > 0)
        let stuck = try store.inProgress()
        #expect(stuck.count == summary.unrecorded)
        #expect(try integrity(store) == "ok")
        try store.database.execute("PRAGMA max_page_count = 1073741823")
        for id in stuck {
            try store.finish(id, outcome: .failed(note: "Issue inconnue : vérifier le fichier avant de renvoyer"), now: fixedNow)
        }
        #expect(try store.inProgress().isEmpty && store.verifyLedger().isIntact)
    }

    /// The database locked by another writer past the busy timeout when a group of
    /// results is written: the group is written again a moment later, and nothing is
    /// left unrecorded.
    @Test(.timeLimit(.minutes(1)))
    func aGroupOfResultsRefusedByABusyDatabaseIsWrittenAgain() async throws {
        let (store, _) = try temporaryStore()
        let ids = try letters(store, 10)
        try store.database.execute("PRAGMA busy_timeout = 50")
        let gate = GateChannel()
        let log = MemoryLogSink()
        let dispatcher = Dispatcher(routes: [.courrier: Route(channels: [gate.name])], channels: [gate.name: gate], logger: Logger(sink: MemoryLogSink()))
        let sender = RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: Logger(sink: log))
        let batch = Task { await sender.send(ids, maxInFlight: 10) }
        #expect(await eventually { gate.entered == 10 })         // all claimed, all held in the channel
        let other = try Database(path: store.database.path)
        try other.execute("BEGIN IMMEDIATE")                     // another process holds the write lock
        gate.open()
        // The group was refused by the lock, and is to be written again: then the lock goes.
        let retried = { log.lines.contains { $0.contains("could not write a group of send results; trying again") } }
        #expect(await eventually(retried))
        try other.execute("COMMIT")
        let summary = await batch.value
        #expect(summary.sent == 10 && summary.unrecorded == 0)
        #expect(try ids.allSatisfy { try store.relance($0)?.statut == .envoyee })
        #expect(try store.verifyLedger().entries == 10)
    }

    /// A group of results that cannot be written even after its retries stops the
    /// batch: nothing more is claimed, so nothing more goes out that could not be
    /// recorded; what was never claimed is still `en_attente` for the next run.
    @Test(.timeLimit(.minutes(1)))
    func aBatchWhoseResultsCannotBeWrittenClaimsNoMore() async throws {
        let (store, folder) = try temporaryStore()
        let ids = try letters(store, 400)
        let pages = try store.database.withConnection { (s: Session) throws(StoreError) in try s.row("PRAGMA page_count") { $0.int(0) } ?? 0 }
        try store.database.execute("PRAGMA max_page_count = \(pages + 1)")
        let summary = try await sender(store, folder: folder, sinkPath: "courrier.jsonl").send(ids, maxInFlight: 4)
        #expect(summary.unrecorded > 0)
        let waiting = try ids.filter { try store.relance($0)?.statut == .enAttente }
        #expect(waiting.count >= 200, "claimed on after the failure: only \(waiting.count) left en_attente")
        // No file at all when not even the first hand-off could be written: nothing went out.
        let lines = ((try? String(contentsOf: folder.appendingPathComponent("courrier.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").count
        #expect(lines <= 400 - waiting.count)
        #expect(try integrity(store) == "ok")
    }
}
