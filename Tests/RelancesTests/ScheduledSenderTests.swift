import Channels
import Foundation
import Gateway
import ProviderSandbox
import Relances
import Synchronization
import Testing

/// A clock whose time is a ``ManualClock`` and whose sleeps last until the test says
/// `tick()`: the worker's loop runs one batch per tick, never on its own.
final class SteppedClock: GatewayClock {
    let time: ManualClock
    private let state = Mutex<(waiting: [UUID: CheckedContinuation<Void, any Error>], sleeps: Int)>(([:], 0))

    init(_ time: ManualClock) { self.time = time }

    func now() -> Date { time.now() }

    func sleep(seconds: Double) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { s -> Bool in
                    s.sleeps += 1
                    if Task.isCancelled { return true }
                    s.waiting[id] = c
                    return false
                }
                if cancelled { c.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Sleeps begun so far: the worker sleeps once after each batch.
    var sleeps: Int { state.withLock { $0.sleeps } }

    /// Ends the current sleep.
    func tick() {
        let waiting = state.withLock { s in
            defer { s.waiting.removeAll() }
            return Array(s.waiting.values)
        }
        waiting.forEach { $0.resume() }
    }
}

@Suite struct ScheduledSenderTests {
    struct World {
        let store: SQLiteRelanceStore
        let folder: URL
        /// A taxpayer for the tests that create relances of their own.
        let who: Int64
        let time = ManualClock(fixedNow)
        var sink: URL { folder.appendingPathComponent("courrier.jsonl") }

        /// Each for a taxpayer of its own: one taxpayer's letters of a batch would go one
        /// after the other, as one envelope.
        func relance(_ type: RelanceType = .courrier, plannedIn seconds: Double = -60) throws -> Int64 {
            let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "0661234567", adresse: "BP 1, Akébé"))
            return try store.create(NewRelance(contribuableID: who, type: type, montantDue: Montant("5000")!,
                                        datePlanifiee: time.now().addingTimeInterval(seconds), message: "Rappel", programmee: true)).id
        }

        func statut(_ id: Int64) throws -> RelanceStatut? { try store.relance(id)?.statut }

