import Foundation

/// The status machine, as the README's « Statuts » table writes it. Who moves a relance:
///
/// - the sender: `en_attente`/`echec` → `envoi_en_cours` (its claim) → `envoyee` (an
///   accepted attempt, recorded with its ledger entry), `echec`, or back as it was
///   (nothing tried: a closed window, no route, a shutdown);
/// - `relances recover`: `envoi_en_cours` → `envoyee` (from a recorded accepted attempt),
///   `en_attente` (never handed to a channel, or `--resend`), `echec` (`--close`);
/// - an operator (`PUT /api/relances/{id}`): `echec`/`annulee` → `en_attente`,
///   `en_attente`/`echec` → `annulee` with a reason; nothing else;
/// - « marquer effectuée » (`appel`, `visite`): `en_attente`/`echec` → `envoyee`, ledgered;
/// - « renvoyer »: `envoyee` → `envoi_en_cours`, an explicit new send, ledgered as any.
extension RelanceStatut {
    static let beingSent = "Cette relance est en cours d'envoi : attendez son résultat (ou `relances recover` après un arrêt)"

    /// Refuses what an operator's `PUT` may not do (409, or 422 naming `notes` for a
    /// cancellation without its reason). Setting the statut it already has is allowed.
    static func checkOperatorMove(from current: RelanceStatut, to target: RelanceStatut, notes: String??) throws(StoreError) {
        if current == .envoiEnCours { throw .conflict(beingSent) }
        switch target {
        case .envoiEnCours:
            throw .conflict("Le statut « envoi_en_cours » est posé par l'envoi lui-même : utilisez « Envoyer »")
        case .envoyee where current != .envoyee:
            throw .conflict("Une relance n'est marquée envoyée que par un envoi enregistré : utilisez « Envoyer », "
                            + "ou « Marquer effectuée » pour un appel ou une visite")
        case .enAttente where current == .envoyee:
            throw .conflict("Cette relance a déjà été envoyée : elle ne redevient pas en attente ; pour l'envoyer de nouveau, "
                            + "utilisez « Renvoyer »")
        case .echec where current != .echec:
            throw .conflict("Le statut « echec » est posé par un envoi qui a échoué : pour ne pas envoyer cette relance, annulez-la")
        case .annulee where current == .envoyee:
            throw .conflict("Cette relance a déjà été envoyée : elle ne peut plus être annulée")
        case .annulee where current != .annulee:
            guard let reason = notes ?? nil, !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw .unprocessable(field: "notes", reason: "indiquez la raison de l'annulation")
            }
        default:
            break
        }
    }
}
