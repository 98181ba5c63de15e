import CSQLite
import Channels
import Foundation
import Gateway
import HTTP
import Relances
import RelancesServer
import Synchronization

/// The API under load, in-process: 200 clients, each on its own thread and keep-alive
/// connection, for 30 s (`RELANCES_BENCH_SECONDS` overrides it), loop over the page's
/// reads (list, statistiques), creating a relance and sending it. Every type is routed
/// to a file sink as a real channel (`channels/dry-run.json` loaded without --dry-run),
/// so each send is a line in a file and an `envoyee` in the store. Afterwards the API's
/// confirmations, the sink's lines, the store and the ledger must agree one to one.
enum ReliabilityBenchmark {
    static let clients = 200
    static var seconds: Double { Double(ProcessInfo.processInfo.environment["RELANCES_BENCH_SECONDS"] ?? "") ?? 30 }

    enum Kind: Int, CaseIterable {
        case list, statistics, create, send
        var label: String { ["GET list", "GET statistiques", "POST create", "PATCH envoyer"][rawValue] }
    }

    /// Latencies counted in buckets 1 % wide from 10 µs to over a minute: allocated once,
    /// so the load test's own records do not grow the memory it measures.
    struct Histogram: Sendable {
        static let step = log(1.01)
        static let buckets = 1_600
        var counts = [Int](repeating: 0, count: buckets)
        var total: Int { counts.reduce(0, +) }

        mutating func add(_ ms: Double) {
            counts[min(Self.buckets - 1, max(0, Int((log(max(ms, 0.01) / 0.01) / Self.step).rounded(.up))))] += 1
        }

        mutating func merge(_ other: Histogram) { for i in counts.indices { counts[i] += other.counts[i] } }

        /// The upper bound of the bucket holding the `q` quantile, in ms.
        func quantile(_ q: Double) -> Double {
            let rank = Int((Double(total) * q).rounded(.up))
            var seen = 0
            for (i, n) in counts.enumerated() {
                seen += n
                if seen >= max(1, rank) { return 0.01 * exp(Double(i) * Self.step) }
            }
            return 0
        }
    }

    /// What one client saw.
    struct Tally: Sendable {
        var latencies = [Histogram](repeating: Histogram(), count: Kind.allCases.count)
        var statuses: [Int: Int] = [:]
        var transportFailures = 0
        /// Relances whose PATCH answered 200 with statut `envoyee`.
        var confirmed: [Int64] = []
        /// PATCH answered 200 with another statut (`echec`…).
        var notSent = 0

        mutating func merge(_ other: Tally) {
            for k in Kind.allCases { latencies[k.rawValue].merge(other.latencies[k.rawValue]) }
            statuses.merge(other.statuses, uniquingKeysWith: +)
            transportFailures += other.transportFailures
            confirmed += other.confirmed
            notSent += other.notSent
        }
    }

