import Foundation
import Gateway

extension SQLiteRelanceStore {
    static let relanceColumns = """
        r.id, r.contribuable_id, r.affectation_taxe_id, r.type_relance, r.statut, r.message, r.montant_due, r.date_echeance,
        r.date_envoi, r.date_planifiee, r.date_reponse, r.canal_envoi, r.reponse_recue, r.notes, r.utilisateur_id, r.created_at,
        r.updated_at, r.canal, r.programmee,
        c.id, c.nom, c.prenom, c.telephone, c.email, c.adresse, c.actif,
        a.id, a.contribuable_id, a.taxe_id, a.date_debut, a.date_fin, a.montant_custom, a.actif,
        t.id, t.nom, t.montant, t.periodicite, r.acteur
        FROM relance r JOIN contribuable c ON c.id = r.contribuable_id
        LEFT JOIN affectation_taxe a ON a.id = r.affectation_taxe_id LEFT JOIN taxe t ON t.id = a.taxe_id
        """

    static func relance(_ r: Statement) -> Relance {
        func date(_ i: Int32) -> Date? { r.optionalText(i).flatMap(ISO8601.date(from:)) }
        let contribuable = Contribuable(id: r.int(19), nom: r.text(20), prenom: r.text(21), telephone: r.optionalText(22),
                                        email: r.optionalText(23), adresse: r.optionalText(24), actif: r.int(25) != 0)
        var affectation: AffectationTaxe?
        if !r.isNull(26) {
            let taxe = r.isNull(33) ? nil : Taxe(id: r.int(33), nom: r.text(34), montant: Montant(centimes: r.int(35)),
                                                 periodicite: Periodicite(rawValue: r.text(36)) ?? .mensuelle)
            affectation = AffectationTaxe(id: r.int(26), contribuableID: r.int(27), taxeID: r.int(28), dateDebut: r.text(29),
                                          dateFin: r.optionalText(30), montantCustom: r.optionalInt(31).map(Montant.init(centimes:)),
                                          actif: r.int(32) != 0, taxe: taxe)
        }
        return Relance(id: r.int(0), contribuableID: r.int(1), affectationTaxeID: r.optionalInt(2),
                       type: RelanceType(rawValue: r.text(3)) ?? .sms, statut: RelanceStatut(rawValue: r.text(4)) ?? .enAttente,
                       message: r.text(5), montantDue: Montant(centimes: r.int(6)), dateEcheance: date(7), dateEnvoi: date(8),
                       datePlanifiee: date(9) ?? Date(timeIntervalSince1970: 0), dateReponse: date(10), canalEnvoi: r.optionalText(11),
                       reponseRecue: r.int(12) != 0, notes: r.optionalText(13), utilisateurID: r.optionalInt(14),
                       createdAt: date(15) ?? Date(timeIntervalSince1970: 0), updatedAt: date(16) ?? Date(timeIntervalSince1970: 0),
                       canal: r.optionalText(17), programmee: r.int(18) != 0, contribuable: contribuable, affectationTaxe: affectation,
                       acteur: r.optionalText(37))
    }

    public func relance(_ id: Int64) throws(StoreError) -> Relance? {
        try database.read { (s: Session) throws(StoreError) in
            try s.row("SELECT \(Self.relanceColumns) WHERE r.id = ?", [.int(id)], Self.relance)
        }
    }

    public func list(_ filter: RelanceFilter) throws(StoreError) -> (items: [Relance], total: Int) {
        let (whereClause, values) = Self.conditions(filter)
        return try database.read { (s: Session) throws(StoreError) in
            let total = try count(filter, whereClause: whereClause, values: values, in: s)
            let items = try s.rows("SELECT \(Self.relanceColumns) \(whereClause) ORDER BY r.date_planifiee DESC, r.id DESC LIMIT ? OFFSET ?",
                                   values + [.int(Int64(filter.limit)), .int(Int64(filter.skip))], Self.relance)
            return (items, total)
        }
    }

