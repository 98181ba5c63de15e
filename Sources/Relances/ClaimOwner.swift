import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds an `envoi_en_cours` claim: the host, the process id and its start time (a
/// process id is reused, the pair is not), and the batch. Written with the claim, with
/// a lease the batch renews while it runs, so `relances recover` can tell a live
/// sender's claims (left alone) from a dead one's (resolved).
public struct ClaimOwner: Sendable, Hashable {
    /// `host pid start batch`, as stored in `envoi_par`.
    public let token: String

    /// How long a claim stays live without a renewal, and how often a running batch
    /// renews its claims' lease.
    public static let lease: Double = 30
    public static let renewal: Double = 10

    /// A fresh owner for a batch (or a single send) of this process.
    public static func thisProcess() -> ClaimOwner {
        ClaimOwner(token: "\(host) \(getpid()) \(startTime(of: getpid()) ?? "?") \(UUID().uuidString.prefix(8))")
    }

    init(token: String) { self.token = token }

    /// Whether the owner is certainly gone: a process of this host that no longer runs
    /// (or whose id now belongs to a process started later). An owner of another host
    /// is never known to be gone; its lease alone decides.
    public static func isGone(_ token: String) -> Bool {
        let parts = token.split(separator: " ").map(String.init)
        guard parts.count >= 3, parts[0] == host, let pid = Int32(parts[1]) else { return false }
        guard let start = startTime(of: pid) else { return true }
        return start != parts[2]
    }

    static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "localhost" : text.replacingOccurrences(of: " ", with: "_")
    }()

    /// The process's start time in clock ticks since boot (`/proc/PID/stat`, field 22),
    /// nil when no such process runs.
    static func startTime(of pid: Int32) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After the command name (which may hold spaces): field 3 onwards.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? String(fields[19]) : nil
    }
}
