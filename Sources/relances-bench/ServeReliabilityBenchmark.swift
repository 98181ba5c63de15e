import Foundation
import Gateway
import ProviderSandbox
import Relances
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The API under load, as the office uses it, in a real `relances serve` process:
/// 200 clients for 30 s doing the page's reads (lists, statistics, one relance) and its
/// sends (create, then envoyer) to a file sink while the scheduler also sends; then a
/// shorter run with SMS to a provider failing in every way. Every send is checked
/// against the sink file or the provider's own record, and the server's memory is read
/// at the start, the middle and the end.
///
/// `RELANCES_BENCH_SECONDS` (30), `RELANCES_BENCH_STORM_SECONDS` (10) and
/// `RELANCES_BENCH_CLIENTS` (200) shorten it for a quick try.
enum ServeReliabilityBenchmark {
    static var seconds: Double { setting("RELANCES_BENCH_SECONDS", 30) }
    static var stormSeconds: Double { setting("RELANCES_BENCH_STORM_SECONDS", 10) }
    static var clients: Int { Int(setting("RELANCES_BENCH_CLIENTS", 200)) }
    static let contribuables: Int64 = 10_000
    static let seeded: Int64 = 100_000

    static func setting(_ name: String, _ fallback: Double) -> Double {
        Double(ProcessInfo.processInfo.environment[name] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? fallback
    }

    static func run() async throws -> [BenchmarkRow] {
        guard let program = ServedAPI.program else {
            return [BenchmarkRow(name: "reliability", figure: "not run",
                                 note: "the relances program is not built beside relances-bench: run `swift build -c release` first")]
        }
        return try await sinkRun(program) + stormRun(program)
    }

    // MARK: reads and sends to the file sink

    static func sinkRun(_ program: String) async throws -> [BenchmarkRow] {
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try seededStore(folder)
        let sink = folder.appendingPathComponent("courrier.jsonl")
        let config = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"letters": {"kind": "file-sink", "path": "\#(sink.path)"}}, "routes": {"courrier": {"channels": ["letters"]}}}"#.utf8)
            .write(to: config)
        // The scheduler looks every second: it races the clients' envoyer for the relances
        // they create (planned a minute ago), and the claim must let only one through.
        let server = try await ServedAPI(program: program, folder: folder, arguments: [
            "--db", store.database.path, "--config", config.path, "--schedule-interval", "1", "--max-in-flight", "16"])
        let idle = server.residentMB()
        let (tally, memory, elapsed) = await load(port: server.port, seconds: seconds, type: "courrier", server: server)
        let stopped = await server.stop()

        // The sink's lines against the store's statuts and what the clients were told.
        var lines: [Int64: Int] = [:]
        let text = (try? String(contentsOf: sink, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = (object["id"] as? String)?.split(separator: "-").last.flatMap({ Int64($0) }) else { continue }
            lines[id, default: 0] += 1
        }
        let envoyee = try sentByClients(store.database)
        let lost = envoyee.union(tally.sent).subtracting(lines.keys).count
        let duplicated = lines.values.filter { $0 > 1 }.count
        let written = Set(lines.keys).intersection(tally.created)
        let unrecorded = written.subtracting(envoyee).count
        let unsent = tally.created.count - envoyee.count
        let fiveHundreds = tally.statuses.filter { $0.key >= 500 }.values.reduce(0, +)
        let refusals = tally.statuses.filter { (400..<500).contains($0.key) }.values.reduce(0, +)
        let requests = tally.statuses.values.reduce(0, +)
        // SQLite keeps up to 64 MiB of pages (Database.swift): the pages the run writes
        // fill it, then it stays flat (a 120 s run shows the plateau). Beyond that and
        // the 200 connection threads' stacks, growth would be a leak.
        let growth = memory.end - memory.start
        let bounded = growth <= 64 + 16
        return [
            BenchmarkRow(name: "load: \(clients) clients × \(Int(seconds)) s, reads and sends (file sink)",
                         figure: "\(formatted(Double(requests))) requests, \(formatted(Double(requests) / elapsed)) req/s",
                         target: "0 × 5xx, 0 errors", met: fiveHundreds == 0 && tally.transportErrors == 0,
                         note: "\(fiveHundreds) × 5xx, \(tally.transportErrors) connection errors, \(refusals) × 4xx "
                             + "(envoyer refused: the scheduler had it); p99 read \(p99(tally.readMs)), p99 create+envoyer \(p99(tally.sendMs))"
                             + (tally.samples.isEmpty ? "" : "; e.g. \(tally.samples[0])")),
            BenchmarkRow(name: "load: sends checked against the sink file",
                         figure: "\(lost) lost, \(duplicated) duplicated", target: "0 lost, 0 duplicated",
                         met: lost == 0 && duplicated == 0 && unrecorded == 0 && unsent == 0 && stopped,
                         note: "\(formatted(Double(tally.created.count))) created, \(formatted(Double(envoyee.count))) envoyee "
                             + "(\(formatted(Double(tally.sent.count))) by the clients' envoyer, the rest by the scheduler), "
                             + "\(formatted(Double(lines.count))) in the sink; \(unsent) left unsent, \(unrecorded) in the sink but not envoyee"
                             + (stopped ? "; SIGTERM stop clean" : "; SIGTERM stop NOT clean")),
            BenchmarkRow(name: "load: server memory (RSS)",
                         figure: String(format: "%.0f → %.0f → %.0f MB", memory.start, memory.middle, memory.end),
                         target: "growth ≤ 64 MiB page cache + 16", met: bounded,
                         note: String(format: "idle %.0f MB, then every relance read once to warm the page cache; start, half-way, end; every 5 s: ", idle)
                             + memory.series.map { String(format: "%.0f", $0) }.joined(separator: " ") + " MB"),
        ]
    }

