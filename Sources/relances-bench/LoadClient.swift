import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One of the load test's clients: a thread of its own with one keep-alive connection,
/// doing the page's reads and the office's sends until its deadline. Blocking sockets
/// with send and receive timeouts, so a stuck server shows as errors, never a hang.
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
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(index: Int, plan: Plan) {
        self.index = index
        self.plan = plan
    }

    /// Starts the clients on threads of their own; `done` counts those finished.
    static func start(_ count: Int, plan: Plan, done: Finished) -> [LoadClient] {
        let clients = (0..<count).map { LoadClient(index: $0, plan: plan) }
        for client in clients {
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
        if fd >= 0 { close(fd) }
    }

    /// Reads every relance once, a page of 1,000 at a time, so the server's page cache
    /// is warm before memory is measured (else its filling looks like growth).
    func warm(pages: Int) {
        for page in 0..<pages { _ = exchange("GET", "/api/relances/?limit=1000&skip=\(page * 1000)") }
        _ = exchange("GET", "/api/relances/statistiques")
        if fd >= 0 { close(fd); fd = -1 }
    }

    /// What the page does: create a relance, then send it.
    private func createAndSend(_ n: Int) {
        let started = Date()
        let who = Int64.random(in: plan.contribuables)
        // A number of its own per relance, so the provider's record tells relances apart.
        let number = plan.type == "sms" ? #", "canal_envoi": "066\#(String(format: "%07d", index * 10_000 + n % 10_000))""# : ""
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

    struct Answer { var status: Int; var body: [UInt8] }

    /// One request on the kept connection (opened again when the server closed it).
    private func exchange(_ method: String, _ target: String, body: String = "", headers: [String] = []) -> Answer? {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        for line in headers { head += line + "\r\n" }
        let bytes = Array((head + "\r\n" + body).utf8)
        for attempt in 0..<2 {
            if fd < 0 && !connectToServer() { tally.transportErrors += 1; return nil }
            if sendAll(bytes), let answer = readAnswer() {
                tally.statuses[answer.status, default: 0] += 1
                if answer.status >= 500 || (answer.status >= 400 && tally.samples.count < 3) {
                    tally.samples.append("\(method) \(target) → \(answer.status) \(String(decoding: answer.body.prefix(160), as: UTF8.self))")
                }
                return answer
            }
            close(fd)
            fd = -1
            // A keep-alive connection the server had just closed: once more on a new one,
            // but only for reads, so a send is never made twice by the client itself.
            if method != "GET" || attempt == 1 { break }
        }
        tally.transportErrors += 1
        return nil
    }

    private func connectToServer() -> Bool {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(plan.port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        if !ok { close(fd); fd = -1 }
        buffer.removeAll(keepingCapacity: true)
        return ok
    }

    private func sendAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    private func readAnswer() -> Answer? {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let end = find([13, 10, 13, 10]) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self).lowercased()
                let lines = head.components(separatedBy: "\r\n")
                let parts = lines[0].split(separator: " ")
                guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
                var length = 0, closes = false
                for line in lines.dropFirst() {
                    if line.hasPrefix("content-length:") { length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0 }
                    if line.hasPrefix("connection:") && line.contains("close") { closes = true }
                }
                while buffer.count < end + 4 + length {
                    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return nil }
                    buffer += chunk[0..<n]
                }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                if closes { close(fd); fd = -1 }
                return Answer(status: status, body: body)
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            buffer += chunk[0..<n]
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] && buffer[i + 1] == needle[1] && buffer[i + 2] == needle[2] && buffer[i + 3] == needle[3] {
            return i
        }
        return nil
    }

    private func day(_ offset: Int) -> String { RelanceBench.day(offset) }
}

/// How many clients have finished.
final class Finished: Sendable {
    let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
}
