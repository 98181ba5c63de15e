import Foundation
import Gateway

/// A relance left `envoi_en_cours`, as `relances recover` sees it.
public struct HeldClaim: Sendable, Equatable {
    public var id: Int64
    /// ``ClaimOwner/token``; nil for a claim made before owners were recorded.
    public var owner: String?
    public var lease: Date?
    /// Handed to a channel (its hand-off row written before the network call).
    public var handed: Bool

    public init(id: Int64, owner: String?, lease: Date?, handed: Bool) {
        self.id = id
        self.owner = owner
        self.lease = lease
        self.handed = handed
    }

    /// A sender still holds it: its lease runs, and its process is not known to be gone.
    public func isLive(now: Date) -> Bool {
        guard let owner, let lease, lease > now else { return false }
        return !ClaimOwner.isGone(owner)
    }
}

extension SQLiteRelanceStore {
    /// Every relance `envoi_en_cours`, with whose claim it is and whether it was handed off.
    public func heldClaims() throws(StoreError) -> [HeldClaim] {
        try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id, envoi_par, envoi_bail, envoi_remis FROM relance WHERE statut = 'envoi_en_cours' ORDER BY id") {
                HeldClaim(id: $0.int(0), owner: $0.optionalText(1), lease: $0.optionalText(2).flatMap(ISO8601.date(from:)), handed: $0.int(3) != 0)
            }
        }
    }

    /// Puts a dead sender's claim back `en_attente`, scheduled (someone had asked for it
    /// to go, and it did not): to go with the next scheduled batch or `send --pending`.
    /// Its hand-off row, if any, says the outcome is unknown. False, changing nothing,
    /// when the claim is no longer the one `held` describes.
    public func putBack(_ held: HeldClaim, now: Date) throws(StoreError) -> Bool {
        try database.transaction { (s: Session) throws(StoreError) -> Bool in
            let changed = try s.run("""
                UPDATE relance SET statut = 'en_attente', programmee = 1, updated_at = ?, \(Self.endClaim)
                WHERE id = ? AND statut = 'envoi_en_cours' AND envoi_par IS ? AND envoi_remis = ?
                """, [.text(ISO8601.string(from: now)), .int(held.id), .optional(held.owner), .int(held.handed ? 1 : 0)])
            if changed == 1 { try Self.markUnknown(held.id, in: s) }
            return changed == 1
        }
    }

    /// Closes a dead sender's claim as `echec`, the outcome unknown. False, changing
    /// nothing, when the claim is no longer the one `held` describes.
    public func closeUnknown(_ held: HeldClaim, note: String, now: Date) throws(StoreError) -> Bool {
        try database.transaction { (s: Session) throws(StoreError) -> Bool in
            let changed = try s.run("""
                UPDATE relance SET statut = 'echec', notes = ?, updated_at = ?, \(Self.endClaim)
                WHERE id = ? AND statut = 'envoi_en_cours' AND envoi_par IS ? AND envoi_remis = ?
                """, [.text(note), .text(ISO8601.string(from: now)), .int(held.id), .optional(held.owner), .int(held.handed ? 1 : 0)])
            if changed == 1 { try Self.markUnknown(held.id, in: s) }
            return changed == 1
        }
    }

    /// The hand-off row of a send a crash cut: handed, result never known.
    static func markUnknown(_ id: Int64, in s: Session) throws(StoreError) {
        try s.run("UPDATE delivery_attempt SET outcome = 'inconnu', detail = 'remis au canal avant un arrêt : résultat inconnu' WHERE relance_id = ? AND outcome = 'remis'",
                  [.int(id)])
    }
}
