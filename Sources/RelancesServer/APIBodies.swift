import Foundation
import Relances

/// `POST /api/relances`
struct CreateBody: Decodable {
    var contribuable_id: Int64
    var type_relance: String
    var montant_due: Montant?
    var date_planifiee: String
    var affectation_taxe_id: Int64?
    var message: String?
    var date_echeance: String?
    var canal_envoi: String?
    var notes: String?
    var utilisateur_id: Int64?
}

/// `PUT /api/relances/{id}`: every field optional; a field given as null is cleared.
struct UpdateBody: Decodable {
    var statut: String?
    var date_envoi: String??
    var reponse_recue: Bool?
    var date_reponse: String??
    var notes: String??

    enum CodingKeys: String, CodingKey { case statut, date_envoi, reponse_recue, date_reponse, notes }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        statut = try c.decodeIfPresent(String.self, forKey: .statut)
        reponse_recue = try c.decodeIfPresent(Bool.self, forKey: .reponse_recue)
        date_envoi = c.contains(.date_envoi) ? .some(try c.decodeIfPresent(String.self, forKey: .date_envoi)) : nil
        date_reponse = c.contains(.date_reponse) ? .some(try c.decodeIfPresent(String.self, forKey: .date_reponse)) : nil
        notes = c.contains(.notes) ? .some(try c.decodeIfPresent(String.self, forKey: .notes)) : nil
    }
}

/// `POST /api/relances/manuelles`
struct ManualBody: Decodable {
    struct Item: Decodable {
        var contribuable_id: Int64
        var telephone_override: String?
        var montant_due: Montant?
        var date_echeance: String?
        var message: String?
        var notes: String?

        /// The same taxpayer named again: what the first mention left out.
        mutating func merge(_ other: Item) {
            telephone_override = telephone_override ?? other.telephone_override
            montant_due = montant_due ?? other.montant_due
            date_echeance = date_echeance ?? other.date_echeance
            message = message ?? other.message
            notes = notes ?? other.notes
        }
    }
    var type_relance: String
    var message: String?
    var montant_due: Montant?
    var date_echeance: String?
    var date_planifiee: String?
    var utilisateur_id: Int64?
    var notes: String?
    var contribuables: [Item]
}

/// `POST /api/relances/generer-automatique` as a JSON body (numbers or strings accepted).
struct GenerateBody: Decodable {
    var values: [String: String] = [:]

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys {
            if let b = try? c.decode(Bool.self, forKey: key) { values[key.stringValue] = String(b) }
            else if let n = try? c.decode(Int.self, forKey: key) { values[key.stringValue] = String(n) }
            else if let s = try? c.decode(String.self, forKey: key) { values[key.stringValue] = s }
            else if (try? c.decodeNil(forKey: key)) == true { continue }
            else { throw DecodingError.typeMismatch(String.self, .init(codingPath: [key], debugDescription: "valeur simple attendue")) }
        }
    }
}

/// `PATCH /api/relances/{id}/envoyer`: no body, or `{"renvoyer": true}` to send a sent one again.
struct SendBody: Decodable {
    var renvoyer: Bool?
}

/// `POST /api/relances/envoyer`: the relances to send as one run.
struct SendManyBody: Decodable {
    var ids: [Int64]?
}

/// Its answer: what the run did, and why each one not sent was not.
struct SendManyAnswer: Encodable {
    struct NotSent: Encodable { var id: Int64; var raison: String }
    var envoyees: Int
    var echecs: Int
    /// Outside the sending hours: back `en_attente`, planned for the opening.
    var reportees: Int
    var non_envoyees: [NotSent]
    /// Sent or failed, but not written (full disk…): `relances recover` settles them.
    var non_enregistrees: Int
}

/// `PATCH /api/relances/{id}/programmer`
struct ScheduleBody: Decodable {
    var date_planifiee: String?
}

/// `PATCH /api/relances/{id}/effectuee`
struct DoneBody: Decodable {
    var notes: String?
}