    /// The list's total: from the counters when the filter is one they keep (type,
    /// statut, days), so a page of a million relances does not count them one by one.
    private func count(_ filter: RelanceFilter, whereClause: String, values: [SQLValue], in s: Session) throws(StoreError) -> Int {
        guard filter.contribuableID == nil, filter.affectationTaxeID == nil, (filter.recherche ?? "").trimmingCharacters(in: .whitespaces).isEmpty else {
            return try s.row("SELECT COUNT(*) FROM relance r \(whereClause)", values) { Int($0.int(0)) } ?? 0
        }
        var conditions: [String] = []
        var counterValues: [SQLValue] = []
        if let v = filter.type { conditions.append("type_relance = ?"); counterValues.append(.text(v.rawValue)) }
        if let v = filter.statut { conditions.append("statut = ?"); counterValues.append(.text(v.rawValue)) }
        if let v = filter.dateDebut { conditions.append("jour >= ?"); counterValues.append(.text(v)) }
        if let v = filter.dateFin { conditions.append("jour <= ?"); counterValues.append(.text(v)) }
        let counterWhere = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try s.row("SELECT COALESCE(SUM(nombre), 0) FROM relance_compte \(counterWhere)", counterValues) { Int($0.int(0)) } ?? 0
    }

    public func create(_ new: NewRelance) throws(StoreError) -> Relance {
        let id = try database.transaction { (s: Session) throws(StoreError) -> Int64 in try insert(new, in: s, now: Date()) }
        guard let relance = try relance(id) else { throw StoreError.notFound("Relance non trouvée") }
        return relance
    }

    /// Creates several relances in one transaction: all or none.
    public func create(_ batch: [NewRelance], now: Date = Date()) throws(StoreError) -> [Relance] {
        let ids = try database.transaction { (s: Session) throws(StoreError) -> [Int64] in
            var ids: [Int64] = []
            for new in batch { ids.append(try insert(new, in: s, now: now)) }
            return ids
        }
        var out: [Relance] = []
        for id in ids { if let r = try relance(id) { out.append(r) } }
        return out
    }

    func insert(_ new: NewRelance, in s: Session, now: Date) throws(StoreError) -> Int64 {
        guard let who = try s.row("SELECT nom, prenom FROM contribuable WHERE id = ?", [.int(new.contribuableID)], { ($0.text(0), $0.text(1)) }) else {
            throw StoreError.notFound("Contribuable \(new.contribuableID) introuvable")
        }
        // Empty means « the office's text », never an empty message.
        let message = new.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            ? RelanceGenerator.message(nom: who.0, prenom: who.1, montant: new.montantDue, due: new.dateEcheance) : new.message
        // Checked here rather than left to the foreign key, whose failure says nothing an
        // office can act on, and which would take another taxpayer's debt.
        if let affectation = new.affectationTaxeID {
            guard let owner = try s.row("SELECT contribuable_id FROM affectation_taxe WHERE id = ?", [.int(affectation)], { $0.int(0) }) else {
                throw StoreError.notFound("Affectation de taxe \(affectation) introuvable")
            }
            guard owner == new.contribuableID else {
                throw StoreError.unprocessable(field: "affectation_taxe_id",
                                               reason: "l'affectation \(affectation) n'est pas celle du contribuable \(new.contribuableID)")
            }
        }
        let stamp = ISO8601.string(from: now)
        do {
            try s.run("""
            INSERT INTO relance (contribuable_id, affectation_taxe_id, type_relance, statut, message, montant_due, date_echeance,
                                 date_planifiee, canal_envoi, notes, utilisateur_id, periode, created_at, updated_at, programmee, acteur)
            VALUES (?,?,?,'en_attente',?,?,?,?,?,?,?,?,?,?,?,?)
            """, [.int(new.contribuableID), .optional(new.affectationTaxeID), .text(new.type.rawValue), .text(message),
                  .int(new.montantDue.centimes), .optional(new.dateEcheance.map(ISO8601.string(from:))),
                  .text(ISO8601.string(from: new.datePlanifiee)), .optional(new.canalEnvoi), .optional(new.notes),
                  .optional(new.utilisateurID), .optional(new.affectationTaxeID == nil ? nil : RelanceGenerator.week(containing: new.datePlanifiee)),
                  .text(stamp), .text(stamp), .int(new.programmee ? 1 : 0), .optional(new.acteur)])
        } catch .constraint(let why) where why.contains("relance.periode") {
            throw .keyTaken(new.type, week: RelanceGenerator.week(containing: new.datePlanifiee))
        }
        return s.lastInsertID
    }
}
