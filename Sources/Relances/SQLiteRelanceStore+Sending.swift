import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// The claim: `envoi_en_cours`, whose, until when, not yet handed to a channel.
    /// A claim: whose it is and until when, and who had it sent (nil keeps the last one).
    static let claimSQL = """
        UPDATE relance SET statut = 'envoi_en_cours', updated_at = ?, envoi_par = ?, envoi_bail = ?, envoi_remis = 0,
                           acteur = COALESCE(?, acteur), utilisateur_id = COALESCE(?, utilisateur_id)
        """

    static func claimValues(now: Date, owner: ClaimOwner, acteur: String?) -> [SQLValue] {
        [.text(ISO8601.string(from: now)), .text(owner.token), .text(ISO8601.string(from: now.addingTimeInterval(ClaimOwner.lease))),
         .optional(acteur), .optional(Relance.utilisateurID(forActeur: acteur))]
    }

    /// Extends the lease of `owner`'s claims: its batch is still running.
    public func renewClaims(of owner: ClaimOwner, now: Date) throws(StoreError) {
        try database.withConnection { (s: Session) throws(StoreError) in
            _ = try s.run("UPDATE relance SET envoi_bail = ? WHERE statut = 'envoi_en_cours' AND envoi_par = ?",
                          [.text(ISO8601.string(from: now.addingTimeInterval(ClaimOwner.lease))), .text(owner.token)])
        }
    }

    /// Writes records in one transaction, in order: all of them or none. The sending
    /// path's only writer, whether it writes one record or a batch's group of results.
    /// Every attempt also gets its ledger entry, chained in the same transaction.
    public func write(_ records: [SendRecord], now: Date) throws(StoreError) {
        guard !records.isEmpty else { return }
        let stamp = ISO8601.string(from: now)
        try database.transaction { (s: Session) throws(StoreError) in
            // Prepared once per group: looking a statement up by its text for every
            // record costs more than binding it.
            let attempt = try s.prepare(Self.insertAttempt), sent = try s.prepare(Self.markSent), bump = try s.prepare(Self.bumpDossier)
            let failed = try s.prepare(Self.markFailed), release = try s.prepare(Self.release)
            let handOff = try s.prepare(Self.insertHandOff), handed = try s.prepare(Self.markHanded)
            let fillHandOff = try s.prepare(Self.fillHandOff), dropHandOff = try s.prepare(Self.dropHandOff)
            let acteur = try s.prepare("SELECT acteur FROM relance WHERE id = ?")
            func run(_ statement: Statement, _ values: [SQLValue]) throws(StoreError) {
                try statement.bind(values)
                while try statement.step() {}
            }
            // A hand-off row nothing tried (a closed window, no route, a shutdown) goes
            // once its send has ended: it was no attempt.
            func ended(_ id: Int64) throws(StoreError) { try run(dropHandOff, [.int(id)]) }
            var entries: [LedgerEntry] = []
            for record in records {
                switch record {
                case .handOff(let id, let channel, let at):
                    try run(handOff, [.int(id), .text(channel), .text(ISO8601.string(from: at)), .text(ISO8601.string(from: at))])
                    try run(handed, [.int(id)])
                case .attempt(let a, let id, let recipient, let text):
                    let outcome: String, providerID: String?, code: String?, detail: String?
                    switch a.result {
                    case .success(let receipt): (outcome, providerID, code, detail) = ("sent", receipt.messageID, nil, receipt.providerAnswer)
                    case .failure(let error): (outcome, providerID, code, detail) = ("failed", nil, error.code, error.description)
                    }
                    let values: [SQLValue] = [.int(Int64(a.number)), .text(a.channel), .text(ISO8601.string(from: a.startedAt)),
                                              .text(ISO8601.string(from: a.finishedAt)), .text(outcome), .optional(providerID), .optional(code),
                                              .optional(detail), .int(id)]
                    // The first attempt completes the row its hand-off wrote; later ones add theirs.
                    try run(fillHandOff, values)
                    if s.changes == 0 { try run(attempt, [values[8]] + values[0..<8]) }
                    var sent = (recipient: recipient ?? "", text: text ?? "")
                    if recipient == nil || text == nil, let stored = try Self.sentTo(id, in: s) {
                        sent = (recipient ?? stored.recipient, text ?? stored.text)
                    }
                    // Who had it sent, as the claim recorded it on the relance.
                    try acteur.bind([.int(id)])
                    var entry = LedgerEntry(a, relanceID: id, recipient: sent.recipient, text: sent.text)
                    while try acteur.step() { entry.acteur = acteur.optionalText(0) ?? "" }
                    entries.append(entry)
                case .outcome(let id, .sent(let channel, let recipient, let note, let at)):
                    try run(sent, [.text(ISO8601.string(from: at)), .text(recipient), .text(channel), .text(note), .text(stamp), .int(id)])
                    try run(bump, [.text(stamp), .int(id)])
                    try ended(id)
                case .outcome(let id, .failed(let note)):
                    try run(failed, [.text(note), .text(stamp), .int(id)])
                    try ended(id)
                case .release(let id, let statut, let datePlanifiee):
                    try run(release, [.text(statut.rawValue), .optional(datePlanifiee.map(ISO8601.string(from:))),
                                      .int(datePlanifiee == nil ? 0 : 1), .text(stamp), .int(id)])
                    try ended(id)
                }
            }
            try Ledger.append(entries, in: s)
        }
    }

    static let insertAttempt = """
        INSERT INTO delivery_attempt (relance_id, attempt, channel, started_at, finished_at, outcome, provider_id, error_code, detail)
        VALUES (?,?,?,?,?,?,?,?,?)
        """
    /// A hand-off: the attempt row, written (and committed) before the network call, so
    /// a crash after it is an outcome to check, and a crash before it is a relance never sent.
    static let insertHandOff = """
        INSERT INTO delivery_attempt (relance_id, attempt, channel, started_at, finished_at, outcome, detail)
        VALUES (?, 1, ?, ?, ?, 'remis', 'remis au canal ; résultat pas encore connu')
        """
    static let markHanded = "UPDATE relance SET envoi_remis = 1 WHERE id = ?"
    static let fillHandOff = """
        UPDATE delivery_attempt SET attempt = ?, channel = ?, started_at = ?, finished_at = ?, outcome = ?, provider_id = ?, error_code = ?, detail = ?
        WHERE id = (SELECT id FROM delivery_attempt WHERE relance_id = ? AND outcome = 'remis' ORDER BY id DESC LIMIT 1)
        """
    static let dropHandOff = "DELETE FROM delivery_attempt WHERE relance_id = ? AND outcome = 'remis'"
    static let endClaim = "envoi_par = NULL, envoi_bail = NULL, envoi_remis = 0"
    static let markSent = "UPDATE relance SET statut = 'envoyee', date_envoi = ?, canal_envoi = ?, canal = ?, notes = ?, updated_at = ?, \(endClaim) WHERE id = ?"
    static let bumpDossier = """
        UPDATE dossier_impaye SET nombre_relances = nombre_relances + 1, dernier_contact = ?
        WHERE statut = 'ouvert' AND affectation_taxe_id = (SELECT affectation_taxe_id FROM relance WHERE id = ?)
        """
    static let markFailed = "UPDATE relance SET statut = 'echec', notes = ?, updated_at = ?, \(endClaim) WHERE id = ?"
    /// Put back, nothing sent. Put off by a send window (a new planned date), it stays
    /// scheduled: someone asked for it to go, and it goes at the opening.
    static let release = """
        UPDATE relance SET statut = ?, date_planifiee = COALESCE(?, date_planifiee), programmee = MAX(programmee, ?), updated_at = ?, \(endClaim)
        WHERE id = ? AND statut = 'envoi_en_cours'
        """

    /// Claims a group of relances in one transaction (see ``RelanceStore``): an UPDATE
    /// each, so no other sender can take them.
    public func claim(_ ids: [Int64], now: Date, reserve: Bool = true, owner: ClaimOwner = .thisProcess(), acteur: String? = nil,
                      resend: Bool = false, routable: (RelanceType) -> Bool) throws(StoreError) -> BatchClaim {
        guard !ids.isEmpty else { return BatchClaim() }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try database.transaction { (s: Session) throws(StoreError) -> BatchClaim in
            var rows: [Int64: (ClaimedRelance, RelanceStatut)] = [:]
            let found = try s.prepare("""
                SELECT r.id, r.statut, r.type_relance, r.message, r.canal_envoi, r.contribuable_id, c.telephone, c.email, c.adresse,
                       c.nom, c.prenom, r.montant_due, r.date_echeance, t.nom
                FROM relance r JOIN contribuable c ON c.id = r.contribuable_id
                LEFT JOIN affectation_taxe a ON a.id = r.affectation_taxe_id LEFT JOIN taxe t ON t.id = a.taxe_id
                WHERE r.id IN (SELECT value FROM json_each(?))
                """)
            try found.bind([.text(list)])
            while try found.step() {
                let type = RelanceType(rawValue: found.text(2)) ?? .sms
                let statut = RelanceStatut(rawValue: found.text(1)) ?? .enAttente
                let contribuable = Contribuable(id: found.int(5), nom: "", prenom: "", telephone: found.optionalText(6),
                                                email: found.optionalText(7), adresse: found.optionalText(8))
                rows[found.int(0)] = (ClaimedRelance(id: found.int(0), type: type, message: found.text(3),
                                                     recipient: contribuable.recipient(for: type, override: found.optionalText(4)),
                                                     contribuableID: contribuable.id, previous: statut,
                                                     details: ClaimedRelance.details(id: found.int(0), nom: found.text(9), prenom: found.text(10),
                                                                                     montant: Montant(centimes: found.int(11)),
                                                                                     echeance: found.optionalText(12), taxe: found.optionalText(13))), statut)
            }
            var result = BatchClaim()
            var claimable: [Int64] = []
            for id in ids {
                guard let (relance, statut) = rows[id] else { result.refused.append((id, .notFound)); continue }
                if let why = BatchClaim.refusal(statut: statut, type: relance.type, resend: resend, routable: routable) {
                    result.refused.append((id, why))
                } else {
                    claimable.append(id)
                }
            }
            guard reserve else {
                result.claimed = claimable.compactMap { rows[$0]?.0 }
                return result
            }
            let update = try s.prepare("\(Self.claimSQL) WHERE id = ? AND (statut IN ('en_attente','echec') OR (? AND statut = 'envoyee'))")
            let values = Self.claimValues(now: now, owner: owner, acteur: acteur)
            for id in claimable {
                try update.bind(values + [.int(id), .int(resend ? 1 : 0)])
                while try update.step() {}
                if s.changes == 1, let (relance, _) = rows[id] { result.claimed.append(relance) } else { result.refused.append((id, .inProgress)) }
            }
            return result
        }
    }

    /// A relance left `envoi_en_cours` whose last recorded attempt was accepted by its
    /// channel (the attempt was written, the outcome was lost): marks it `envoyee` from
    /// that attempt, with its provider id, instead of letting anyone send it again.
    /// False, changing nothing, when its last attempt is not an accepted one.
    public func settleFromLastAttempt(_ id: Int64, now: Date) throws(StoreError) -> Bool {
        try database.transaction { (s: Session) throws(StoreError) -> Bool in
            guard let last = try s.row("""
                    SELECT a.channel, a.provider_id, a.finished_at, a.outcome FROM delivery_attempt a JOIN relance r ON r.id = a.relance_id
                    WHERE a.relance_id = ? AND r.statut = 'envoi_en_cours' ORDER BY a.id DESC LIMIT 1
                    """, [.int(id)], { ($0.text(0), $0.optionalText(1), $0.text(2), $0.text(3)) }),
                  last.3 == "sent" else { return false }
            let recipient = try Self.sentTo(id, in: s)?.recipient ?? ""
            let note = "Envoyé via \(last.0). ID: \(last.1 ?? "?") (résultat rétabli par `relances recover` d'après la tentative enregistrée)"
            let stamp = ISO8601.string(from: now)
            try s.run(Self.markSent, [.text(last.2), .text(recipient), .text(last.0), .text(note), .text(stamp), .int(id)])
            try s.run(Self.bumpDossier, [.text(stamp), .int(id)])
            return true
        }
    }

    /// Relances a crash left claimed: neither sent nor failed as far as the store knows.
    public func inProgress() throws(StoreError) -> [Int64] {
        try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id FROM relance WHERE statut = 'envoi_en_cours' ORDER BY id") { $0.int(0) }
        }
    }

    /// Read from the counters the triggers keep per day, status, type and channel
    /// (schema v2): a few hundred rows, whatever the number of relances.
    public func statistics(from: String?, to: String?) throws(StoreError) -> RelanceStatistics {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let from { conditions.append("jour >= ?"); values.append(.text(from)) }
        if let to { conditions.append("jour <= ?"); values.append(.text(to)) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.read { (s: Session) throws(StoreError) in
            var byStatut: [String: Int] = [:], byType: [String: Int] = [:], byChannel: [String: Int] = [:]
            var answered = 0
            let rows = try s.rows("SELECT statut, type_relance, canal, SUM(reponses), SUM(nombre) FROM relance_compte \(whereClause) GROUP BY 1, 2, 3", values) {
                ($0.text(0), $0.text(1), $0.text(2), Int($0.int(3)), Int($0.int(4)))
            }
            for (statut, type, channel, answers, count) in rows where count != 0 {
                byStatut[statut, default: 0] += count
                byType[type, default: 0] += count
                if !channel.isEmpty { byChannel[channel, default: 0] += count }
                if statut == "envoyee" { answered += answers }
            }
            for type in RelanceType.allCases where byType[type.rawValue] == nil { byType[type.rawValue] = 0 }
            let sent = byStatut["envoyee"] ?? 0
            let rate = sent == 0 ? 0 : (Double(answered) / Double(sent) * 10_000).rounded() / 100
            return RelanceStatistics(totalRelances: byStatut.values.reduce(0, +), relancesEnvoyees: sent,
                                     relancesEnAttente: byStatut["en_attente"] ?? 0, relancesEchec: byStatut["echec"] ?? 0,
                                     relancesAvecReponse: answered, tauxReponse: rate, parType: byType, parCanal: byChannel)
        }
    }
}
