import Foundation
import Gateway
import Relances

/// The relance JSON written byte by byte for the list and the detail: the same bytes as
/// ``RelanceJSON``'s `Encodable` through `HTTPJSON.encoder` (a test compares the two on
/// a corpus), without the encoder's boxing of every value, which was more than half of
/// the CPU of a list of 20.
extension RelanceJSON {
    /// `{"items":[…],"total":…,"skip":…,"limit":…}`, the list's answer.
    static func listBody(_ items: [Relance], total: Int, skip: Int, limit: Int) -> Data {
        var out = JSONBytes(capacity: 256 + items.count * 900)
        out.raw("{\"items\":[")
        for (i, relance) in items.enumerated() {
            if i > 0 { out.byte(UInt8(ascii: ",")) }
            RelanceJSON(relance: relance).write(&out)
        }
        out.raw("],\"total\":"); out.int(Int64(total))
        out.raw(",\"skip\":"); out.int(Int64(skip))
        out.raw(",\"limit\":"); out.int(Int64(limit))
        out.byte(UInt8(ascii: "}"))
        return out.data
    }

    /// One relance, the detail's answer.
    var body: Data {
        var out = JSONBytes(capacity: 1024)
        write(&out)
        return out.data
    }

    /// The keys in ``encode(to:)``'s order.
    func write(_ out: inout JSONBytes) {
        let r = relance
        out.raw("{\"id\":"); out.int(r.id)
        out.raw(",\"contribuable_id\":"); out.int(r.contribuableID)
        out.raw(",\"affectation_taxe_id\":"); out.int(r.affectationTaxeID)
        out.raw(",\"type_relance\":"); out.string(r.type.rawValue)
        out.raw(",\"statut\":"); out.string(r.statut.rawValue)
        out.raw(",\"message\":"); out.string(r.message)
        out.raw(",\"montant_due\":"); out.string(r.montantDue.description)
        out.raw(",\"date_echeance\":"); out.date(r.dateEcheance)
        out.raw(",\"date_envoi\":"); out.date(r.dateEnvoi)
        out.raw(",\"date_planifiee\":"); out.date(r.datePlanifiee)
        out.raw(",\"date_reponse\":"); out.date(r.dateReponse)
        out.raw(",\"canal_envoi\":"); out.string(r.canalEnvoi)
        out.raw(",\"reponse_recue\":"); out.bool(r.reponseRecue)
        out.raw(",\"notes\":"); out.string(r.notes)
        out.raw(",\"utilisateur_id\":"); out.int(r.utilisateurID)
        out.raw(",\"created_at\":"); out.date(r.createdAt)
        out.raw(",\"updated_at\":"); out.date(r.updatedAt)
        out.raw(",\"canal\":"); out.string(r.canal)
        out.raw(",\"programmee\":"); out.bool(r.programmee)
        out.raw(",\"contribuable\":")
        if let c = r.contribuable {
            out.raw("{\"id\":"); out.int(c.id)
            out.raw(",\"nom\":"); out.string(c.nom)
            out.raw(",\"prenom\":"); out.string(c.prenom)
            out.raw(",\"telephone\":"); out.string(c.telephone)
            out.raw(",\"email\":"); out.string(c.email)
            out.raw(",\"adresse\":"); out.string(c.adresse)
            out.raw(",\"actif\":"); out.bool(c.actif)
            out.byte(UInt8(ascii: "}"))
        } else {
            out.raw("null")
        }
        out.raw(",\"affectation_taxe\":")
        if let a = r.affectationTaxe {
            out.raw("{\"id\":"); out.int(a.id)
            out.raw(",\"contribuable_id\":"); out.int(a.contribuableID)
            out.raw(",\"taxe_id\":"); out.int(a.taxeID)
            out.raw(",\"date_debut\":"); out.string(a.dateDebut)
            out.raw(",\"date_fin\":"); out.string(a.dateFin)
            out.raw(",\"montant_custom\":"); out.string(a.montantCustom?.description)
            out.raw(",\"actif\":"); out.bool(a.actif)
            // As the encoder: no `taxe` key at all when the tax was not read.
            if let t = a.taxe {
                out.raw(",\"taxe\":{\"id\":"); out.int(t.id)
                out.raw(",\"nom\":"); out.string(t.nom)
                out.raw(",\"montant\":"); out.string(t.montant.description)
                out.raw(",\"periodicite\":"); out.string(t.periodicite.rawValue)
                out.byte(UInt8(ascii: "}"))
            }
            out.byte(UInt8(ascii: "}"))
        } else {
            out.raw("null")
        }
        out.raw(",\"acteur\":"); out.string(r.acteur)
        out.byte(UInt8(ascii: "}"))
    }
}

/// JSON text written into a byte buffer, escaped as Foundation's `JSONEncoder` escapes
/// it with `.withoutEscapingSlashes`: `"` and `\` escaped, `\b \f \n \r \t` by name,
/// the other controls as `\u00xx` (lowercase), everything else as its UTF-8 bytes.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var data: Data { Data(bytes) }

    mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// Text known to need no escaping (keys, punctuation).
    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func int(_ v: Int64) { bytes.append(contentsOf: String(v).utf8) }

    mutating func int(_ v: Int64?) {
        if let v { int(v) } else { raw("null") }
    }

    mutating func bool(_ v: Bool) { v ? raw("true") : raw("false") }

    mutating func date(_ d: Date?) {
        if let d { string(ISO8601.string(from: d)) } else { raw("null") }
    }

    mutating func string(_ s: String?) {
        if let s { string(s) } else { raw("null") }
    }

    mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                switch b {
                case 0x22: raw("\\\"")
                case 0x5C: raw("\\\\")
                case 0x08: raw("\\b")
                case 0x0C: raw("\\f")
                case 0x0A: raw("\\n")
                case 0x0D: raw("\\r")
                case 0x09: raw("\\t")
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