    static func run() async throws -> [BenchmarkRow] {
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("reliability.sqlite").path)
        try DemoData.populate(store, contribuables: 300)
        let people = try store.database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id FROM contribuable ORDER BY id") { $0.int(0) }
        }

        let (server, port) = try APIBenchmark.serve(store, folder: folder, dryRun: false)
        defer { server.beginShutdown(grace: 2) }
        let sink = folder.appendingPathComponent(GatewaySetup.dryRunPath)

        let duration = seconds
        let shared = LoadShared()
        let countdown = Countdown(clients)
        let started = Date()
        for client in 0..<clients {
            // A thread a client: each blocks in its socket's `recv`.
            let thread = Thread {
                let tally = load(client: client, port: port, people: people, stop: shared)
                shared.results.withLock { $0.merge(tally) }
                countdown.done()
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        // The process's resident memory, and how much of it is SQLite's (its page cache
        // holds the growing database, up to the store's cache_size per connection).
        var rss: [Double] = []
        var sqlite: [Double] = []
        for mark in [0.1, 0.5, 1.0] {
            let wait = started.addingTimeInterval(duration * mark).timeIntervalSinceNow
            if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
            rss.append(residentMB())
            sqlite.append(Double(sqlite3_memory_used()) / 1_048_576)
        }
        shared.stop.store(true, ordering: .relaxed)
        await countdown.wait()
        let elapsed = Date().timeIntervalSince(started)
        let tally = shared.results.withLock { $0 }

        // The four records of what was sent, one to one.
        var sinkCounts: [Int64: Int] = [:]
        let text = (try? String(contentsOf: sink, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let meta = object["metadata"] as? [String: String], let id = meta["relance_id"].flatMap(Int64.init) else { continue }
            sinkCounts[id, default: 0] += 1
        }
        let (envoyee, ledgerCounts, ledger) = try store.database.withConnection { (s: Session) throws(StoreError) in
            let envoyee = Set(try s.rows("SELECT id FROM relance WHERE statut = 'envoyee'") { $0.int(0) })
            var counts: [Int64: Int] = [:]
            for (id, n) in try s.rows("SELECT relance_id, COUNT(*) FROM ledger WHERE outcome = 'sent' GROUP BY relance_id", [], { ($0.int(0), Int($0.int(1))) }) {
                counts[id] = n
            }
            return (envoyee, counts, try Ledger.verify(in: s))
        }
        let confirmed = Set(tally.confirmed)
        let everySent = confirmed.union(envoyee).union(sinkCounts.keys).union(ledgerCounts.keys)
        // Lost: confirmed or recorded somewhere, missing from another record.
        let lost = everySent.filter { !(confirmed.contains($0) && envoyee.contains($0) && sinkCounts[$0] != nil && ledgerCounts[$0] != nil) }.count
        let duplicated = sinkCounts.values.filter { $0 > 1 }.count + ledgerCounts.values.filter { $0 > 1 }.count
            + (tally.confirmed.count - confirmed.count)

        let requests = tally.statuses.values.reduce(0, +) + tally.transportFailures
        let fiveHundreds = tally.statuses.filter { $0.key >= 500 }.values.reduce(0, +)
        let others = tally.statuses.filter { !(200..<300).contains($0.key) && $0.key < 500 }.sorted { $0.key < $1.key }
        let othersText = others.isEmpty ? "none" : others.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
        let growth = rss[2] - rss[0]
        let cacheGrowth = sqlite[2] - sqlite[0]
        let fileMB = ["", "-wal"].compactMap { suffix in
            (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("reliability.sqlite\(suffix)").path)[.size] as? Int)
        }.reduce(0, +)
        var rows = [
            BenchmarkRow(name: "reliability: \(clients) clients × \(formatted(duration)) s on the API", figure: "\(formatted(Double(requests))) requests, \(formatted(Double(requests) / elapsed)) req/s",
                         note: "each client on its thread and keep-alive connection: list, statistiques, create, envoyer; \(tally.transportFailures) transport failure(s)"),
            BenchmarkRow(name: "reliability: 5xx answers", figure: "\(fiveHundreds)", target: "0", met: fiveHundreds == 0,
                         note: "other non-2xx: \(othersText)"),
            BenchmarkRow(name: "reliability: sends confirmed / sink lines / store envoyee / ledger", figure:
                            "\(formatted(Double(confirmed.count))) / \(formatted(Double(sinkCounts.values.reduce(0, +)))) / \(formatted(Double(envoyee.count))) / \(formatted(Double(ledgerCounts.values.reduce(0, +))))",
                         target: "all equal", met: lost == 0 && duplicated == 0 && confirmed.count == envoyee.count,
                         note: "\(tally.notSent) answered 200 not envoyee; ledger \(ledger.isIntact ? "intact" : "BROKEN"), \(formatted(Double(ledger.entries))) entries"),
            BenchmarkRow(name: "reliability: lost / duplicated sends", figure: "\(lost) lost, \(duplicated) duplicated", target: "0, 0",
                         met: lost == 0 && duplicated == 0, note: "each relance id once in the sink file, once in the ledger"),
            BenchmarkRow(name: "reliability: RSS at 10 % / 50 % / 100 % of the run", figure: String(format: "%.0f / %.0f / %.0f MB", rss[0], rss[1], rss[2]),
                         note: String(format: "growth %+.1f MB from 10 %% to 100 %%: SQLite's own memory %+.1f MB (%.0f → %.0f MB; database and WAL %.0f MB at the end, %@ relances), the rest %+.1f MB",
                                      growth, cacheGrowth, sqlite[0], sqlite[2], Double(fileMB) / 1_048_576,
                                      formatted(Double(try store.list(RelanceFilter()).total)), growth - cacheGrowth)),
        ]
        for kind in Kind.allCases {
            let h = tally.latencies[kind.rawValue]
            rows.append(BenchmarkRow(name: "reliability: p99 \(kind.label)", figure: String(format: "%.1f ms", h.quantile(0.99)),
                                     note: String(format: "p50 %.1f ms, %@ requests", h.quantile(0.5), formatted(Double(h.total)))))
        }
        return rows
    }

    /// One client's loop until `stop`: the page's two reads, a relance created, then sent.
    static func load(client: Int, port: Int, people: [Int64], stop shared: LoadShared) -> Tally {
        var tally = Tally()
        tally.confirmed.reserveCapacity(8_192)
        let connection = KeepAliveConnection(port: port)
        var turn = client
        let types = [("sms", "066 12 34 56"), ("email", "contribuable@exemple.ga"), ("courrier", "BP 1000, Louis, Libreville")]
        func timed(_ kind: Kind, _ method: String, _ path: String, _ body: String? = nil) -> (status: Int, body: [UInt8])? {
            let began = DispatchTime.now().uptimeNanoseconds
            let answer = connection.request(method, path, body: body)
            tally.latencies[kind.rawValue].add(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
            if let answer { tally.statuses[answer.status, default: 0] += 1 } else { tally.transportFailures += 1 }
            return answer
        }
        while !shared.stop.load(ordering: .relaxed) {
            turn += 1
            _ = timed(.list, "GET", "/api/relances?limit=20&skip=\(turn % 5 * 20)")
            _ = timed(.statistics, "GET", "/api/relances/statistiques")
            let (type, address) = types[turn % types.count]
            let who = people[(client * 7 + turn) % people.count]
            let body = #"{"contribuable_id": \#(who), "type_relance": "\#(type)", "montant_due": "5000", "date_planifiee": "\#(ISO8601.string(from: Date()))", "#
                + #""message": "Rappel : Vous avez une taxe de 5000 FCFA à payer.", "canal_envoi": "\#(address)"}"#
            guard let created = timed(.create, "POST", "/api/relances", body), created.status == 201,
                  let object = try? JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any],
                  let id = (object["id"] as? NSNumber)?.int64Value else { continue }
            guard let sent = timed(.send, "PATCH", "/api/relances/\(id)/envoyer"), sent.status == 200 else { continue }
            let text = String(decoding: sent.body, as: UTF8.self)
            if text.contains(#""statut":"envoyee""#) { tally.confirmed.append(id) } else { tally.notSent += 1 }
        }
        return tally
    }

    /// Resident memory of this process now, in MB (VmRSS).
    static func residentMB() -> Double { RelanceBench.statusMB("VmRSS") }
}

/// The stop flag the client threads read and where they leave their tallies.
final class LoadShared: Sendable {
    let stop = Atomic<Bool>(false)
    let results = Mutex(ReliabilityBenchmark.Tally())
}

/// Counts the client threads down; `wait` returns once all have finished, without
/// holding a thread of the cooperative pool.
final class Countdown: Sendable {
    private let state: Mutex<(left: Int, waiter: CheckedContinuation<Void, Never>?)>

    init(_ count: Int) { state = Mutex((count, nil)) }

    func done() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.left -= 1
            guard s.left == 0 else { return nil }
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.left == 0 { return true }
                s.waiter = c
                return false
            }
            if now { c.resume() }
        }
    }
}
