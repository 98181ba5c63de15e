import Foundation
import Gateway
import Synchronization

/// One of the load test's clients: a thread of its own with one keep-alive connection,
/// doing the page's reads and the office's sends until its deadline. Blocking sockets
/// with send and receive timeouts, so a stuck server shows as errors, never a hang.
/// A thread because its sockets block (`recv`, `send`). `@unchecked Sendable`: `tally`
/// and the connection are touched only by that thread while it runs, and `tally` is
/// read once the thread has been joined.
final class LoadClient: @unchecked Sendable {
    /// What one client saw; merged with the others' at the end.
    struct Tally: Sendable {
        var statuses: [Int: Int] = [:]
        var transportErrors = 0
        var readMs: [Double] = []
        var sendMs: [Double] = []
        /// Relances this client created, and those the API answered `envoyee`.
        var created: [Int64] = []
        var sent: [Int64] = []
        /// 5xx and unexpected answers, a few kept to print.
        var samples: [String] = []

        mutating func merge(_ other: Tally) {
            statuses.merge(other.statuses, uniquingKeysWith: +)
            transportErrors += other.transportErrors
            readMs += other.readMs
            sendMs += other.sendMs
            created += other.created
            sent += other.sent
            if samples.count < 10 { samples += other.samples.prefix(10 - samples.count) }
        }
    }

    struct Plan: Sendable {
        var port: Int
        var deadline: Date
        /// Contribuables to create relances for, and the ids of relances to read.
        var contribuables: ClosedRange<Int64>
        var existing: ClosedRange<Int64>
        /// The type created, and for `sms` a number of its own per relance.
        var type: String
        var sendShare: Double = 0.2
    }

    let index: Int
    let plan: Plan
    private(set) var tally = Tally()
    private let connection: KeepAliveConnection

    init(index: Int, plan: Plan) {
        self.index = index
        self.plan = plan
        connection = KeepAliveConnection(port: plan.port)
    }

    /// Starts the clients on threads of their own; `done` counts those finished.
    static func start(_ count: Int, plan: Plan, done: Finished) -> [LoadClient] {
        let clients = (0..<count).map { LoadClient(index: $0, plan: plan) }
        for client in clients {
            // A thread a client: its socket's `recv` and `send` block.
            let thread = Thread {
                client.run()
                done.count.withLock { $0 += 1 }
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
        return clients
    }

    func run() {
        var n = 0
        var random = SystemRandomNumberGenerator()
        while Date() < plan.deadline {
            n += 1
            let roll = Double.random(in: 0..<1, using: &random)
            if roll < plan.sendShare {
                createAndSend(n)
            } else {
                let started = Date()
                let target: String
                switch roll {
                case ..<0.45: target = "/api/relances/?limit=20&skip=\(Int.random(in: 0...2_000, using: &random))"
                case ..<0.55: target = "/api/relances/?statut=\(["envoyee", "echec", "en_attente"].randomElement(using: &random)!)&limit=20"
                case ..<0.75: target = "/api/relances/statistiques"
                case ..<0.85: target = "/api/relances/statistiques?date_debut=\(day(-30))&date_fin=\(day(0))"
                default: target = "/api/relances/\(Int64.random(in: plan.existing, using: &random))"
                }
                if exchange("GET", target) != nil { tally.readMs.append(Date().timeIntervalSince(started) * 1000) }
            }
        }
        connection.disconnect()
    }

    /// Reads every relance once, a page of 1,000 at a time, so the server's page cache
    /// is warm before memory is measured (else its filling looks like growth).
    func warm(pages: Int) {
        for page in 0..<pages { _ = exchange("GET", "/api/relances/?limit=1000&skip=\(page * 1000)") }
        _ = exchange("GET", "/api/relances/statistiques")
        connection.disconnect()
    }

    /// What the page does: create a relance, then send it.
    private func createAndSend(_ n: Int) {
        let started = Date()
        let who = Int64.random(in: plan.contribuables)
        // A number of its own per relance, so the provider's record tells relances apart.
        let number = plan.type == "sms" ? #", "canal_envoi": "07\#(String(format: "%07d", index * 10_000 + n % 10_000))""# : ""
        let body = #"{"contribuable_id": \#(who), "type_relance": "\#(plan.type)", "montant_due": "5000", "date_planifiee": "\#(ISO8601.string(from: Date().addingTimeInterval(-60)))", "message": "Charge \#(index)-\#(n)"\#(number)}"#
        guard let created = exchange("POST", "/api/relances", body: body, headers: ["Idempotency-Key: charge-\(index)-\(n)"]), created.status == 201,
              let id = (try? JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])?["id"] as? Int else { return }
        tally.created.append(Int64(id))
        guard let sent = exchange("PATCH", "/api/relances/\(id)/envoyer") else { return }
        if sent.status == 200, let statut = (try? JSONSerialization.jsonObject(with: Data(sent.body)) as? [String: Any])?["statut"] as? String,
           statut == "envoyee" {
            tally.sent.append(Int64(id))
        }
        tally.sendMs.append(Date().timeIntervalSince(started) * 1000)
    }

    typealias Answer = (status: Int, body: [UInt8])

    /// One request on the kept connection (opened again when the server closed it).
    private func exchange(_ method: String, _ target: String, body: String? = nil, headers: [String] = []) -> Answer? {
        for attempt in 0..<2 {
            if let answer = connection.request(method, target, body: body, headers: headers) {
                tally.statuses[answer.status, default: 0] += 1
                if answer.status >= 500 || (answer.status >= 400 && tally.samples.count < 3) {
                    tally.samples.append("\(method) \(target) → \(answer.status) \(String(decoding: answer.body.prefix(160), as: UTF8.self))")
                }
                return answer
            }
            // A keep-alive connection the server had just closed: once more on a new one,
            // but only for reads, so a send is never made twice by the client itself.
            if method != "GET" || attempt == 1 { break }
        }
        tally.transportErrors += 1
        return nil
    }

    private func day(_ offset: Int) -> String { RelanceBench.day(offset) }
}

/// How many clients have finished.
final class Finished: Sendable {
    let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
}
