import Foundation
import Gateway
import Relances

/// A relance as the office's page expects it: snake_case names, `montant_due` as a
/// two-decimal string, ISO-8601 UTC dates or null, the nested contribuable and
/// affectation. Nulls are written, not omitted, as the existing backend does.
struct RelanceJSON: Encodable {
    let relance: Relance

    enum Key: String, CodingKey {
        case id, contribuable_id, affectation_taxe_id, type_relance, statut, message, montant_due, date_echeance, date_envoi
        case date_planifiee, date_reponse, canal_envoi, reponse_recue, notes, utilisateur_id, created_at, updated_at, canal
        case contribuable, affectation_taxe, programmee, acteur
    }

    func encode(to encoder: Encoder) throws {
        let r = relance
        var c = encoder.container(keyedBy: Key.self)
        func date(_ d: Date?, _ key: Key) throws {
            if let d { try c.encode(ISO8601.string(from: d), forKey: key) } else { try c.encodeNil(forKey: key) }
        }
        func optional<T: Encodable>(_ v: T?, _ key: Key) throws {
            if let v { try c.encode(v, forKey: key) } else { try c.encodeNil(forKey: key) }
        }
        try c.encode(r.id, forKey: .id)
        try c.encode(r.contribuableID, forKey: .contribuable_id)
        try optional(r.affectationTaxeID, .affectation_taxe_id)
        try c.encode(r.type.rawValue, forKey: .type_relance)
        try c.encode(r.statut.rawValue, forKey: .statut)
        try c.encode(r.message, forKey: .message)
        try c.encode(r.montantDue.description, forKey: .montant_due)
        try date(r.dateEcheance, .date_echeance)
        try date(r.dateEnvoi, .date_envoi)
        try date(r.datePlanifiee, .date_planifiee)
        try date(r.dateReponse, .date_reponse)
        try optional(r.canalEnvoi, .canal_envoi)
        try c.encode(r.reponseRecue, forKey: .reponse_recue)
        try optional(r.notes, .notes)
        try optional(r.utilisateurID, .utilisateur_id)
        try date(r.createdAt, .created_at)
        try date(r.updatedAt, .updated_at)
        try optional(r.canal, .canal)
        try c.encode(r.programmee, forKey: .programmee)
        try optional(r.contribuable.map(ContribuableJSON.init), .contribuable)
        try optional(r.affectationTaxe.map(AffectationJSON.init), .affectation_taxe)
        try optional(r.acteur, .acteur)
    }
}

struct ContribuableJSON: Encodable {
    let c: Contribuable
    init(_ c: Contribuable) { self.c = c }
    enum Key: String, CodingKey { case id, nom, prenom, telephone, email, adresse, actif }
    func encode(to encoder: Encoder) throws {
        var k = encoder.container(keyedBy: Key.self)
        try k.encode(c.id, forKey: .id)
        try k.encode(c.nom, forKey: .nom)
        try k.encode(c.prenom, forKey: .prenom)
        if let v = c.telephone { try k.encode(v, forKey: .telephone) } else { try k.encodeNil(forKey: .telephone) }
        if let v = c.email { try k.encode(v, forKey: .email) } else { try k.encodeNil(forKey: .email) }
        if let v = c.adresse { try k.encode(v, forKey: .adresse) } else { try k.encodeNil(forKey: .adresse) }
        try k.encode(c.actif, forKey: .actif)
    }
}

struct AffectationJSON: Encodable {
    let a: AffectationTaxe
    init(_ a: AffectationTaxe) { self.a = a }
    enum Key: String, CodingKey { case id, contribuable_id, taxe_id, date_debut, date_fin, montant_custom, actif, taxe }
    enum TaxeKey: String, CodingKey { case id, nom, montant, periodicite }
    func encode(to encoder: Encoder) throws {
        var k = encoder.container(keyedBy: Key.self)
        try k.encode(a.id, forKey: .id)
        try k.encode(a.contribuableID, forKey: .contribuable_id)
        try k.encode(a.taxeID, forKey: .taxe_id)
        try k.encode(a.dateDebut, forKey: .date_debut)
        if let v = a.dateFin { try k.encode(v, forKey: .date_fin) } else { try k.encodeNil(forKey: .date_fin) }
        if let v = a.montantCustom { try k.encode(v.description, forKey: .montant_custom) } else { try k.encodeNil(forKey: .montant_custom) }
        try k.encode(a.actif, forKey: .actif)
        if let t = a.taxe {
            var n = k.nestedContainer(keyedBy: TaxeKey.self, forKey: .taxe)
            try n.encode(t.id, forKey: .id)
            try n.encode(t.nom, forKey: .nom)
            try n.encode(t.montant.description, forKey: .montant)
            try n.encode(t.periodicite.rawValue, forKey: .periodicite)
        }
    }
}
