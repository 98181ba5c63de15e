import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// « Programmer »: schedules a pending or failed relance for `at` (`en_attente`,
    /// `programmee`); the scheduler sends it then. Nil when `id` is unknown; a conflict
    /// for one being sent, sent or cancelled.
    public func schedule(_ id: Int64, at: Date, now: Date, acteur: String? = nil) throws(StoreError) -> Relance? {
        let changed = try database.transaction { (s: Session) throws(StoreError) -> Bool in
            guard let statut = try s.row("SELECT statut FROM relance WHERE id = ?", [.int(id)], { RelanceStatut(rawValue: $0.text(0)) }) else {
                return false
            }
            switch statut {
            case .envoiEnCours: throw .conflict(RelanceStatut.beingSent)
            case .envoyee: throw .conflict("Cette relance a déjà été envoyée : pour l'envoyer de nouveau, utilisez « Renvoyer »")
            case .annulee: throw .conflict("Cette relance est annulée : remettez-la en attente avant de la programmer")
            case .enAttente, .echec, nil: break
            }
            try s.run("""
                UPDATE relance SET statut = 'en_attente', programmee = 1, date_planifiee = ?, updated_at = ?,
                                   acteur = COALESCE(?, acteur), utilisateur_id = COALESCE(?, utilisateur_id)
                WHERE id = ? AND statut IN ('en_attente','echec')
                """, [.text(ISO8601.string(from: at)), .text(ISO8601.string(from: now)), .optional(acteur),
                      .optional(Relance.utilisateurID(forActeur: acteur)), .int(id)])
            return true
        }
        return changed ? try relance(id) : nil
    }

    /// « Marquer effectuée »: an `appel` or a `visite` done by hand, with what came of
    /// it. `envoyee`, `date_envoi` now, an attempt on the `manuel` channel and its
    /// ledger entry (the note's hash), the open dossier bumped, as a send would.
    public func markDone(_ id: Int64, notes: String, now: Date, acteur: String? = nil) throws(StoreError) -> Relance? {
        let note = notes.trimmingCharacters(in: .whitespacesAndNewlines)
        let done = try database.transaction { (s: Session) throws(StoreError) -> Bool in
            guard let row = try s.row("SELECT statut, type_relance FROM relance WHERE id = ?", [.int(id)], {
                (RelanceStatut(rawValue: $0.text(0)), RelanceType(rawValue: $0.text(1)))
            }) else { return false }
            guard let type = row.1, type.address == nil else {
                throw .conflict("Seuls les appels et les visites se marquent effectués ; une relance « \(row.1?.rawValue ?? "?") » s'envoie")
            }
            switch row.0 {
            case .envoiEnCours: throw .conflict(RelanceStatut.beingSent)
            case .envoyee: throw .conflict("Cette relance est déjà marquée effectuée")
            case .annulee: throw .conflict("Cette relance est annulée : remettez-la en attente d'abord")
            case .enAttente, .echec, nil: break
            }
            guard !note.isEmpty else { throw .unprocessable(field: "notes", reason: "dites ce qui a été fait (ex. « Appel passé, promet de payer lundi »)") }
            let contact = try Self.sentTo(id, in: s)?.recipient ?? ""
            let stamp = ISO8601.string(from: now)
            try s.run(Self.insertAttempt, [.int(id), .int(1), .text(Self.manualChannel), .text(stamp), .text(stamp), .text("sent"),
                                           .null, .null, .text(note)])
            try s.run(Self.markSent, [.text(stamp), .text(contact), .null, .text(note), .text(stamp), .int(id)])
            try s.run(Self.bumpDossier, [.text(stamp), .int(id)])
            if let acteur {
                try s.run("UPDATE relance SET acteur = ?, utilisateur_id = COALESCE(?, utilisateur_id) WHERE id = ?",
                          [.text(acteur), .optional(Relance.utilisateurID(forActeur: acteur)), .int(id)])
            }
            var entry = LedgerEntry(relanceID: id, recipient: contact, channel: Self.manualChannel, text: note, providerID: nil,
                                    outcome: "sent", at: now)
            entry.acteur = acteur ?? ""
            try Ledger.append([entry], in: s)
            return true
        }
        return done ? try relance(id) : nil
    }

    /// The attempts' and the ledger's channel for what was done by hand.
    static let manualChannel = "manuel"
}
