import Foundation
import Gateway
import HTTP
@testable import Relances
@testable import RelancesServer
import Testing

/// The list's and the detail's JSON, written byte by byte, against `JSONEncoder`'s on a
/// corpus of awkward values: the same bytes, member for member. Only the order of an
/// object's members may differ: the encoder's follows its dictionary's hashing, which
/// changes with every process, so both are compared with members sorted by key.
@Suite struct RelanceJSONWriterTests {
    /// The list's answer as it was encoded before it was written directly.
    struct ListAnswer: Encodable {
        var items: [RelanceJSON]
        var total: Int
        var skip: Int
        var limit: Int
    }

    static let awkward = [
        "", "Éléonore Ndong-Mba", "guillemets \" et \\ barre", "a/b </script>", "ligne\nretour\r\ttab",
        "\u{0}\u{1}\u{7}\u{8}\u{b}\u{c}\u{e}\u{1f}\u{7f}", "emoji 🇬🇦👍🏽 et 𝄞", "séparateurs \u{2028}\u{2029} \u{a0}\u{feff}",
        "zéro largeur e\u{301}", "{\"json\": [1, 2]}", String(repeating: "é", count: 2_000),
    ]

    static func corpus() -> [Relance] {
        let instants = [Date(timeIntervalSince1970: 0), ISO8601.date(from: "2026-11-24T09:00:00Z")!,
                        Date(timeIntervalSince1970: 1_700_000_000.999), Date(timeIntervalSince1970: -86_401)]
        var out: [Relance] = []
        for (i, text) in awkward.enumerated() {
            let full = i % 2 == 0
            let taxe = Taxe(id: Int64(i), nom: text, montant: Montant(centimes: 123_456_789), periodicite: .trimestrielle)
            let affectation = AffectationTaxe(id: Int64.max - Int64(i), contribuableID: 42, taxeID: 7, dateDebut: "2026-01-0\(i % 9 + 1)",
                                              dateFin: full ? text : nil, montantCustom: full ? Montant(centimes: 5) : nil, actif: full)
            var withTaxe = affectation
            withTaxe.taxe = i % 3 == 0 ? nil : taxe
            out.append(Relance(
                id: i == 0 ? Int64.max : Int64(i), contribuableID: i == 1 ? Int64.min : 9_007_199_254_740_993,
                affectationTaxeID: full ? Int64(i) : nil, type: RelanceType.allCases[i % RelanceType.allCases.count],
                statut: RelanceStatut.allCases[i % RelanceStatut.allCases.count], message: text,
                montantDue: Montant(centimes: Int64(i) * 100_001), dateEcheance: full ? instants[i % 4] : nil,
                dateEnvoi: full ? instants[(i + 1) % 4] : nil, datePlanifiee: instants[i % 4], dateReponse: full ? instants[3] : nil,
                canalEnvoi: full ? text : nil, reponseRecue: full, notes: full ? text : nil, utilisateurID: full ? -Int64(i) : nil,
                createdAt: instants[(i + 2) % 4], updatedAt: instants[(i + 3) % 4], canal: full ? "ventis-sms" : nil,
                programmee: i % 3 == 1,
                contribuable: i % 4 == 3 ? nil : Contribuable(id: Int64(i), nom: text, prenom: "Prénom \"\(i)\"", telephone: full ? text : nil,
                                                             email: full ? "a\\b@exemple.ga" : nil, adresse: full ? nil : text, actif: full),
                affectationTaxe: i % 5 == 4 ? nil : withTaxe, acteur: i % 2 == 1 ? text : nil))
        }
        return out
    }

    @Test func theDetailIsTheEncodersBytes() throws {
        for relance in Self.corpus() {
            let encoded = try HTTPJSON.encoder.encode(RelanceJSON(relance: relance))
            let written = RelanceJSON(relance: relance).body
            #expect(Canonical.form(written) == Canonical.form(encoded),
                    "\(String(decoding: written, as: UTF8.self))\n≠\n\(String(decoding: encoded, as: UTF8.self))")
        }
    }

    /// The members in the order ``RelanceJSON/encode(to:)`` declares them.
    @Test func theMembersComeInTheDeclaredOrder() throws {
        let text = String(decoding: RelanceJSON(relance: Self.corpus()[2]).body, as: UTF8.self)
        let keys = ["\"id\"", "\"contribuable_id\"", "\"affectation_taxe_id\"", "\"type_relance\"", "\"statut\"", "\"message\"",
                    "\"montant_due\"", "\"date_echeance\"", "\"date_envoi\"", "\"date_planifiee\"", "\"date_reponse\"", "\"canal_envoi\"",
                    "\"reponse_recue\"", "\"notes\"", "\"utilisateur_id\"", "\"created_at\"", "\"updated_at\"", "\"canal\"",
                    "\"programmee\"", "\"contribuable\"", "\"affectation_taxe\"", "\"acteur\""]
        let positions = keys.map { key in text.range(of: key + ":")?.lowerBound }
        #expect(!positions.contains(nil) && positions.map { $0! } == positions.map { $0! }.sorted(), "\(text)")
    }

    @Test func theListIsTheEncodersBytes() throws {
        let corpus = Self.corpus()
        for items in [corpus, [], Array(corpus.prefix(1))] {
            let encoded = try HTTPJSON.encoder.encode(ListAnswer(items: items.map(RelanceJSON.init), total: 1_000_000, skip: 80, limit: 20))
            let written = RelanceJSON.listBody(items, total: 1_000_000, skip: 80, limit: 20)
            #expect(Canonical.form(written) == Canonical.form(encoded),
                    "\(String(decoding: written, as: UTF8.self))\n≠\n\(String(decoding: encoded, as: UTF8.self))")
        }
    }
}

/// Compact JSON with every object's members sorted by their key's bytes, every scalar
/// and key kept byte for byte (escapes included).
enum Canonical {
    static func form(_ data: Data) -> [UInt8] {
        let bytes = [UInt8](data)
        var i = 0
        let out = value(bytes, &i)
        return i == bytes.count ? out : out + Array("<trailing bytes>".utf8)
    }

    static func value(_ b: [UInt8], _ i: inout Int) -> [UInt8] {
        guard i < b.count else { return Array("<end>".utf8) }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [([UInt8], [UInt8])] = []
            while i < b.count && b[i] != UInt8(ascii: "}") {
                let key = string(b, &i)
                i += 1   // :
                members.append((key, value(b, &i)))
                if i < b.count && b[i] == UInt8(ascii: ",") { i += 1 }
            }
            i += 1
            let sorted = members.sorted { $0.0.lexicographicallyPrecedes($1.0) }
            return [UInt8(ascii: "{")] + Array(sorted.map { $0.0 + [UInt8(ascii: ":")] + $0.1 }.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "}")]
        case UInt8(ascii: "["):
            i += 1
            var items: [[UInt8]] = []
            while i < b.count && b[i] != UInt8(ascii: "]") {
                items.append(value(b, &i))
                if i < b.count && b[i] == UInt8(ascii: ",") { i += 1 }
            }
            i += 1
            return [UInt8(ascii: "[")] + Array(items.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "]")]
        case UInt8(ascii: "\""):
            return string(b, &i)
        default:
            let start = i
            while i < b.count && ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(b[i]) { i += 1 }
            return Array(b[start..<i])
        }
    }

    static func string(_ b: [UInt8], _ i: inout Int) -> [UInt8] {
        let start = i
        i += 1
        while i < b.count && b[i] != UInt8(ascii: "\"") { i += b[i] == UInt8(ascii: "\\") ? 2 : 1 }
        i += 1
        return Array(b[start..<min(i, b.count)])
    }
}
