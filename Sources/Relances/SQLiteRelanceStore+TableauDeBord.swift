import Foundation
import Gateway

/// The dashboard's figures over a window of days: relances per day by status and by
/// type, failures by reason (with what to do), SMS sent and their segments per month.
public struct DailyStatistics: Sendable, Equatable, Encodable {
    public struct Day: Sendable, Equatable, Encodable {
        public var jour: String
        public var total: Int
        public var parStatut: [String: Int]
        public var parType: [String: Int]
        enum CodingKeys: String, CodingKey { case jour, total, parStatut = "par_statut", parType = "par_type" }
    }
    public struct Reason: Sendable, Equatable, Encodable {
        public var code: String
        public var libelle: String
        public var conseil: String
        public var nombre: Int
    }
    public struct Month: Sendable, Equatable, Encodable {
        public var mois: String
        public var sms: Int
        public var segments: Int
        /// FCFA, from the SMS channel's price; nil when it has none.
        public var coutEstime: Double?
        enum CodingKeys: String, CodingKey { case mois, sms, segments, coutEstime = "cout_estime" }
        /// `cout_estime` is null, not left out, when unpriced (as the API writes nulls).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(mois, forKey: .mois)
            try c.encode(sms, forKey: .sms)
            try c.encode(segments, forKey: .segments)
            try c.encode(coutEstime, forKey: .coutEstime)
        }
    }
    public var dateDebut: String
    public var dateFin: String
    public var jours: Int
    /// Every day of the window, oldest first, days without relances included.
    public var series: [Day]
    /// Most frequent first.
    public var motifsEchec: [Reason]
    public var smsParMois: [Month]

    enum CodingKeys: String, CodingKey {
        case dateDebut = "date_debut", dateFin = "date_fin", jours, series, motifsEchec = "motifs_echec", smsParMois = "sms_par_mois"
    }
}

/// What an SMS costs: the provider's price of a message and of a segment (FCFA).
public struct SMSPrice: Sendable, Equatable {
    public var perMessage: Double
    public var perSegment: Double
    public init(perMessage: Double = 0, perSegment: Double = 0) {
        self.perMessage = perMessage
        self.perSegment = perSegment
    }
}

/// Why relances failed, in the words of the office, with what to do about each.
public enum FailureReason: String, Sendable, CaseIterable {
    case destinataireInvalide = "destinataire_invalide"
    case sansCoordonnees = "sans_coordonnees"
    case refuse = "refuse"
    case injoignable = "injoignable"
    case reglage = "reglage"
    case messageVide = "message_vide"
    case messageTropLong = "message_trop_long"
    case autre = "autre"

    /// From the last attempt's error code (``ChannelError/code``), else the relance's note.
    init(errorCode: String, noteKind: String) {
        switch errorCode {
        case "invalid_recipient": self = .destinataireInvalide
        case "refused": self = .refuse
        case "timeout", "connection", "provider_unavailable": self = .injoignable
        case "authentication", "endpoint_not_found", "rejected", "unexpected_answer", "storage": self = .reglage
        default: self = FailureReason(rawValue: noteKind) ?? .autre
        }
    }

    public var libelle: String {
        switch self {
        case .destinataireInvalide: "Numéro ou adresse invalide"
        case .sansCoordonnees: "Aucun téléphone, e-mail ou adresse"
        case .refuse: "Refusé par l'opérateur SMS"
        case .injoignable: "Service d'envoi injoignable"
        case .reglage: "Service d'envoi mal réglé"
        case .messageVide: "Message vide"
        case .messageTropLong: "Message trop long"
        case .autre: "Autre motif"
        }
    }

    public var conseil: String {
        switch self {
        case .destinataireInvalide: "Corriger le téléphone (ou l'e-mail) avec « Modifier le contact », puis renvoyer la relance."
        case .sansCoordonnees: "Ajouter le contact manquant avec « Modifier le contact », puis renvoyer la relance."
        case .refuse: "Vérifier le numéro et le texte ; si le refus continue, prévenir le service informatique avec la note de la relance."
        case .injoignable: "Renvoyer plus tard ; si cela dure plus d'une heure, prévenir le service informatique."
        case .reglage: "Prévenir le service informatique (identifiants ou adresse du fournisseur) ; renvoyer une fois réglé."
        case .messageVide: "Écrire le texte de la relance (ou le laisser vide pour le modèle du service), puis renvoyer."
        case .messageTropLong: "Raccourcir le texte pour tenir dans le nombre de SMS permis, puis renvoyer."
        case .autre: "Lire la note de la relance (« Détail ») ; en cas de doute, prévenir le service informatique."
        }
    }
}

