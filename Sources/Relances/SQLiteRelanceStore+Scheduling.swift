import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// Like ``pending(limit:now:)``, restricted to `types`: the scheduled sender asks only
    /// for the types a channel sends, so relances done by hand (`appel`, `visite`), which
    /// stay `en_attente`, never fill its batches and starve the others.
    public func pending(limit: Int, now: Date, types: [RelanceType]) throws(StoreError) -> [Int64] {
        guard !types.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: types.count).joined(separator: ",")
        return try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id FROM relance WHERE statut = 'en_attente' AND date_planifiee <= ? AND type_relance IN (\(marks)) ORDER BY date_planifiee, id LIMIT ?",
                       [.text(ISO8601.string(from: now))] + types.map { .text($0.rawValue) } + [.int(Int64(limit))]) { $0.int(0) }
        }
    }

    /// How many of `ids` wait for a later time: back `en_attente` with a planned date
    /// after `now` (a send window put them off).
    public func deferredCount(among ids: [Int64], now: Date) throws(StoreError) -> Int {
        guard !ids.isEmpty else { return 0 }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        return try database.withConnection { (s: Session) throws(StoreError) in
            Int(try s.row("SELECT COUNT(*) FROM relance WHERE statut = 'en_attente' AND date_planifiee > ? AND id IN (\(marks))",
                          [.text(ISO8601.string(from: now))] + ids.map { .int($0) }) { $0.int(0) } ?? 0)
        }
    }
}
