import Foundation
import Gateway

/// A taxpayer.
public struct Contribuable: Sendable, Hashable, Codable {
    public var id: Int64
    public var nom: String
    public var prenom: String
    public var telephone: String?
    public var email: String?
    public var adresse: String?
    public var actif: Bool

    public init(id: Int64 = 0, nom: String, prenom: String, telephone: String? = nil, email: String? = nil,
                adresse: String? = nil, actif: Bool = true) {
        self.id = id
        self.nom = nom
        self.prenom = prenom
        self.telephone = telephone
        self.email = email
        self.adresse = adresse
        self.actif = actif
    }

    /// The address a relance of `type` goes to, if the contribuable has one.
    public func address(for type: RelanceType) -> String? {
        guard let v = self[keyPath: Self.addressField(for: type).keyPath]?.trimmingCharacters(in: Self.blanks),
              !v.isEmpty else { return nil }
        return v
    }

    /// Where a relance of `type` goes: the operator's `override` (its `canal_envoi`)
    /// when it holds more than blanks, else this contribuable's address for the type.
    /// An override that is no e-mail address (a phone typed in « téléphone ») is not
    /// one for an e-mail: the taxpayer's e-mail is used, never a phone as an address.
    public func recipient(for type: RelanceType, override: String?) -> String? {
        if let given = override, !given.trimmingCharacters(in: Self.blanks).isEmpty, type != .email || given.contains("@") { return given }
        return address(for: type)
    }

    /// Where a type's address is kept: the phone for sms and appel, the e-mail, the
    /// postal address for courrier and visite.
    static func addressField(for type: RelanceType) -> (keyPath: KeyPath<Contribuable, String?>, column: String) {
        switch type {
        case .sms, .appel: (\.telephone, "telephone")
        case .email: (\.email, "email")
        case .courrier, .visite: (\.adresse, "adresse")
        }
    }

    /// What is trimmed around an address: ASCII blanks, as ``addressSQL(for:table:)`` trims them.
    static let blanks = CharacterSet(charactersIn: " \t\r\n")

    /// ``address(for:)`` in SQL, for the generator's `INSERT … SELECT`.
    static func addressSQL(for type: RelanceType, table: String) -> String {
        addressSQL(for: addressField(for: type).column, table: table)
    }

    /// The same over a column (`telephone`, `email`, `adresse`); without a table, as
    /// the partial indexes of ``Schema/missingAddresses`` state it.
    static func addressSQL(for column: String, table: String?) -> String {
        "NULLIF(TRIM(\(table.map { $0 + "." } ?? "")\(column), ' ' || char(9) || char(13) || char(10)), '')"
    }
}

/// How often a tax falls due.
public enum Periodicite: String, Sendable, Codable, CaseIterable {
    case journaliere, hebdomadaire, mensuelle, trimestrielle

    /// Days from the start of an assignment to its due date.
    public var jusquEcheance: Int {
        switch self { case .journaliere: 0; case .hebdomadaire: 7; case .mensuelle: 30; case .trimestrielle: 90 }
    }
}

public struct Taxe: Sendable, Hashable, Codable {
    public var id: Int64
    public var nom: String
    public var montant: Montant
    public var periodicite: Periodicite

    public init(id: Int64 = 0, nom: String, montant: Montant, periodicite: Periodicite) {
        self.id = id
        self.nom = nom
        self.montant = montant
        self.periodicite = periodicite
    }
}

/// A tax assigned to a taxpayer from `dateDebut` (to `dateFin`, nil = open-ended).
public struct AffectationTaxe: Sendable, Hashable, Codable {
    public var id: Int64
    public var contribuableID: Int64
    public var taxeID: Int64
    /// `YYYY-MM-DD`
    public var dateDebut: String
    public var dateFin: String?
    public var montantCustom: Montant?
    public var actif: Bool
    /// Filled when read with its relance.
    public var taxe: Taxe?

    public init(id: Int64 = 0, contribuableID: Int64, taxeID: Int64, dateDebut: String, dateFin: String? = nil,
                montantCustom: Montant? = nil, actif: Bool = true, taxe: Taxe? = nil) {
        self.id = id
        self.contribuableID = contribuableID
        self.taxeID = taxeID
        self.dateDebut = dateDebut
        self.dateFin = dateFin
        self.montantCustom = montantCustom
        self.actif = actif
        self.taxe = taxe
    }
}

/// A payment.
public struct InfoCollecte: Sendable, Hashable, Codable {
    public enum Statut: String, Sendable, Codable, CaseIterable { case pending, completed, failed, cancelled }
    public var id: Int64
    public var contribuableID: Int64
    public var taxeID: Int64
    public var montant: Montant
    /// ISO date or date-time.
    public var dateCollecte: String
    public var statut: Statut
    public var annule: Bool

    public init(id: Int64 = 0, contribuableID: Int64, taxeID: Int64, montant: Montant, dateCollecte: String,
                statut: Statut = .completed, annule: Bool = false) {
        self.id = id
        self.contribuableID = contribuableID
        self.taxeID = taxeID
        self.montant = montant
        self.dateCollecte = dateCollecte
        self.statut = statut
        self.annule = annule
    }
}

/// Where a relance stands. `envoi_en_cours` is the store's own: claimed by a sender,
/// outcome not yet written.
public enum RelanceStatut: String, Sendable, Codable, CaseIterable {
    case enAttente = "en_attente"
    case envoiEnCours = "envoi_en_cours"
    case envoyee
    case echec
    case annulee
}

/// A reminder.
public struct Relance: Sendable, Hashable {
    public var id: Int64
    public var contribuableID: Int64
    public var affectationTaxeID: Int64?
    public var type: RelanceType
    public var statut: RelanceStatut
    public var message: String
    public var montantDue: Montant
    public var dateEcheance: Date?
    public var dateEnvoi: Date?
    public var datePlanifiee: Date
    public var dateReponse: Date?
    public var canalEnvoi: String?
    public var reponseRecue: Bool
    public var notes: String?
    public var utilisateurID: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    /// The channel that sent it (`ventis`, `mail`), once sent.
    public var canal: String?
    /// An operator scheduled it for `datePlanifiee`: the scheduler sends only these.
    public var programmee: Bool = false
    public var contribuable: Contribuable?
    public var affectationTaxe: AffectationTaxe?
    /// Who last created, changed or sent it through the API (a JWT's `sub`, an API
    /// token's label); nil when nobody authenticated did (the CLI, an open server).
    public var acteur: String? = nil

    /// The office's user id an acteur stands for: its `sub` when that is a whole number
    /// (the office's back-office numbers its users), else nil.
    public static func utilisateurID(forActeur acteur: String?) -> Int64? {
        guard let acteur, !acteur.isEmpty, acteur.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(acteur)
    }
}
