import Foundation
import Gateway

extension SQLiteRelanceStore {
    public func claim(_ id: Int64, now: Date) throws(StoreError) -> ClaimResult {
        try database.withConnection { (s: Session) throws(StoreError) -> ClaimResult in
            let changed = try s.run("UPDATE relance SET statut = 'envoi_en_cours', updated_at = ? WHERE id = ? AND statut IN ('en_attente','echec')",
                                    [.text(ISO8601.string(from: now)), .int(id)])
            if changed == 1 {
                guard var relance = try s.row("SELECT \(Self.relanceColumns) WHERE r.id = ?", [.int(id)], Self.relance) else { return .notFound }
                relance.statut = .envoiEnCours
                return .claimed(relance)
            }
            guard let statut = try s.row("SELECT statut FROM relance WHERE id = ?", [.int(id)], { $0.text(0) }) else { return .notFound }
            switch RelanceStatut(rawValue: statut) {
            case .envoyee: return .alreadySent
            case .annulee: return .cancelled
            default: return .inProgress
            }
        }
    }

    public func release(_ id: Int64, to statut: RelanceStatut, datePlanifiee: Date?, now: Date) throws(StoreError) {
        try database.withConnection { (s: Session) throws(StoreError) -> Void in
            _ = try s.run("UPDATE relance SET statut = ?, date_planifiee = COALESCE(?, date_planifiee), updated_at = ? WHERE id = ? AND statut = 'envoi_en_cours'",
                      [.text(statut.rawValue), .optional(datePlanifiee.map(ISO8601.string(from:))), .text(ISO8601.string(from: now)), .int(id)])
        }
    }

    public func record(_ attempt: DeliveryAttempt, relanceID: Int64) throws(StoreError) {
        try record(attempt, relanceID: relanceID, recipient: nil, text: nil)
    }

    /// Writes one delivery attempt and its ledger entry, in one transaction. `recipient`
    /// and `text` are what was sent (the delivery's); when nil they are read from the
    /// relance, as the sender builds them.
    public func record(_ attempt: DeliveryAttempt, relanceID: Int64, recipient: String?, text: String?) throws(StoreError) {
        let outcome: String, providerID: String?, code: String?, detail: String?
        switch attempt.result {
        case .success(let receipt): (outcome, providerID, code, detail) = ("sent", receipt.messageID, nil, receipt.providerAnswer)
        case .failure(let error): (outcome, providerID, code, detail) = ("failed", nil, error.code, error.description)
        }
        try database.transaction { (s: Session) throws(StoreError) -> Void in
            _ = try s.run("INSERT INTO delivery_attempt (relance_id, attempt, channel, started_at, finished_at, outcome, provider_id, error_code, detail) VALUES (?,?,?,?,?,?,?,?,?)",
                      [.int(relanceID), .int(Int64(attempt.number)), .text(attempt.channel), .text(ISO8601.string(from: attempt.startedAt)),
                       .text(ISO8601.string(from: attempt.finishedAt)), .text(outcome), .optional(providerID), .optional(code), .optional(detail)])
            var sent = (recipient: recipient ?? "", text: text ?? "")
            if recipient == nil || text == nil, let stored = try Self.sentTo(relanceID, in: s) {
                sent = (recipient ?? stored.recipient, text ?? stored.text)
            }
            try Ledger.append([LedgerEntry(attempt, relanceID: relanceID, recipient: sent.recipient, text: sent.text)], in: s)
        }
    }

    public func finish(_ id: Int64, outcome: SendOutcome, now: Date) throws(StoreError) {
        let stamp = ISO8601.string(from: now)
        try database.transaction { (s: Session) throws(StoreError) in
            switch outcome {
            case .sent(let channel, let recipient, let note, let at):
                try s.run("UPDATE relance SET statut = 'envoyee', date_envoi = ?, canal_envoi = ?, canal = ?, notes = ?, updated_at = ? WHERE id = ?",
                          [.text(ISO8601.string(from: at)), .text(recipient), .text(channel), .text(note), .text(stamp), .int(id)])
                try s.run("""
                    UPDATE dossier_impaye SET nombre_relances = nombre_relances + 1, dernier_contact = ?
                    WHERE statut = 'ouvert' AND affectation_taxe_id = (SELECT affectation_taxe_id FROM relance WHERE id = ?)
                    """, [.text(stamp), .int(id)])
            case .failed(let note):
                try s.run("UPDATE relance SET statut = 'echec', notes = ?, updated_at = ? WHERE id = ?", [.text(note), .text(stamp), .int(id)])
            }
        }
    }

    public func pending(limit: Int, now: Date) throws(StoreError) -> [Int64] {
        try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id FROM relance WHERE statut = 'en_attente' AND date_planifiee <= ? ORDER BY date_planifiee, id LIMIT ?",
                       [.text(ISO8601.string(from: now)), .int(Int64(limit))]) { $0.int(0) }
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
        return try database.withConnection { (s: Session) throws(StoreError) in
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
