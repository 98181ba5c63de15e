import Foundation
import Gateway

/// Creates relances for late debts, by the office's rule (spec: "Automatic generation
/// rule"), in one transaction, streaming the debts (never all in memory).
///
/// Late: an active assignment of an active taxpayer whose `date_debut` is at least
/// `joursRetardMin` days ago, whose `date_fin` is null or not before that day, with no
/// completed, non-cancelled payment of that tax by that taxpayer since `date_debut`,
/// and no relance for it planned in the last 7 days (whatever its type or statut).
/// Oldest debt first; `limite` counts relances created.
public struct RelanceGenerator: Sendable {
    public struct Options: Sendable {
        public var joursRetardMin = 7
        public var type: RelanceType = .sms
        public var limite = 50
        /// The message per type; the office's text by default.
        public var template = MessageTemplate.standard

        public init(joursRetardMin: Int = 7, type: RelanceType = .sms, limite: Int = 50, template: MessageTemplate = .standard) {
            self.joursRetardMin = joursRetardMin
            self.type = type
            self.limite = limite
            self.template = template
        }
    }

    public struct Result: Sendable, Equatable {
        /// The relances created, oldest debt first.
        public var created: [Int64]
        /// Late debts skipped because the taxpayer has no address for the type.
        public var withoutAddress: Int
    }

    public let store: SQLiteRelanceStore
    public let clock: any GatewayClock

    public init(store: SQLiteRelanceStore, clock: any GatewayClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    static let lateDebts = """
        SELECT a.id, a.contribuable_id, a.date_debut, COALESCE(a.montant_custom, t.montant), t.periodicite, t.nom,
               c.nom, c.prenom, c.telephone, c.email, c.adresse
        FROM affectation_taxe a
        JOIN taxe t ON t.id = a.taxe_id
        JOIN contribuable c ON c.id = a.contribuable_id
        WHERE a.actif = 1 AND c.actif = 1 AND a.date_debut <= ?1 AND (a.date_fin IS NULL OR a.date_fin >= ?1)
          AND NOT EXISTS (SELECT 1 FROM info_collecte p WHERE p.contribuable_id = a.contribuable_id AND p.taxe_id = a.taxe_id
                          AND p.statut = 'completed' AND p.annule = 0 AND p.date_collecte >= a.date_debut)
          AND NOT EXISTS (SELECT 1 FROM relance r WHERE r.affectation_taxe_id = a.id AND r.date_planifiee >= ?2)
        ORDER BY a.date_debut, a.id
        """

    static let insert = """
        INSERT INTO relance (contribuable_id, affectation_taxe_id, type_relance, statut, message, montant_due, date_echeance,
                             date_planifiee, canal_envoi, created_at, updated_at)
        VALUES (?,?,?,'en_attente',?,?,?,?,?,?,?)
        """

    public func generate(_ options: Options) throws(StoreError) -> Result {
        guard options.type.address != nil || options.type == .appel || options.type == .visite else {
            throw StoreError.invalid("Type de relance invalide")
        }
        let now = clock.now()
        let today = Int(now.timeIntervalSince1970 / 86_400)
        let cutoff = Self.day(today - options.joursRetardMin)
        let weekAgo = ISO8601.string(from: now.addingTimeInterval(-7 * 86_400))
        let stamp = ISO8601.string(from: now)
        return try store.database.transaction { (s: Session) throws(StoreError) -> Result in
            let debts = try s.prepare(Self.lateDebts)
            try debts.bind([.text(cutoff), .text(weekAgo)])
            let insert = try s.prepare(Self.insert)
            var created: [Int64] = []
            var withoutAddress = 0
            while created.count < options.limite, try debts.step() {
                let contribuable = Contribuable(id: debts.int(1), nom: debts.text(6), prenom: debts.text(7), telephone: debts.optionalText(8),
                                                email: debts.optionalText(9), adresse: debts.optionalText(10))
                let address = contribuable.address(for: options.type)
                if options.type.address != nil && address == nil {
                    withoutAddress += 1
                    continue
                }
                let montant = Montant(centimes: debts.int(3))
                let periodicite = Periodicite(rawValue: debts.text(4)) ?? .mensuelle
                guard let start = CivilDate.parse(debts.text(2)) else { continue }
                let dueDay = CivilDate.days(year: start.year, month: start.month, day: start.day) + periodicite.jusquEcheance
                let (y, m, d) = CivilDate.fromDays(dueDay)
                let echeance = String(format: "%02d/%02d/%04d", d, m, y)
                let message = options.template.render(["nom": contribuable.nom, "prenom": contribuable.prenom,
                                                       "montant": montant.description, "echeance": echeance, "taxe": debts.text(5)])
                try insert.bind([.int(contribuable.id), .int(debts.int(0)), .text(options.type.rawValue), .text(message),
                                 .int(montant.centimes), .text(Self.day(dueDay) + "T00:00:00Z"), .text(stamp), .optional(address),
                                 .text(stamp), .text(stamp)])
                while try insert.step() {}
                created.append(s.lastInsertID)
            }
            return Result(created: created, withoutAddress: withoutAddress)
        }
    }

    /// `YYYY-MM-DD` of a day number (days since 1970-01-01).
    static func day(_ n: Int) -> String {
        let (y, m, d) = CivilDate.fromDays(n)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