        func sinkLines() -> Int {
            ((try? String(contentsOf: sink, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        /// A sender whose letters go to a real file sink, or to `channel` when given.
        func sender(_ channel: (any Channel)? = nil, window: SendWindow? = nil, log: Logger) throws -> RelanceSender {
            let letters: any Channel
            if let channel { letters = channel } else {
                letters = try BuiltinChannels.table["file-sink"]!.make(
                    ChannelSettings(name: "letters", kind: "file-sink", file: "test", values: ["path": sink.path, "fsync": "never"]),
                    ChannelContext(logger: log, clock: time, baseDirectory: folder))
            }
            let dispatcher = Dispatcher(routes: [.courrier: Route(channels: [letters.name])], channels: [letters.name: letters],
                                        policies: [letters.name: DeliveryPolicy(maxAttempts: 1, window: window)], clock: time, logger: log)
            return RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), clock: time, logger: log)
        }
    }

    func world() throws -> World {
        let (store, folder) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "Jean", telephone: "0661234567", adresse: "BP 1, Akébé"))
        return World(store: store, folder: folder, who: who)
    }

    @Test func aFutureRelanceWaitsAndGoesOutAtTheFirstTickAfterItsTime() async throws {
        let w = try world()
        let log = MemoryLogSink()
        let clock = SteppedClock(w.time)
        let later = try w.relance(plannedIn: 3_600)
        let due = try w.relance(plannedIn: -60)
        let scheduler = ScheduledSender(sender: try w.sender(log: Logger(sink: log)), options: .init(interval: 60), clock: clock,
                                        logger: Logger(sink: log))
        scheduler.start()
        #expect(await eventually { clock.sleeps == 1 })           // the first batch is over
        #expect(try w.statut(due) == .envoyee && w.statut(later) == .enAttente)
        #expect(w.sinkLines() == 1)

        clock.tick()                                              // a minute on: still too early
        #expect(await eventually { clock.sleeps == 2 })
        #expect(try w.statut(later) == .enAttente && w.sinkLines() == 1)

        w.time.advance(by: 3_600)
        clock.tick()
        #expect(await eventually { clock.sleeps == 3 })
        #expect(try w.statut(later) == .envoyee && w.sinkLines() == 2)
        await scheduler.stop()
        let batches = log.lines.filter { $0.contains("msg=\"scheduled batch\"") }
        #expect(batches.count == 2 && batches.allSatisfy { $0.contains("due=1 sent=1 failed=0 deferred=0") })
    }

    /// A dry run claims nothing, so a full batch leaves the same relances due: the next
    /// batch must wait for the interval, not start at once (it would rehearse them
    /// again and again, as fast as the sink writes).
    @Test(.timeLimit(.minutes(1)))
    func aRehearsalWaitsTheIntervalEvenAfterAFullBatch() async throws {
        let w = try world()
        let log = MemoryLogSink()
        let clock = SteppedClock(w.time)
        let ids = try (0..<3).map { _ in try w.relance() }
        let sink = ChannelConfig(name: "dry-run", kind: try #require(BuiltinChannels.table["file-sink"]),
                                 settings: ChannelSettings(name: "dry-run", kind: "file-sink", file: "test",
                                                           values: ["path": w.sink.path, "fsync": "never"]))
        let rehearsal = RoutingConfig(file: "test", channels: [:], routes: [:]).dryRun(sink: sink)
        let dispatcher = try rehearsal.makeDispatcher(context: ChannelContext(logger: Logger(sink: log), clock: w.time,
                                                                              baseDirectory: w.folder))
        let sender = RelanceSender(store: w.store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), clock: w.time, logger: Logger(sink: log))
        #expect(sender.isRehearsal)
        let scheduler = ScheduledSender(sender: sender, options: .init(interval: 60, batchSize: 2), clock: clock,
                                        logger: Logger(sink: log))
        scheduler.start()
        // The first batch is full (2 of the 3 due) and rehearsed: then the loop sleeps.
        #expect(await eventually { clock.sleeps == 1 })
        let batches = { log.lines.filter { $0.contains("msg=\"scheduled batch\"") }.count }
        #expect(batches() == 1 && w.sinkLines() == 2)
        #expect(try ids.allSatisfy { try w.statut($0) == .enAttente })   // nothing claimed

        clock.tick()                                              // the interval is over: one more batch
        #expect(await eventually { clock.sleeps == 2 })
        await scheduler.stop()
        #expect(batches() == 2 && w.sinkLines() == 4)
        #expect(try ids.allSatisfy { try w.statut($0) == .enAttente })
    }

    @Test func stopDuringABatchFinishesWhatIsInFlightAndClaimsNothingMore() async throws {
        let w = try world()
        let gate = GateChannel(clock: ManualClock(fixedNow))
        let ids = try (0..<10).map { _ in try w.relance() }
        let scheduler = ScheduledSender(sender: try w.sender(gate, log: Logger(sink: MemoryLogSink())),
                                        options: .init(interval: 60, maxInFlight: 2, chunkSize: 4), clock: SteppedClock(w.time),
                                        logger: Logger(sink: MemoryLogSink()))
        scheduler.start()
        #expect(await eventually { gate.entered == 2 })           // two sends held in the channel
        let stopped = Task { await scheduler.stop() }
        #expect(await eventually { scheduler.isStopping })
        gate.open()
        await stopped.value
        let statuts = try ids.map { try #require(try w.statut($0)) }
        #expect(!statuts.contains(.envoiEnCours))
        // The group of four that had started went out; the six not started wait.
        #expect(statuts.filter { $0 == .envoyee }.count == 4)
        #expect(statuts.filter { $0 == .enAttente }.count == 6)
        #expect(gate.entered == 4)
    }

    @Test func twoBatchesNeverRunAtOnce() async throws {
        let w = try world()
        let gate = GateChannel(clock: ManualClock(fixedNow))
        let id = try w.relance()
        let scheduler = ScheduledSender(sender: try w.sender(gate, log: Logger(sink: MemoryLogSink())), options: .init(interval: 60),
                                        clock: SteppedClock(w.time), logger: Logger(sink: MemoryLogSink()))
        let first = Task { await scheduler.runBatch() }
        #expect(await eventually { gate.entered == 1 })
        #expect(await scheduler.runBatch() == nil)
        gate.open()
        #expect(await first.value?.sent == 1)
        #expect(try w.statut(id) == .envoyee && gate.entered == 1)
    }

    @Test func aRelanceOutsideTheSendWindowIsDeferredThenSentWhenItOpens() async throws {
        let w = try world()
        // 2026-11-24T09:00Z is 10:00 in Libreville: a window from 14:00 puts it off.
        let window = SendWindow(days: Set(1...7), opens: 14 * 60, closes: 18 * 60)
        let id = try w.relance()
        let scheduler = ScheduledSender(sender: try w.sender(window: window, log: Logger(sink: MemoryLogSink())),
                                        options: .init(interval: 60), clock: SteppedClock(w.time), logger: Logger(sink: MemoryLogSink()))
        let first = try #require(await scheduler.runBatch())
        #expect(first.due == 1 && first.deferred == 1 && first.sent == 0 && first.skipped == 0)
        let put = try #require(try w.store.relance(id))
        #expect(put.statut == .enAttente && put.datePlanifiee == ISO8601.date(from: "2026-11-24T13:00:00Z"))
        #expect(try #require(await scheduler.runBatch()).due == 0)   // not taken again before its time
        w.time.advance(by: 4 * 3_600)
        let opened = try #require(await scheduler.runBatch())
        #expect(opened.due == 1 && opened.sent == 1 && w.sinkLines() == 1)
    }

    @Test func relancesNoChannelSendsDoNotFillTheBatches() async throws {
        let w = try world()
        let visits = try (0..<3).map { _ in try w.relance(.visite, plannedIn: -3_600) }
        let letter = try w.relance(.courrier, plannedIn: -60)
        let scheduler = ScheduledSender(sender: try w.sender(log: Logger(sink: MemoryLogSink())), options: .init(interval: 60, batchSize: 2),
                                        clock: SteppedClock(w.time), logger: Logger(sink: MemoryLogSink()))
        let report = try #require(await scheduler.runBatch())
        #expect(report.due == 1 && report.sent == 1)
        #expect(try w.statut(letter) == .envoyee)
        #expect(try visits.allSatisfy { try w.statut($0) == .enAttente })
    }
}
