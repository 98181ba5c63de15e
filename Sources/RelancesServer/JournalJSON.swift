import Foundation
import Relances

/// `GET /api/relances/{id}/journal`: `tentatives` (each delivery attempt: channel, start
/// and end, `resultat`, the provider's id, the error code and detail) and `registre`
/// (its proof-of-dispatch ledger entries: masked recipient, text hash, provider id,
/// outcome, hash). Nulls written, as in the other answers.
struct JournalJSON: Encodable {
    let relanceID: Int64
    let journal: RelanceJournal

    struct AttemptJSON: Encodable {
        let a: RelanceJournal.Attempt
        enum Key: String, CodingKey { case tentative, canal, debut, fin, resultat, fournisseur_id, code_erreur, detail }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(a.attempt, forKey: .tentative)
            try c.encode(a.channel, forKey: .canal)
            try c.encode(a.startedAt, forKey: .debut)
            try c.encode(a.finishedAt, forKey: .fin)
            try c.encode(a.outcome, forKey: .resultat)
            try c.encode(a.providerID, forKey: .fournisseur_id)
            try c.encode(a.errorCode, forKey: .code_erreur)
            try c.encode(a.detail, forKey: .detail)
        }
    }

    struct EntryJSON: Encodable {
        let e: LedgerEntry
        enum Key: String, CodingKey { case seq, date, canal, destinataire, resultat, fournisseur_id, texte_sha256, hash }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(e.seq, forKey: .seq)
            try c.encode(e.at, forKey: .date)
            try c.encode(e.channel, forKey: .canal)
            try c.encode(e.recipient, forKey: .destinataire)
            try c.encode(e.outcome, forKey: .resultat)
            try c.encode(e.providerID, forKey: .fournisseur_id)
            try c.encode(e.textSHA256, forKey: .texte_sha256)
            try c.encode(e.hash, forKey: .hash)
        }
    }

    enum Key: String, CodingKey { case relance_id, tentatives, registre }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(relanceID, forKey: .relance_id)
        try c.encode(journal.attempts.map(AttemptJSON.init), forKey: .tentatives)
        try c.encode(journal.ledger.map(EntryJSON.init), forKey: .registre)
    }
}