extension SQLiteRelanceStore {
    /// The dashboard's figures for the `days` days ending on `today` (UTC days of
    /// `date_planifiee`, as the statistics). Read from the per-day counters by a range
    /// of their day index, failures from the relances of the window by the status index,
    /// SMS from their partial index and its segment counts: nothing is read once per day.
    public func dailyStatistics(days: Int, today: Date, smsPrice: SMSPrice?) throws(StoreError) -> DailyStatistics {
        let lastDay = Int((today.timeIntervalSince1970 / 86_400).rounded(.down))
        let dayNames = ((lastDay - days + 1)...lastDay).map { n -> String in
            let (y, m, d) = CivilDate.fromDays(n)
            return String(format: "%04d-%02d-%02d", y, m, d)
        }
        let (from, to) = (dayNames.first!, dayNames.last!)
        let range: [SQLValue] = [.text(from + "T00:00:00Z"), .text(to + "T23:59:59Z")]
        try countSegments(range)
        return try database.withConnection { (s: Session) throws(StoreError) in
            var byDay: [String: DailyStatistics.Day] = [:]
            for name in dayNames { byDay[name] = .init(jour: name, total: 0, parStatut: [:], parType: [:]) }
            let counts = try s.rows("""
                SELECT jour, statut, type_relance, SUM(nombre) FROM relance_compte INDEXED BY relance_compte_jour
                WHERE jour BETWEEN ? AND ? GROUP BY 1, 2, 3
                """, [.text(from), .text(to)]) { ($0.text(0), $0.text(1), $0.text(2), Int($0.int(3))) }
            for (day, statut, type, n) in counts where n != 0 {
                byDay[day]?.total += n
                byDay[day]?.parStatut[statut, default: 0] += n
                byDay[day]?.parType[type, default: 0] += n
            }
            var reasons: [FailureReason: Int] = [:]
            let failures = try s.rows("""
                SELECT COALESCE((SELECT a.error_code FROM delivery_attempt a WHERE a.relance_id = r.id AND a.error_code IS NOT NULL
                                 ORDER BY a.id DESC LIMIT 1), ''),
                       CASE WHEN r.notes LIKE 'Aucun(e)%' THEN 'sans_coordonnees' WHEN r.notes LIKE 'Destinataire invalide%' THEN 'destinataire_invalide'
                            WHEN r.notes LIKE 'Message vide%' THEN 'message_vide' WHEN r.notes LIKE 'Message trop long%' THEN 'message_trop_long'
                            ELSE 'autre' END,
                       COUNT(*)
                FROM relance r WHERE r.statut = 'echec' AND r.date_planifiee BETWEEN ? AND ? GROUP BY 1, 2
                """, range) { ($0.text(0), $0.text(1), Int($0.int(2))) }
            for (code, note, n) in failures { reasons[FailureReason(errorCode: code, noteKind: note), default: 0] += n }
            let ranked = reasons.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            var months: [String: (sms: Int, segments: Int)] = [:]
            let sent = try s.rows("""
                SELECT substr(COALESCE(date_envoi, date_planifiee), 1, 7), COUNT(*), SUM(segments) FROM relance INDEXED BY relance_sms_envoyee
                WHERE statut = 'envoyee' AND type_relance = 'sms' AND date_planifiee BETWEEN ? AND ? GROUP BY 1
                """, range) { ($0.text(0), Int($0.int(1)), Int($0.int(2))) }
            for (month, n, segments) in sent { months[month] = (n, segments) }
            let smsMonths = months.keys.sorted().map { month -> DailyStatistics.Month in
                let m = months[month]!
                let cost = smsPrice.map { ((Double(m.sms) * $0.perMessage + Double(m.segments) * $0.perSegment) * 100).rounded() / 100 }
                return .init(mois: month, sms: m.sms, segments: m.segments, coutEstime: cost)
            }
            return DailyStatistics(dateDebut: from, dateFin: to, jours: days, series: dayNames.map { byDay[$0]! },
                                   motifsEchec: ranked.map { .init(code: $0.key.rawValue, libelle: $0.key.libelle, conseil: $0.key.conseil, nombre: $0.value) },
                                   smsParMois: smsMonths)
        }
    }