    // MARK: a fault storm

    static func stormRun(_ program: String) async throws -> [BenchmarkRow] {
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try seededStore(folder)
        var configuration = SandboxConfiguration()
        let faults = SandboxFaults(latency: 0.005, failureRate: 0.10, timeoutRate: 0.03, timeoutHold: 1,
                                   garbageRate: 0.05, dropRate: 0.05, unauthorizedRate: 0.05)
        configuration.faults = faults
        let sandbox = ProviderSandbox(configuration: configuration, logger: Logger(level: .error))
        _ = try sandbox.start()
        defer { sandbox.beginStop() }
        let refusing = try RefusingPort()
        // First a provider that refuses connections, then the flaky one as fallback.
        let config = folder.appendingPathComponent("routing.json")
        try Data("""
            { "channels": {
                "down": { "kind": "ventis-sms", "url": "http://127.0.0.1:\(refusing.port)/messaging/api/v1",
                          "keycloak_host": "http://127.0.0.1:\(refusing.port)", "retry": { "max_attempts": 2, "initial_delay_ms": 5 } },
                "ventis": { "kind": "ventis-sms", "timeout_seconds": 0.5, "retry": { "max_attempts": 3, "initial_delay_ms": 5, "max_delay_ms": 50 } } },
              "routes": { "sms": { "channels": ["down"], "fallback": ["ventis"] } } }
            """.utf8).write(to: config)
        let server = try await ServedAPI(program: program, folder: folder, environment: sandbox.environment, arguments: [
            "--db", store.database.path, "--config", config.path, "--schedule-interval", "0"])

        // Mid-run: every token revoked (a 401 storm), then a latency spike.
        let duration = stormSeconds
        let storm = Task {
            try await Task.sleep(nanoseconds: UInt64(duration / 3 * 1e9))
            sandbox.revokeAllTokens()
            try await Task.sleep(nanoseconds: UInt64(duration / 6 * 1e9))
            var spike = faults
            spike.latency = 0.3
            sandbox.faults = spike
            try await Task.sleep(nanoseconds: UInt64(duration / 6 * 1e9))
            sandbox.faults = faults
        }
        let (tally, _, elapsed) = await load(port: server.port, seconds: duration, type: "sms", server: server)
        storm.cancel()
        let stopped = await server.stop()

        // Per relance, the provider's record: envoyee ⇔ accepted exactly once.
        var accepted: [String: Int] = [:]
        var answers: [String: Int] = [:]
        for m in sandbox.received {
            let answer = m.answer.hasPrefix("+SUCCESS") ? "accepted" : m.answer.hasPrefix("-ERROR") ? "-ERROR" : m.answer
            answers[answer, default: 0] += 1
            if answer == "accepted" { accepted[m.to, default: 0] += 1 }
        }
        // The number as the provider saw it: canal_envoi holds it as typed until sent,
        // then as the channel normalized it.
        func number(_ text: String) -> String {
            let digits = text.filter(\.isNumber)
            if digits.hasPrefix("241") && digits.count > 10 { return digits }
            return "241" + (digits.count == 9 && digits.hasPrefix("0") ? digits.dropFirst() : Substring(digits))   // the trunk 0 dropped
        }
        let rows = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("""
                SELECT r.id, r.statut, COALESCE(r.notes, ''), COALESCE(r.canal_envoi, ''),
                       (SELECT COUNT(*) FROM delivery_attempt a WHERE a.relance_id = r.id AND a.channel = 'ventis'
                                                                 AND a.error_code IN ('timeout', 'connection'))
                FROM relance r WHERE r.message LIKE 'Charge %'
                """) { (id: $0.int(0), statut: $0.text(1), notes: $0.text(2), number: number($0.text(3)), unknownOutcomes: $0.int(4)) }
        }
        let refusedConnections = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT COUNT(*) FROM delivery_attempt WHERE channel = 'down'") { Int($0.int(0)) } ?? 0
        }
        // Ventis has no idempotency key: after a timeout or a connection cut once the
        // message left, nobody knows whether it was taken, and a retry may deliver it
        // twice (at least once, by design; channels/ventis-sms/README.md). Anything
        // else delivered twice, or an envoyee never delivered, is a bug.
        let sent = rows.filter { $0.statut == "envoyee" }, failed = rows.filter { $0.statut == "echec" }
        let lost = sent.filter { accepted[$0.number] == nil }.count
        let twice = rows.filter { (accepted[$0.number] ?? 0) > 1 }
        let twiceUnexplained = twice.filter { $0.unknownOutcomes == 0 }.count + accepted.values.filter { $0 > 1 }.count - twice.count
        let failedButTaken = failed.filter { accepted[$0.number] != nil }
        let failedButTakenUnexplained = failedButTaken.filter { $0.unknownOutcomes == 0 }.count
        let withoutReason = failed.filter { $0.notes.isEmpty }.count
        let left = rows.count - sent.count - failed.count
        let fiveHundreds = tally.statuses.filter { $0.key >= 500 }.values.reduce(0, +)
        let requests = tally.statuses.values.reduce(0, +)
        let faultsSeen = answers.filter { $0.key != "accepted" }.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
        return [
            BenchmarkRow(name: "fault storm: \(clients) clients × \(Int(duration)) s, SMS to a failing provider",
                         figure: "\(formatted(Double(requests))) requests, \(fiveHundreds) × 5xx", target: "0 × 5xx, 0 errors",
                         met: fiveHundreds == 0 && tally.transportErrors == 0,
                         note: "\(formatted(Double(requests) / elapsed)) req/s; faults met: \(refusedConnections) refused connections, \(faultsSeen); "
                             + "tokens revoked at 1/3, latency 300 ms from 1/2 to 2/3; p99 create+envoyer \(p99(tally.sendMs))"
                             + (tally.samples.isEmpty ? "" : "; e.g. \(tally.samples[0])")),
            BenchmarkRow(name: "fault storm: sends checked against the provider's record",
                         figure: "\(lost) lost, \(twiceUnexplained + failedButTakenUnexplained) unexplained",
                         target: "0 lost; twice only after a timeout/cut", met: lost == 0 && twiceUnexplained == 0 && failedButTakenUnexplained == 0
                             && withoutReason == 0 && left == 0 && stopped,
                         note: "\(rows.count) relances: \(sent.count) envoyee (each accepted by the provider), \(failed.count) echec with the reason; "
                             + "\(twice.count) delivered twice and \(failedButTaken.count) echec yet delivered, each after a timeout or a cut connection "
                             + "(outcome unknown, at least once by design); \(left) left unsent, \(withoutReason) echec without a reason"
                             + (stopped ? "; SIGTERM stop clean" : "; SIGTERM stop NOT clean")),
        ]
    }

    // MARK: shared

    /// Runs the clients to their deadline; answers what they saw, the server's memory
    /// at 2 s, half-way and the end, and the seconds it took.
    static func load(port: Int, seconds: Double, type: String, server: ServedAPI) async
        -> (LoadClient.Tally, (start: Double, middle: Double, end: Double, series: [Double]), Double) {
        var plan = LoadClient.Plan(port: port, deadline: .distantFuture, contribuables: 1...contribuables, existing: 1...seeded, type: type)
        let warming = LoadClient(index: 0, plan: plan)
        let warmed = Finished()
        // A thread: the warming client blocks in its socket's `recv`.
        Thread { warming.warm(pages: Int(seeded / 1000) + 1); warmed.count.withLock { $0 += 1 } }.start()
        while warmed.value == 0 { try? await Task.sleep(nanoseconds: 20_000_000) }
        let started = Date()
        plan.deadline = started.addingTimeInterval(seconds)
        let done = Finished()
        let running = LoadClient.start(clients, plan: plan, done: done)
        var memory = (start: 0.0, middle: 0.0, end: 0.0)
        var series: [Double] = []
        // Client threads block in their sockets; this task only watches the clock.
        while done.value < running.count {
            let t = Date().timeIntervalSince(started)
            if memory.start == 0 && t >= min(2, seconds / 4) { memory.start = server.residentMB() }
            if memory.middle == 0 && t >= seconds / 2 { memory.middle = server.residentMB() }
            if memory.end == 0 && t >= seconds - 0.5 { memory.end = server.residentMB() }
            if t >= Double(series.count) * 5 {
                series.append(server.residentMB())
            }
            // Every client has a 30 s socket timeout: a stuck one still ends.
            if t > seconds + 70 { break }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        let elapsed = Date().timeIntervalSince(started)
        var tally = LoadClient.Tally()
        let finished = done.value
        if finished == running.count {
            for client in running { tally.merge(client.tally) }
        } else {
            // A client still inside a request cannot be read safely: counted as errors.
            tally.transportErrors = running.count - finished
            tally.samples = ["\(running.count - finished) clients never finished"]
        }
        return (tally, (memory.start, memory.middle, memory.end, series), elapsed)
    }

    /// A store of 10,000 contribuables and 100,000 relances already sent, failed or
    /// cancelled over a year (so the reads have something to read, and the scheduler
    /// nothing of its own).
    static func seededStore(_ folder: URL) throws -> SQLiteRelanceStore {
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("charge.sqlite").path)
        try APIBenchmark.fill(store.database, contribuables: Int(contribuables), relances: Int(seeded), unsent: "annulee")
        return store
    }

    /// The relances the clients created that are `envoyee`.
    static func sentByClients(_ database: Database) throws -> Set<Int64> {
        Set(try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id FROM relance WHERE statut = 'envoyee' AND message LIKE 'Charge %'") { $0.int(0) }
        })
    }

    static func p99(_ values: [Double]) -> String {
        guard !values.isEmpty else { return "-" }
        let sorted = values.sorted()
        return String(format: "%.0f ms", sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))])
    }
}

