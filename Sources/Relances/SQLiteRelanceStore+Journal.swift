import Foundation
import Gateway

/// What happened to one relance, for the page's detail: each delivery attempt (channel,
/// times, outcome, the provider's id, the error) and its proof-of-dispatch entries.
public struct RelanceJournal: Sendable {
    public struct Attempt: Sendable, Equatable {
        public var attempt: Int
        public var channel: String
        public var startedAt: String
        public var finishedAt: String
        public var outcome: String
        public var providerID: String?
        public var errorCode: String?
        public var detail: String?
    }
    public var attempts: [Attempt]
    public var ledger: [LedgerEntry]
}

extension SQLiteRelanceStore {
    /// The attempts and ledger entries of relance `id`, in order; nil when it does not exist.
    public func journal(relanceID id: Int64) throws(StoreError) -> RelanceJournal? {
        try database.withConnection { (s: Session) throws(StoreError) -> RelanceJournal? in
            guard try s.row("SELECT 1 FROM relance WHERE id = ?", [.int(id)], { _ in true }) != nil else { return nil }
            let attempts = try s.rows("""
                SELECT attempt, channel, started_at, finished_at, outcome, provider_id, error_code, detail
                FROM delivery_attempt WHERE relance_id = ? ORDER BY id
                """, [.int(id)]) {
                RelanceJournal.Attempt(attempt: Int($0.int(0)), channel: $0.text(1), startedAt: $0.text(2), finishedAt: $0.text(3),
                                       outcome: $0.text(4), providerID: $0.optionalText(5), errorCode: $0.optionalText(6), detail: $0.optionalText(7))
            }
            let ledger = try s.rows("SELECT \(Ledger.columns) FROM ledger WHERE relance_id = ? ORDER BY seq", [.int(id)], Ledger.entry)
            return RelanceJournal(attempts: attempts, ledger: ledger)
        }
    }
}
