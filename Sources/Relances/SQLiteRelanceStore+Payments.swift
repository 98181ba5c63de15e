import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// Cancels the pending relances of the debts a completed payment settles: nobody is
    /// reminded of a debt they paid. A debt is settled as the generation judges it
    /// (``RelanceGenerator/lateDebts``): an assignment of that taxpayer and tax that
    /// started on or before the payment's day. Relances being sent are left to finish.
    /// Answers how many were cancelled.
    @discardableResult
    static func cancelSettledRelances(_ s: Session, contribuableID: Int64, taxeID: Int64, dateCollecte: String,
                                      now: Date) throws(StoreError) -> Int {
        let note = "payée le " + (CivilDate.parse(String(dateCollecte.prefix(10))).map { String(format: "%02d/%02d/%04d", $0.day, $0.month, $0.year) }
                                   ?? String(dateCollecte.prefix(10)))
        return try s.run("""
            UPDATE relance SET statut = 'annulee', periode = NULL, updated_at = ?1,
                   notes = CASE WHEN notes IS NULL OR notes = '' THEN ?2 ELSE notes || ' · ' || ?2 END
            WHERE statut = 'en_attente' AND affectation_taxe_id IN
                  (SELECT id FROM affectation_taxe WHERE contribuable_id = ?3 AND taxe_id = ?4 AND date_debut <= ?5)
            """, [.text(ISO8601.string(from: now)), .text(note), .int(contribuableID), .int(taxeID), .text(dateCollecte)])
    }
}
