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
///
/// The whole run is one `INSERT … SELECT` (the message rendered by SQL from the
/// template): SQLite streams the debts, and a run of 100,000 costs about what the
/// bare statement costs. Each relance carries its business key (affectation, type,
/// week): a unique index, so no retry or race ever makes a second one.
public struct RelanceGenerator: Sendable {
    public struct Options: Sendable {
        public var joursRetardMin = 7
        public var type: RelanceType = .sms
        public var limite = 50
        /// The message per type; the office's text by default.
        public var template = MessageTemplate.standard
        /// Also remind debts whose échéance is still ahead (the operator's choice:
        /// « inclure les échéances à venir »); by default only debts already due are.
        public var inclureEcheancesAVenir = false
        /// Who generates (see ``Relance/acteur``), and the user id it stands for.
        public var acteur: String?
        public var utilisateurID: Int64?
        /// Whether ``Result/withoutAddress`` is counted: the API's answer does not show
        /// it, so it does not pay for it (nor for the rest of a chunked run).
        public var countsWithoutAddress = true
        /// Resumes after this debt (a chunked run: ``Result/last`` of the chunk before),
        /// so a chunk walks only the debts after it, not every debt from the oldest.
        public var after: Position?

        public init(joursRetardMin: Int = 7, type: RelanceType = .sms, limite: Int = 50, template: MessageTemplate = .standard) {
            self.joursRetardMin = joursRetardMin
            self.type = type
            self.limite = limite
            self.template = template
        }
    }

    /// Where a run stopped in the late debts' order (oldest `date_debut`, then id).
    public struct Position: Sendable, Equatable {
        public var dateDebut: String
        public var affectation: Int64
    }

    public struct Result: Sendable, Equatable {
        /// The relances created, oldest debt first.
        public var created: [Int64]
        /// Late debts no relance can be made for, the taxpayer having no address for the
        /// type (all of them, not only those before the limit); 0 when not counted
        /// (``Options/countsWithoutAddress``).
        public var withoutAddress: Int
        /// The debt of the last relance created, to resume after (nil when none was).
        public var last: Position? = nil

        public init(created: [Int64], withoutAddress: Int, last: Position? = nil) {
            self.created = created
            self.withoutAddress = withoutAddress
            self.last = last
        }
    }

    public let store: any RelanceGeneration
    public let clock: any GatewayClock

    public init(store: any RelanceGeneration, clock: any GatewayClock = SystemClock()) {
        self.store = store
        self.clock = clock
    }

    /// The late debts, oldest first: ?1 the last day a debt may start and still be late,
    /// ?2 the instant a week ago. Columns: affectation, contribuable, date_debut, amount
    /// (centimes), periodicite, tax name, then the contribuable's nom, prenom, telephone,
    /// email, adresse.
    public static let lateDebts = """
        SELECT a.id, a.contribuable_id, a.date_debut, COALESCE(a.montant_custom, t.montant), t.periodicite, t.nom,
               c.nom, c.prenom, c.telephone, c.email, c.adresse
        \(lateDebtsFrom)
        ORDER BY a.date_debut, a.id
        """

    /// ``lateDebts`` as `options` choose: without the debts not yet due, unless asked.
    static func lateDebts(_ options: Options) -> String {
        lateDebts.replacingOccurrences(of: "\(lateDebtsFrom)\n", with: "\(lateDebtsFrom)\n\(dueCondition(options))\n")
    }

    /// Leaves out the debts whose échéance is after today (UTC), unless the operator
    /// includes them. Today is ?2 (a week ago) plus seven days, so every statement over
    /// ``lateDebtsFrom`` keeps its parameters.
    static func dueCondition(_ options: Options) -> String { dueCondition(upcoming: options.inclureEcheancesAVenir) }

    static func dueCondition(upcoming: Bool) -> String {
        upcoming ? "" : "  AND date(julianday(a.date_debut) + \(daysToEcheance)) <= date(?2, '+7 days')"
    }

    /// The values of ``lateDebts``' ?1 and ?2 at `now`.
    static func lateDebtsValues(now: Date, joursRetardMin: Int) -> [SQLValue] {
        [.text(day(Int(now.timeIntervalSince1970 / 86_400) - joursRetardMin)), .text(ISO8601.string(from: now.addingTimeInterval(-7 * 86_400)))]
    }

