import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// Relances of `types` ready to send (en_attente, planned at or before `now`), oldest
    /// plan first. With `scheduledOnly` (the scheduler), only those an operator scheduled
    /// (`programmee`): what generation or a manual entry left pending stays pending. Senders ask only for the types a channel sends, so relances done by
    /// hand (`appel`, `visite`), which stay `en_attente`, never fill a batch and starve
    /// the others.
    public func pending(limit: Int, now: Date, types: [RelanceType], scheduledOnly: Bool) throws(StoreError) -> [Int64] {
        guard !types.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: types.count).joined(separator: ",")
        return try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id FROM relance WHERE statut = 'en_attente'\(scheduledOnly ? " AND programmee = 1" : "") AND date_planifiee <= ? AND type_relance IN (\(marks)) ORDER BY date_planifiee, id LIMIT ?",
                       [.text(ISO8601.string(from: now))] + types.map { .text($0.rawValue) } + [.int(Int64(limit))]) { $0.int(0) }
        }
    }
}
