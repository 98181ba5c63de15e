import Foundation
import Gateway

/// What sending calls on storage: read, list, create, claim a set, write a set of send
/// records, statistics. SQLite implements it (``SQLiteRelanceStore``), and so does
/// ``InMemoryRelanceStore``; a PostgreSQL store could replace them without touching the
/// gateway or the sender. What the API and the CLI call besides are capabilities of
/// their own, composed where a caller needs several (see ``APIStore``, ``OfficeStore``).
///
/// Storage failures are ``StoreError``s that say what happened to the data (not found,
/// a conflict, a database error); the API maps them to HTTP statuses in one place.
public protocol RelanceStore: Sendable {
    func relance(_ id: Int64) throws(StoreError) -> Relance?
    func list(_ filter: RelanceFilter) throws(StoreError) -> (items: [Relance], total: Int)
    func create(_ new: NewRelance) throws(StoreError) -> Relance

    /// Claims a set of relances in one go: those `en_attente` or `echec` (and, with
    /// `resend`, `envoyee`: « renvoyer ») whose type `routable` accepts become
    /// `envoi_en_cours` for `owner`, so no other sender can take them; the others are
    /// answered with why not. With `reserve` false (a rehearsal) nothing changes: the
    /// same relances are answered, unclaimed. `acteur`, when given, is recorded as who
    /// had them sent.
    func claim(_ ids: [Int64], now: Date, reserve: Bool, owner: ClaimOwner, acteur: String?, resend: Bool,
               routable: (RelanceType) -> Bool) throws(StoreError) -> BatchClaim
    /// Writes send records in order, all of them or none (one transaction).
    func write(_ records: [SendRecord], now: Date) throws(StoreError)
    /// Extends the lease of `owner`'s claims: its batch is still running.
    func renewClaims(of owner: ClaimOwner, now: Date) throws(StoreError)
    /// Relances left `envoi_en_cours` (a crash, or results that could not be written).
    func inProgress() throws(StoreError) -> [Int64]

    /// Relances of `types` ready to send (en_attente, planned at or before `now`), oldest
    /// plan first; with `scheduledOnly`, only those an operator scheduled (`programmee`).
    func pending(limit: Int, now: Date, types: [RelanceType], scheduledOnly: Bool) throws(StoreError) -> [Int64]
    func statistics(from: String?, to: String?) throws(StoreError) -> RelanceStatistics

    /// Opens what one batch claims and writes through. The default claims and writes
    /// straight through this protocol, a call each; a store may do better (SQLite
    /// commits a group of results a transaction, on a writer thread of its own).
    func openSending(_ batch: SendingBatch, clock: any GatewayClock, logger: Logger) -> any SendingSession

    /// The relances of `ids` that may go as one message with others of their taxpayer
    /// (``GroupMember``): generated from a debt, still to send, of `types`. A store
    /// that cannot tell answers none, and every debt gets its own message.
    func groupMembers(_ ids: [Int64], types: [RelanceType]) throws(StoreError) -> [GroupMember]
}

extension RelanceStore {
    public func openSending(_ batch: SendingBatch, clock: any GatewayClock, logger: Logger) -> any SendingSession {
        DirectSendingSession(store: self, batch: batch, clock: clock, logger: logger)
    }

    /// Puts a claimed relance back to what it was, nothing sent (shutdown, closed window).
    public func release(_ id: Int64, to statut: RelanceStatut, datePlanifiee: Date?, now: Date) throws(StoreError) {
        try write([.release(relanceID: id, to: statut, datePlanifiee: datePlanifiee)], now: now)
    }

    /// Writes one delivery attempt.
    public func record(_ attempt: DeliveryAttempt, relanceID: Int64) throws(StoreError) {
        try write([.attempt(attempt, relanceID: relanceID)], now: attempt.finishedAt)
    }

    /// Writes a send's outcome (and bumps the open dossier when it was sent).
    public func finish(_ id: Int64, outcome: SendOutcome, now: Date) throws(StoreError) {
        try write([.outcome(relanceID: id, outcome)], now: now)
    }

    /// Claims one relance for a fresh owner of this process (see the set's claim).
    public func claim(_ id: Int64, now: Date, acteur: String? = nil) throws(StoreError) -> ClaimResult {
        let answer = try claim([id], now: now, reserve: true, owner: .thisProcess(), acteur: acteur, resend: false) { _ in true }
        if let claimed = answer.claimed.first, var relance = try relance(claimed.id) {
            relance.statut = .envoiEnCours
            return .claimed(relance)
        }
        return answer.refused.first?.why ?? .notFound
    }
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

extension StoreError {
    /// The business key's refusal, whatever the store: one relance of a type per
    /// affectation and week (the week of its `date_planifiee`, named by its Monday),
    /// cancelled ones aside.
    static func keyTaken(_ type: RelanceType, week: String) -> StoreError {
        let monday = week.split(separator: "-").reversed().joined(separator: "/")
        return .conflict("Une relance « \(type.rawValue) » non annulée existe déjà pour cette affectation la semaine du \(monday)")
    }
}
