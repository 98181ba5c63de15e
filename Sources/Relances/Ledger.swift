import CSQLite
import Foundation
import Gateway

/// The proof-of-dispatch ledger: an append-only table of every delivery attempt, each
/// entry carrying the SHA-256 of its fields and of the previous entry's hash. Changing,
/// removing or inserting an entry breaks the chain from there on, and ``verify(in:)``
/// names where.
///
/// The chain proves the ledger was not altered *inside*; cutting entries off its end
/// leaves a shorter valid chain, which only a copy of an earlier last hash (printed by
/// `relances ledger verify`) can reveal.
public enum Ledger {
    /// The previous hash of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    static let columns = "seq, relance_id, recipient, channel, text_sha256, provider_id, outcome, at, prev_hash, hash, acteur"

    /// Appends `entries`, in order, after the last one: numbers and chains them, and
    /// inserts them with one prepared statement. Must run inside the caller's
    /// transaction (``Database/transaction(_:)``), so that reading the last hash and
    /// writing the new entries are one step and the attempts they prove commit with them.
    ///
    /// - Returns: the entries as stored (with `seq`, `prevHash` and `hash`).
    @discardableResult
    public static func append(_ entries: [LedgerEntry], in session: Session) throws(StoreError) -> [LedgerEntry] {
        guard !entries.isEmpty else { return [] }
        guard sqlite3_get_autocommit(session.connection.handle) == 0 else {
            throw StoreError.invalid("Ledger.append must run inside a transaction (Database.transaction), so the chain cannot fork")
        }
        var (seq, previous) = try session.row("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1") { ($0.int(0), $0.text(1)) }
            ?? (0, genesis)
        let insert = try session.prepare("INSERT INTO ledger (\(columns)) VALUES (?,?,?,?,?,?,?,?,?,?,?)")
        var stored: [LedgerEntry] = []
        stored.reserveCapacity(entries.count)
        for var entry in entries {
            seq += 1
            entry.seq = seq
            entry.prevHash = previous
            entry.hash = entry.expectedHash
            previous = entry.hash
            try insert.bind([.int(entry.seq), .int(entry.relanceID), .text(entry.recipient), .text(entry.channel),
                             .text(entry.textSHA256), .text(entry.providerID), .text(entry.outcome), .text(entry.at),
                             .text(entry.prevHash), .text(entry.hash), .text(entry.acteur)])
            while try insert.step() {}
            stored.append(entry)
        }
        return stored
    }

    /// Walks the whole ledger in order, recomputing every hash and link; stops at the
    /// first broken entry.
    public static func verify(in session: Session) throws(StoreError) -> LedgerVerification {
        let statement = try session.prepare("SELECT \(columns) FROM ledger ORDER BY seq")
        // Stopping early leaves the statement mid-read; reset it so it holds no read lock.
        defer { sqlite3_reset(statement.handle) }
        var expectedSeq: Int64 = 1
        var previous = genesis
        var intact = 0
        while try statement.step() {
            let entry = entry(statement)
            if entry.seq != expectedSeq {
                let missing = entry.seq - expectedSeq == 1 ? "entry \(expectedSeq) is missing" : "entries \(expectedSeq) to \(entry.seq - 1) are missing"
                return LedgerVerification(entries: intact, lastHash: previous, problem: LedgerProblem(
                    seq: expectedSeq, kind: .missing, reason: "\(missing) (the next entry is \(entry.seq)): deleted"))
            }
            if entry.hash != entry.expectedHash {
                return LedgerVerification(entries: intact, lastHash: previous, problem: LedgerProblem(
                    seq: entry.seq, kind: .edited, reason: "entry \(entry.seq)'s hash does not match its content: it was edited"))
            }
            if entry.prevHash != previous {
                let before = entry.seq == 1 ? "the genesis hash" : "entry \(entry.seq - 1)'s hash"
                return LedgerVerification(entries: intact, lastHash: previous, problem: LedgerProblem(
                    seq: entry.seq, kind: .unchained,
                    reason: "entry \(entry.seq)'s prev_hash is not \(before): an entry before it was deleted, replaced or inserted"))
            }
            previous = entry.hash
            expectedSeq += 1
            intact += 1
        }
        return LedgerVerification(entries: intact, lastHash: previous, problem: nil)
    }

    /// The entries whose `at` falls on the days `from` to `to` (`YYYY-MM-DD`, UTC,
    /// inclusive), in order.
    public static func entries(from: String, to: String, in session: Session) throws(StoreError) -> [LedgerEntry] {
        guard let start = CivilDate.parse(from) else { throw StoreError.invalid("'\(from)' is not a date: use YYYY-MM-DD") }
        guard let end = CivilDate.parse(to) else { throw StoreError.invalid("'\(to)' is not a date: use YYYY-MM-DD") }
        let after = CivilDate.fromDays(CivilDate.days(year: end.year, month: end.month, day: end.day) + 1)
        let lower = ISO8601.string(from: Date(timeIntervalSince1970: Double(CivilDate.days(year: start.year, month: start.month, day: start.day)) * 86_400))
        let upper = ISO8601.string(from: Date(timeIntervalSince1970: Double(CivilDate.days(year: after.year, month: after.month, day: after.day)) * 86_400))
        return try session.rows("SELECT \(columns) FROM ledger WHERE at >= ? AND at < ? ORDER BY seq", [.text(lower), .text(upper)], entry)
    }

    /// The CSV header of ``csv(_:)``.
    public static let csvHeader = ["seq", "at", "relance_id", "channel", "recipient", "outcome", "provider_id", "text_sha256", "prev_hash", "hash",
                                   "acteur"]

    /// Entries as CSV for an auditor (RFC 4180: CRLF line ends, fields quoted when they
    /// hold a comma, a quote or a line break). The prev_hash and hash columns let the
    /// chain of the exported range be recomputed without the database.
    public static func csv(_ entries: [LedgerEntry]) -> String {
        var out = csvHeader.joined(separator: ",") + "\r\n"
        for e in entries {
            let fields = [String(e.seq), e.at, String(e.relanceID), e.channel, e.recipient, e.outcome, e.providerID,
                          e.textSHA256, e.prevHash, e.hash, e.acteur]
            out += fields.map(csvField).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func entry(_ r: Statement) -> LedgerEntry {
        LedgerEntry(seq: r.int(0), relanceID: r.int(1), recipient: r.text(2), channel: r.text(3), textSHA256: r.text(4),
                    providerID: r.text(5), outcome: r.text(6), at: r.text(7), prevHash: r.text(8), hash: r.text(9),
                    acteur: r.text(10))
    }
}

/// What ``Ledger/verify(in:)`` found.
public struct LedgerVerification: Sendable, Equatable {
    /// Entries checked and intact (all of them when ``problem`` is nil).
    public var entries: Int
    /// The hash of the last intact entry (``Ledger/genesis`` when there is none): keep
    /// it somewhere else, and a later verification can tell the end was not cut off.
    public var lastHash: String
    /// The first broken entry, or nil when the ledger is intact.
    public var problem: LedgerProblem?

    public var isIntact: Bool { problem == nil }
}

/// The first place the chain breaks.
public struct LedgerProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// An entry's fields no longer give its hash.
        case edited
        /// A sequence number is skipped.
        case missing
        /// An entry does not point at the one before it.
        case unchained
    }

    /// The entry where the chain breaks (for `missing`, the first absent number).
    public var seq: Int64
    public var kind: Kind
    public var reason: String

    public var description: String { reason }
}
