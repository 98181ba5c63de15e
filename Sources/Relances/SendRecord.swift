import Foundation
import Gateway

/// One write of the sending path. A send makes several (its attempts, then its
/// outcome or its release); the store writes any number of them in one transaction,
/// in order, so a batch costs a transaction per group of results, not per message.
public enum SendRecord: Sendable {
    /// A claimed relance handed to its channel, written before the network call: the
    /// attempt row its first attempt then completes.
    case handOff(relanceID: Int64, channel: String, at: Date)
    /// One delivery attempt of a relance, with what was sent (the delivery's recipient
    /// and text) for its ledger entry; when nil they are read from the relance.
    case attempt(DeliveryAttempt, relanceID: Int64, recipient: String? = nil, text: String? = nil)
    /// How a claimed relance ended (and the dossier bump when it was sent).
    case outcome(relanceID: Int64, SendOutcome)
    /// A claimed relance put back, nothing sent (closed window, no route, shutdown).
    case release(relanceID: Int64, to: RelanceStatut, datePlanifiee: Date?)

    public var relanceID: Int64 {
        switch self {
        case .handOff(let id, _, _), .attempt(_, let id, _, _), .outcome(let id, _), .release(let id, _, _): id
        }
    }
}

/// A relance claimed by a batch: what sending it needs, nothing more (the list's full
/// row costs three joins and 36 columns a message).
public struct ClaimedRelance: Sendable, Equatable {
    public var id: Int64
    public var type: RelanceType
    public var message: String
    /// The operator's override, else the contribuable's address for the type.
    public var recipient: String?
    public var contribuableID: Int64
    /// The statut before the claim, to put back if nothing can be tried.
    public var previous: RelanceStatut
    /// What a letter prints besides the text (``details(id:nom:prenom:montant:echeance:taxe:)``),
    /// handed to the channel in the delivery's metadata.
    public var details: [String: String] = [:]
    /// Its place among a taxpayer's letters of this run, when there are several.
    public var envelope: Envelope?

    /// The taxpayer's name, the tax, the amount, the due date and the reference, under
    /// the metadata keys channels read (`contribuable_nom`, `taxe`, `montant`,
    /// `date_echeance`, `reference`).
    static func details(id: Int64, nom: String, prenom: String, montant: Montant, echeance: String?, taxe: String?) -> [String: String] {
        var out = ["contribuable_nom": [prenom, nom].filter { !$0.isEmpty }.joined(separator: " "),
                   "montant": montant.description, "reference": "REL-\(id)"]
        if let echeance, !echeance.isEmpty { out["date_echeance"] = echeance }
        if let taxe, !taxe.isEmpty { out["taxe"] = taxe }
        return out
    }
}

/// What claiming a group of ids did.
public struct BatchClaim: Sendable {
    /// Claimed, in the order asked.
    public var claimed: [ClaimedRelance] = []
    /// Not claimed, and why.
    public var refused: [(id: Int64, why: ClaimResult)] = []
    /// The claim itself failed in the store: nothing of it was claimed (every id is in
    /// `refused`), and this says why.
    public var failure: StoreError?

    public init(claimed: [ClaimedRelance] = [], refused: [(id: Int64, why: ClaimResult)] = [], failure: StoreError? = nil) {
        self.claimed = claimed
        self.refused = refused
        self.failure = failure
    }

    /// Why a relance of `statut` and `type` cannot be claimed, nil when it can: every
    /// store answers the same. A sent one is « déjà envoyée » unless resent, then a type
    /// no channel sends is refused whatever its statut, then a cancelled or claimed one.
    public static func refusal(statut: RelanceStatut, type: RelanceType, resend: Bool, routable: (RelanceType) -> Bool) -> ClaimResult? {
        if statut == .envoyee && !resend { return .alreadySent }
        if !routable(type) { return .noRoute }
        switch statut {
        case .enAttente, .echec, .envoyee: return nil
        case .annulee: return .cancelled
        case .envoiEnCours: return .inProgress
        }
    }
}
