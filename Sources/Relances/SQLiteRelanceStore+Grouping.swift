import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// The relances of `ids` that may go together: still to send, of `types`, each
    /// saying whether it was generated from a debt (manual ones keep the operator's
    /// text). One query, whatever the batch's size.
    public func groupMembers(_ ids: [Int64], types: [RelanceType]) throws(StoreError) -> [GroupMember] {
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        let kinds = "[" + types.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
        return try database.withConnection { (s: Session) throws(StoreError) -> [GroupMember] in
            try s.rows("""
                SELECT r.id, r.contribuable_id || '|' || r.type_relance,
                       c.nom, c.prenom, r.montant_due, COALESCE(t.nom, ''), r.date_echeance, t.id IS NOT NULL
                FROM relance r JOIN contribuable c ON c.id = r.contribuable_id
                LEFT JOIN affectation_taxe a ON a.id = r.affectation_taxe_id LEFT JOIN taxe t ON t.id = a.taxe_id
                WHERE r.id IN (SELECT value FROM json_each(?1)) AND r.statut IN ('en_attente', 'echec')
                  AND r.type_relance IN (SELECT value FROM json_each(?2))
                """, [.text(list), .text(kinds)]) { row in
                GroupMember(id: row.int(0), key: row.text(1), nom: row.text(2), prenom: row.text(3),
                            montant: Montant(centimes: row.int(4)), taxe: row.text(5), echeance: row.optionalText(6),
                            fromDebt: row.int(7) != 0)
            }
        }
    }
}