    /// Counts, once, the segments of the sent SMS of the window that have none yet (sent
    /// since the last look, or whose text changed): a few thousand after a campaign, none
    /// the next time. The count is the text's (``SMSText``), as the pre-flight's. Several
    /// dashboards opened at once wait for the first one's count instead of repeating it.
    func countSegments(_ range: [SQLValue]) throws(StoreError) {
        try segmentCounting.withLock { _ throws(StoreError) in try countMissingSegments(range) }
    }

    private func countMissingSegments(_ range: [SQLValue]) throws(StoreError) {
        let missing = """
            SELECT id, message FROM relance INDEXED BY relance_sms_envoyee
            WHERE statut = 'envoyee' AND type_relance = 'sms' AND date_planifiee BETWEEN ? AND ? AND segments IS NULL LIMIT 1000
            """
        while true {
            let batch = try database.withConnection { (s: Session) throws(StoreError) in
                try s.rows(missing, range) { ($0.int(0), SMSText.segments($0.text(1))) }
            }
            if batch.isEmpty { return }
            try database.transaction { (s: Session) throws(StoreError) in
                for (id, segments) in batch { try s.run("UPDATE relance SET segments = ? WHERE id = ?", [.int(Int64(segments)), .int(id)]) }
            }
            if batch.count < 1000 { return }
        }
    }

    /// Every relance the filter selects (its `skip` and `limit` aside), newest first,
    /// one at a time to `row`, at most `maximum`: false, having given none, when more
    /// match (an export of the whole history is refused, not cut short unsaid).
    public func forEachRelance(_ filter: RelanceFilter, maximum: Int, _ row: (Relance) -> Void) throws(StoreError) -> Bool {
        let (whereClause, values) = Self.conditions(filter)
        return try database.withConnection { (s: Session) throws(StoreError) -> Bool in
            let count = try s.row("SELECT COUNT(*) FROM (SELECT 1 FROM relance r \(whereClause) LIMIT ?)",
                                  values + [.int(Int64(maximum) + 1)]) { Int($0.int(0)) } ?? 0
            guard count <= maximum else { return false }
            let all = try s.prepare("SELECT \(Self.relanceColumns) \(whereClause) ORDER BY r.date_planifiee DESC, r.id DESC")
            try all.bind(values)
            while try all.step() { row(Self.relance(all)) }
            return true
        }
    }

    /// The WHERE clause of the list's filters (``RelanceFilter``), over `relance r`;
    /// `recherche` finds the taxpayer by name or phone as ``searchContribuables`` does.
    static func conditions(_ filter: RelanceFilter) -> (String, [SQLValue]) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let v = filter.contribuableID { conditions.append("r.contribuable_id = ?"); values.append(.int(v)) }
        if let v = filter.affectationTaxeID { conditions.append("r.affectation_taxe_id = ?"); values.append(.int(v)) }
        if let v = filter.type { conditions.append("r.type_relance = ?"); values.append(.text(v.rawValue)) }
        if let v = filter.statut { conditions.append("r.statut = ?"); values.append(.text(v.rawValue)) }
        if let v = filter.dateDebut { conditions.append("r.date_planifiee >= ?"); values.append(.text(v + "T00:00:00Z")) }
        if let v = filter.dateFin { conditions.append("r.date_planifiee <= ?"); values.append(.text(v + "T23:59:59Z")) }
        if let match = filter.recherche.flatMap(SearchKey.match) {
            conditions.append("r.contribuable_id IN (SELECT id FROM contribuable WHERE \(match.sql))")
            values += match.values
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }
}