    static let lateDebtsFrom = """
        FROM affectation_taxe a
        JOIN taxe t ON t.id = a.taxe_id
        JOIN contribuable c ON c.id = a.contribuable_id
        WHERE \(lateDebtsWhere)
        """

    /// The lateness conditions over `a` (affectation), `t` (taxe) and `c` (contribuable).
    static let lateDebtsWhere = """
        a.actif = 1 AND c.actif = 1 AND a.date_debut <= ?1 AND (a.date_fin IS NULL OR a.date_fin >= ?1)
          AND date(a.date_debut) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM info_collecte p WHERE p.contribuable_id = a.contribuable_id AND p.taxe_id = a.taxe_id
                          AND p.statut = 'completed' AND p.annule = 0 AND p.date_collecte >= a.date_debut)
          AND NOT EXISTS (SELECT 1 FROM relance r WHERE r.affectation_taxe_id = a.id AND r.date_planifiee >= ?2)
        """

    /// Days from `date_debut` to the échéance, by periodicite, in SQL.
    static let daysToEcheance = "CASE t.periodicite "
        + Periodicite.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.jusquEcheance) " }.joined()
        + "ELSE \(Periodicite.mensuelle.jusquEcheance) END"

    /// The value of a placeholder, in SQL, over the late-debts query's tables.
    static func sqlValue(of placeholder: String) -> String {
        switch placeholder {
        case "nom": "c.nom"
        case "prenom": "c.prenom"
        case "taxe": MessageValues.taxeSQL("t.nom")
        case "nom_complet": MessageValues.nomCompletSQL(nom: "c.nom", prenom: "c.prenom")
        case "nombre": "'1'"
        case "montant": Montant.texteSQL("COALESCE(a.montant_custom, t.montant)")
        case "echeance": "strftime('%d/%m/%Y', julianday(a.date_debut) + \(daysToEcheance))"
        default: "''"
        }
    }

    /// The generation's statement with its values, as the store runs it at `now`: the
    /// same rows by SQL alone (`relances-bench generation-scale` times it bare).
    public static func statement(for options: Options, now: Date) -> (sql: String, values: [SQLValue]) {
        let (sql, texts) = insertStatement(for: options)
        let values: [SQLValue] = lateDebtsValues(now: now, joursRetardMin: options.joursRetardMin)
            + [.text(options.type.rawValue), .text(ISO8601.string(from: now)), .text(week(containing: now)),
               .int(Int64(max(0, options.limite)))] + texts.map { .text($0) }
            + [.optional(options.acteur), .optional(options.utilisateurID)]
            + (options.after.map { [.text($0.dateDebut), .int($0.affectation)] } ?? [])
        return (sql, values)
    }

    /// The whole generation as one statement: SQLite streams the late debts into the
    /// table, with no round trip per row. The template's text
    /// parts are bound from ?7 on; nothing of it is spliced into the SQL.
    static func insertStatement(for options: Options) -> (sql: String, texts: [String]) {
        var texts: [String] = []
        let parts = options.template.segments.map { segment -> String in
            switch segment {
            case .text(let t):
                texts.append(t)
                return "?\(6 + texts.count)"
            case .placeholder(let name):
                return Self.sqlValue(of: name)
            }
        }
        let message = parts.isEmpty ? "''" : parts.joined(separator: " || ")
        // Bound after the template's texts: who generates, and the user id it stands for.
        let acteur = "?\(7 + texts.count)", utilisateur = "?\(8 + texts.count)"
        // A resumed chunk starts after the last debt of the one before, on the index the
        // order follows (affectation_debut), so it never walks the debts already done.
        let resume = options.after == nil ? "" : "AND (a.date_debut, a.id) > (?\(9 + texts.count), ?\(10 + texts.count))"
        let address = Contribuable.addressSQL(for: options.type, table: "c")
        let sql = """
            INSERT INTO relance (contribuable_id, affectation_taxe_id, type_relance, statut, message, montant_due, date_echeance,
                                 date_planifiee, canal_envoi, periode, created_at, updated_at, acteur, utilisateur_id)
            SELECT a.contribuable_id, a.id, ?3, 'en_attente', \(message), COALESCE(a.montant_custom, t.montant),
                   date(julianday(a.date_debut) + \(daysToEcheance)) || 'T00:00:00Z', ?4, \(address), ?5, ?4, ?4, \(acteur), \(utilisateur)
            \(lateDebtsFrom)
            \(dueCondition(options))
            \(options.type.address == nil ? "" : "AND \(address) IS NOT NULL")
            \(resume)
            ORDER BY a.date_debut, a.id
            LIMIT ?6
            ON CONFLICT DO NOTHING
            """
        return (sql, texts)
    }

    public func generate(_ options: Options) throws(StoreError) -> Result {
        guard options.type.address != nil || options.type == .appel || options.type == .visite else {
            throw StoreError.invalid("Type de relance invalide")
        }
        return try store.generateRelances(options, now: clock.now())
    }

    /// The late debts of `type` whose taxpayer has no address for it, at this clock's now.
    public func lateDebtsWithoutAddress(type: RelanceType, joursRetardMin: Int, upcoming: Bool = false) throws(StoreError) -> Int {
        try store.lateDebtsWithoutAddress(type: type, joursRetardMin: joursRetardMin, upcoming: upcoming, now: clock.now())
    }

    /// Walks only the taxpayers without an address for the type, from the partial index
    /// that lists them (``Schema/missingAddresses``), and their debts: a cost in what is
    /// counted, not in the size of the tables. Its condition is the index's, word for
    /// word (SQLite uses a partial index only then; a test holds the plan).
    /// `upcoming`: debts not yet due count too (the operator asked to include them).
    static func withoutAddress(_ s: Session, type: RelanceType, lateness: [SQLValue], upcoming: Bool) throws(StoreError) -> Int {
        guard type.address != nil else { return 0 }
        let column = Contribuable.addressField(for: type).column
        return try s.row(withoutAddressSQL(column, upcoming: upcoming), lateness) { Int($0.int(0)) } ?? 0
    }

    static func withoutAddressSQL(_ column: String, upcoming: Bool = false) -> String {
        """
        SELECT COUNT(*) FROM contribuable x INDEXED BY contribuable_sans_\(column)
        CROSS JOIN affectation_taxe a INDEXED BY affectation_cle ON a.contribuable_id = x.id
        JOIN taxe t ON t.id = a.taxe_id
        JOIN contribuable c ON c.id = a.contribuable_id
        WHERE \(Contribuable.addressSQL(for: column, table: "x")) IS NULL AND \(lateDebtsWhere)
        \(dueCondition(upcoming: upcoming))
        """
    }

    /// The message the generation's SQL renders for a debt, rendered in Swift (the
    /// pre-flight's; a test holds the two equal). Nil for a malformed `date_debut`,
    /// which the generation skips too.
    static func message(_ template: MessageTemplate, contribuable: Contribuable, montant: Montant, dateDebut: String,
                        periodicite: String, taxe: String) -> String? {
        guard let start = CivilDate.parse(dateDebut) else { return nil }
        let days = (Periodicite(rawValue: periodicite) ?? .mensuelle).jusquEcheance
        let (y, m, d) = CivilDate.fromDays(CivilDate.days(year: start.year, month: start.month, day: start.day) + days)
        let echeance = (d < 10 ? "0" : "") + "\(d)/" + (m < 10 ? "0" : "") + "\(m)/\(y)"
        return template.render(MessageValues.values(nom: contribuable.nom, prenom: contribuable.prenom, montant: montant,
                                                    echeance: echeance, taxe: taxe))
    }

    /// The text of a relance created without one (the page sends `""` when nothing is
    /// typed): `template` filled for the taxpayer, never an empty message. Without a
    /// due date, « dès réception ».
    public static func message(_ template: MessageTemplate = .standard, nom: String, prenom: String, montant: Montant, due: Date?) -> String {
        let echeance = due.map { ISO8601.string(from: $0).prefix(10).split(separator: "-").reversed().joined(separator: "/") }
        return template.render(MessageValues.values(nom: nom, prenom: prenom, montant: montant, echeance: echeance ?? "dès réception",
                                                    taxe: "taxe municipale"))
    }

    /// The business-key period of a relance planned at `date`: the Monday (UTC) of its week.
    static func week(containing date: Date) -> String {
        week(of: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// The business-key period of a relance planned on day `n`: the Monday of its week.
    static func week(of n: Int) -> String {
        // Day 0, 1970-01-01, was a Thursday: three days after a Monday.
        day(n - (n + 3) % 7)
    }

    /// `YYYY-MM-DD` of a day number (days since 1970-01-01).
    static func day(_ n: Int) -> String {
        let (y, m, d) = CivilDate.fromDays(n)
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
