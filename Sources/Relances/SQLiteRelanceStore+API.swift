import Foundation
import Gateway

/// A partial update of a relance (`PUT /api/relances/{id}`): only the fields given change.
public struct RelancePatch: Sendable {
    public var statut: RelanceStatut?
    public var dateEnvoi: Date??
    public var reponseRecue: Bool?
    public var dateReponse: Date??
    public var notes: String??
    /// Who makes the change (see ``Relance/acteur``); nil leaves the last one.
    public var acteur: String?

    public init(statut: RelanceStatut? = nil, dateEnvoi: Date?? = nil, reponseRecue: Bool? = nil, dateReponse: Date?? = nil, notes: String?? = nil,
                acteur: String? = nil) {
        self.acteur = acteur
        self.statut = statut
        self.dateEnvoi = dateEnvoi
        self.reponseRecue = reponseRecue
        self.dateReponse = dateReponse
        self.notes = notes
    }
}

extension SQLiteRelanceStore {
    /// Applies an operator's change, by the status rules (``RelanceStatut/operatorMove(from:to:)``):
    /// a relance being sent is not touched, `envoi_en_cours` and `envoyee` are never set
    /// here (only a recorded send, or « marquer effectuée », makes one `envoyee`), a sent
    /// one never goes back to pending, a cancellation says why. Nil when `id` is unknown.
    public func update(_ id: Int64, _ patch: RelancePatch, now: Date = Date()) throws(StoreError) -> Relance? {
        var sets: [String] = []
        var values: [SQLValue] = []
        if let s = patch.statut {
            sets.append("statut = ?")
            values.append(.text(s.rawValue))
            // A cancelled relance gives its business key up; one put back takes it again.
            sets.append(s == .annulee ? "periode = NULL"
                        : "periode = CASE WHEN statut = 'annulee' AND affectation_taxe_id IS NOT NULL THEN \(Schema.weekOfRow) ELSE periode END")
            // Put back pending (from echec or annulee), it waits for someone to send or
            // schedule it again; one already pending keeps its schedule.
            if s == .enAttente { sets.append("programmee = CASE WHEN statut = 'en_attente' THEN programmee ELSE 0 END") }
        }
        if let d = patch.dateEnvoi { sets.append("date_envoi = ?"); values.append(.optional(d.map(ISO8601.string(from:)))) }
        if let r = patch.reponseRecue { sets.append("reponse_recue = ?"); values.append(.int(r ? 1 : 0)) }
        if let d = patch.dateReponse { sets.append("date_reponse = ?"); values.append(.optional(d.map(ISO8601.string(from:)))) }
        if let n = patch.notes { sets.append("notes = ?"); values.append(.optional(n)) }
        if let a = patch.acteur {
            sets.append("acteur = ?")
            values.append(.text(a))
            if let user = Relance.utilisateurID(forActeur: a) { sets.append("utilisateur_id = ?"); values.append(.int(user)) }
        }
        sets.append("updated_at = ?")
        values.append(.text(ISO8601.string(from: now)))
        let changed = try database.transaction { (s: Session) throws(StoreError) -> Int in
            guard let current = try s.row("SELECT statut FROM relance WHERE id = ?", [.int(id)], { RelanceStatut(rawValue: $0.text(0)) }) else {
                return 0
            }
            guard let current else { throw .database("relance \(id) has an unknown statut") }
            if let target = patch.statut { try RelanceStatut.checkOperatorMove(from: current, to: target, notes: patch.notes) }
            else if current == .envoiEnCours { throw .conflict(RelanceStatut.beingSent) }
            if case .some(.some) = patch.dateEnvoi, (patch.statut ?? current) != .envoyee {
                throw .unprocessable(field: "date_envoi", reason: "seule une relance envoyée a une date d'envoi")
            }
            do throws(StoreError) {
                // `AND statut = ?`: the statut checked is the one changed, whatever runs beside.
                return try s.run("UPDATE relance SET \(sets.joined(separator: ", ")) WHERE id = ? AND statut = ?",
                                 values + [.int(id), .text(current.rawValue)])
            } catch .constraint(let why) where why.contains("relance.periode") {
                // Put back from `annulee` while another of its type holds the key.
                let key = try s.row("SELECT type_relance, \(Schema.weekOfRow) FROM relance WHERE id = ?", [.int(id)]) { ($0.text(0), $0.text(1)) }
                throw .keyTaken(RelanceType(rawValue: key?.0 ?? "") ?? .sms, week: key?.1 ?? "?")
            }
        }
        return changed == 0 ? nil : try relance(id)
    }
}
