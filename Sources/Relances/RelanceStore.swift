import Foundation
import Gateway

/// What the domain needs from storage. SQLite implements it; a PostgreSQL store could
/// replace it without touching the gateway or the sender.
public protocol RelanceStore: Sendable {
    func relance(_ id: Int64) throws(StoreError) -> Relance?
    func list(_ filter: RelanceFilter) throws(StoreError) -> (items: [Relance], total: Int)
    func create(_ new: NewRelance) throws(StoreError) -> Relance

    /// Moves a relance from `en_attente` or `echec` to `envoi_en_cours` in one statement,
    /// so two callers can never both send it. Answers why not when it cannot.
    func claim(_ id: Int64, now: Date, acteur: String?) throws(StoreError) -> ClaimResult
    /// Puts a claimed relance back to what it was, nothing sent (shutdown, closed window).
    func release(_ id: Int64, to statut: RelanceStatut, datePlanifiee: Date?, now: Date) throws(StoreError)
    /// Writes one delivery attempt.
    func record(_ attempt: DeliveryAttempt, relanceID: Int64) throws(StoreError)
    /// Writes a send's outcome (and bumps the open dossier when it was sent).
    func finish(_ id: Int64, outcome: SendOutcome, now: Date) throws(StoreError)
    /// Relances of `types` ready to send (en_attente, planned at or before `now`), oldest
    /// plan first; with `scheduledOnly`, only those an operator scheduled (`programmee`).
    func pending(limit: Int, now: Date, types: [RelanceType], scheduledOnly: Bool) throws(StoreError) -> [Int64]
    func statistics(from: String?, to: String?) throws(StoreError) -> RelanceStatistics
}

/// The list filters of `GET /api/relances`.
public struct RelanceFilter: Sendable, Hashable {
    public var skip = 0
    public var limit = 100
    public var contribuableID: Int64?
    public var affectationTaxeID: Int64?
    public var type: RelanceType?
    public var statut: RelanceStatut?
    /// `YYYY-MM-DD`, whole days of `date_planifiee`, inclusive.
    public var dateDebut: String?
    public var dateFin: String?
    /// A taxpayer's name or phone, as typed (accents, case, spaces and prefixes aside).
    public var recherche: String?

    public init() {}
}

/// A relance to create.
public struct NewRelance: Sendable {
    public var contribuableID: Int64
    public var affectationTaxeID: Int64?
    public var type: RelanceType
    public var montantDue: Montant
    public var datePlanifiee: Date
    public var dateEcheance: Date?
    public var message: String
    public var canalEnvoi: String?
    public var notes: String?
    public var utilisateurID: Int64?
    /// The operator gave `datePlanifiee`: the scheduler sends it then. False (a relance
    /// planned "now" by default) stays pending until someone sends or schedules it.
    public var programmee: Bool
    /// Who creates it (see ``Relance/acteur``).
    public var acteur: String?

    public init(contribuableID: Int64, affectationTaxeID: Int64? = nil, type: RelanceType, montantDue: Montant,
                datePlanifiee: Date, dateEcheance: Date? = nil, message: String = "", canalEnvoi: String? = nil,
                notes: String? = nil, utilisateurID: Int64? = nil, programmee: Bool = false, acteur: String? = nil) {
        self.programmee = programmee
        self.acteur = acteur
        self.contribuableID = contribuableID
        self.affectationTaxeID = affectationTaxeID
        self.type = type
        self.montantDue = montantDue
        self.datePlanifiee = datePlanifiee
        self.dateEcheance = dateEcheance
        self.message = message
        self.canalEnvoi = canalEnvoi
        self.notes = notes
        self.utilisateurID = utilisateurID
    }
}

public enum ClaimResult: Sendable, Equatable {
    /// Claimed: the relance as it was, with its contribuable.
    case claimed(Relance)
    case notFound
    case alreadySent
    case inProgress
    case cancelled
    /// No channel sends its type (only answered by the batch claim, which leaves it be).
    case noRoute
}

/// How a send ended, as the store writes it.
public enum SendOutcome: Sendable, Equatable {
    case sent(channel: String, recipient: String, note: String, at: Date)
    case failed(note: String)
}

/// The office's statistics, plus failures and per-channel counts.
public struct RelanceStatistics: Sendable, Equatable, Codable {
    public var totalRelances: Int
    public var relancesEnvoyees: Int
    public var relancesEnAttente: Int
    public var relancesEchec: Int
    public var relancesAvecReponse: Int
    /// Percent of sent relances that got an answer.
    public var tauxReponse: Double
    public var parType: [String: Int]
    public var parCanal: [String: Int]

    enum CodingKeys: String, CodingKey {
        case totalRelances = "total_relances", relancesEnvoyees = "relances_envoyees", relancesEnAttente = "relances_en_attente"
        case relancesEchec = "relances_echec", relancesAvecReponse = "relances_avec_reponse", tauxReponse = "taux_reponse"
        case parType = "par_type", parCanal = "par_canal"
    }
}