/// `relances serve` in a process of its own: its memory is its own, and it is stopped
/// the way an operator stops it (SIGTERM). `@unchecked Sendable` for `Process`, which is
/// not: it is started in `init` and afterwards only signalled and waited for, by one
/// caller at a time; the other properties are constants.
final class ServedAPI: @unchecked Sendable {
    let process = Process()
    let port: Int
    let log: URL

    /// The `relances` program built beside this one.
    static var program: String? {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let path = here.appendingPathComponent("relances").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    init(program: String, folder: URL, environment: [String: String] = [:], arguments: [String]) async throws {
        log = folder.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["serve", "--port", "0", "--rate-limit", "0", "--env-file", folder.appendingPathComponent("none.env").path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"serving on http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                found = Int(text[range].split(separator: ":").last!.dropLast())
            } else {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw SandboxError("relances serve did not start: \(text.suffix(500))")
        }
        port = found
    }

    /// Resident memory of the server process, in MB.
    func residentMB() -> Double { RelanceBench.statusMB("VmRSS", pid: String(process.processIdentifier)) }

    /// SIGTERM, then up to 30 s to finish what is in flight; true when it ended by itself, with status 0.
    func stop() async -> Bool {
        process.terminate()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 20_000_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        return process.terminationReason == .exit && process.terminationStatus == 0
    }
}
