import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// How many relances wait (`en_attente`) and how many are being sent
    /// (`envoi_en_cours`), by statut; both keys always present. Counted on the statut
    /// index, so a scrape costs one index range per statut.
    public func queueDepth() throws(StoreError) -> [RelanceStatut: Int] {
        try database.withConnection { (s: Session) throws(StoreError) in
            var depth: [RelanceStatut: Int] = [:]
            for statut in [RelanceStatut.enAttente, .envoiEnCours] {
                depth[statut] = Int(try s.row("SELECT COUNT(*) FROM relance WHERE statut = ?", [.text(statut.rawValue)]) { $0.int(0) } ?? 0)
            }
            return depth
        }
    }
}
