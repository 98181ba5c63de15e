import Foundation
import Gateway
import HTTP
import Relances
import Testing

/// One generated bad request and what it must get.
struct BadRequestCase: CustomStringConvertible, Sendable {
    enum Expect: Sendable {
        /// This status (4xx, or one of the two 5xx that RFC 9110/9112 name for an
        /// unsupported version or transfer coding) with a JSON `detail`.
        case status(Int, detail: String? = nil)
        /// The client hung up before its request was whole: nothing to answer, the
        /// connection is closed and nothing is written.
        case closedWithoutAnswer
    }

    var name: String
    var bytes: [UInt8]
    var expect: Expect
    /// Whether the server must close the connection after its answer (protocol breakage).
    var closes = false
    var description: String { name }
}

/// The ids a corpus can aim at: a taxpayer and relances in each interesting state.
struct BadRequestTargets {
    var who: Int64
    var pending: Int64
    var sent: Int64
    var byHand: Int64   // an `appel`: no channel sends it
    var othersAffectation: Int64 = 0   // an affectation of another taxpayer
}

/// A corpus of malformed requests, generated: broken request lines and headers,
/// invalid JSON, every field of the create body with every wrong type, negative and
/// huge numbers, unknown enum values, invalid UTF-8, path tricks, wrong methods.
enum BadRequestCorpus {
    static func post(_ path: String, json: String, headers: [String] = ["Content-Type: application/json"]) -> [UInt8] {
        RawRequest.request("POST", path, headers: headers, body: Array(json.utf8))
    }

    static func protocolBreakage() -> [BadRequestCase] {
        var out: [BadRequestCase] = []
        func rawBytes(_ name: String, _ bytes: [UInt8], _ status: Int) {
            out.append(BadRequestCase(name: name, bytes: bytes, expect: .status(status), closes: true))
        }
        func raw(_ name: String, _ text: String, _ status: Int) { rawBytes(name, Array(text.utf8), status) }
        let host = "\r\nHost: 127.0.0.1\r\n\r\n"
        raw("garbage request line", "GARBAGE\r\n\r\n", 400)
        raw("method alone", "GET\r\n\r\n", 400)
        raw("no version", "GET /api/relances\r\n\r\n", 400)
        raw("two spaces", "GET  /api/relances HTTP/1.1" + host, 400)
        raw("four parts", "GET /api/relances HTTP/1.1 encore" + host, 400)
        raw("tabs for spaces", "GET\t/api/relances\tHTTP/1.1" + host, 400)
        raw("relative target", "GET api/relances HTTP/1.1" + host, 400)
        raw("asterisk target", "OPTIONS * HTTP/1.1" + host, 400)
        raw("authority target", "CONNECT 127.0.0.1:443 HTTP/1.1" + host, 400)
        raw("method with a bracket", "G(T /api/relances HTTP/1.1" + host, 400)
        raw("empty method", " /api/relances HTTP/1.1" + host, 400)
        raw("lowercase version", "GET /api/relances http/1.1" + host, 400)
        raw("not HTTP", "GET /api/relances SPDY/3" + host, 400)
        raw("HTTP/2.0 request line", "GET /api/relances HTTP/2.0" + host, 505)
        raw("HTTP/0.9 version", "GET /api/relances HTTP/0.9" + host, 505)
        raw("ten blank lines first", String(repeating: "\r\n", count: 10) + "GET /api/relances HTTP/1.1" + host, 400)
        raw("request line of 9 KB", "GET /api/relances/" + String(repeating: "a", count: 9_000) + " HTTP/1.1" + host, 414)
        raw("query of 100 KB", "GET /api/relances?statut=" + String(repeating: "x", count: 100_000) + " HTTP/1.1" + host, 414)
        rawBytes("raw 0xFF in the path", Array("GET /api/relances/".utf8) + [0xFF] + Array(" HTTP/1.1\(host)".utf8), 400)
        rawBytes("raw invalid UTF-8 in the query", Array("GET /api/relances?statut=".utf8) + [0xC3, 0x28] + Array(" HTTP/1.1\(host)".utf8), 400)
        rawBytes("overlong UTF-8 slash in the path", Array("GET /api/relances/".utf8) + [0xC0, 0xAF] + Array(" HTTP/1.1\(host)".utf8), 400)
        for escape in ["%FF", "%C3%28", "%", "%G1", "%2", "%ED%A0%80"] {
            raw("broken escape \(escape) in the query", "GET /api/relances?statut=\(escape) HTTP/1.1" + host, 400)
        }
        raw("broken escape in the path", "GET /api/relances/%ZZ HTTP/1.1" + host, 400)
        raw("invalid UTF-8 escape in the path", "GET /api/relances/%FF HTTP/1.1" + host, 400)

        let line = "GET /api/relances HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        // A short request line lends none of its room to the headers.
        raw("a header of 40 KB", line + "X-Grand: " + String(repeating: "b", count: 40 * 1024) + "\r\n\r\n", 431)
        raw("a lone CR in the request line", "GET /api/relances HTTP/1.1\rX: y" + host, 400)
        raw("a header of 64 KB", line + "X-Grand: " + String(repeating: "b", count: 64 * 1024) + "\r\n\r\n", 431)
        raw("5,000 headers", line + (0..<5_000).map { "X-H\($0): v\r\n" }.joined() + "\r\n", 431)
        raw("header without a colon", line + "SansDeuxPoints\r\n\r\n", 400)
        raw("space in a header name", line + "Mauvais Nom: x\r\n\r\n", 400)
        raw("empty header name", line + ": x\r\n\r\n", 400)
        raw("obsolete line folding", line + "X-A: a\r\n  suite\r\n\r\n", 400)
        raw("space before the colon", line + "Content-Length : 0\r\n\r\n", 400)
        rawBytes("invalid UTF-8 in a header value", Array((line + "X-A: ").utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8), 400)
        let post = "POST /api/relances HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for length in ["-1", "abc", "1e3", "+5", "0x10", "5 5", "", "9999999999999"] {
            raw("Content-Length « \(length) »", post + "Content-Length: \(length)\r\n\r\n", 400)
        }
        raw("two different Content-Lengths", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400)
        raw("Content-Length over the body limit", post + "Content-Length: 2000000\r\n\r\n", 413)
        raw("100-continue over the body limit", post + "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n", 413)
        raw("chunked body", post + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411)
        raw("chunked and Content-Length", post + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}", 411)
        raw("unknown transfer coding", post + "Transfer-Encoding: gzip\r\n\r\n", 501)
        return out
    }

    /// Requests cut short by the client: the server answers nothing and closes.
    static func truncated() -> [BadRequestCase] {
        [("head cut before its blank line", "GET /api/relances HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
         ("bare LF line endings", "GET /api/relances HTTP/1.1\nHost: 127.0.0.1\n\n"),
         ("body shorter than its Content-Length", "POST /api/relances HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"contribuable_id\": 1")]
            .map { BadRequestCase(name: $0.0, bytes: Array($0.1.utf8), expect: .closedWithoutAnswer) }
    }

    /// The create body, valid but for one thing each time.
    static func createBodies(_ t: BadRequestTargets) -> [BadRequestCase] {
        var out: [BadRequestCase] = []
        let valid: [(String, String)] = [("contribuable_id", "\(t.who)"), ("type_relance", "\"sms\""), ("montant_due", "\"5000\""),
                                         ("date_planifiee", "\"2026-11-24T08:00:00Z\"")]
        func body(replacing field: String, with value: String?) -> String {
            var fields = valid.filter { $0.0 != field }
            if let value { fields.append((field, value)) }
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
        func create(_ name: String, _ json: String, _ status: Int, detail: String? = nil) {
            out.append(BadRequestCase(name: name, bytes: post("/api/relances", json: json), expect: .status(status, detail: detail)))
        }
        func createBytes(_ name: String, _ json: [UInt8], _ status: Int) {
            out.append(BadRequestCase(name: name, bytes: RawRequest.request("POST", "/api/relances", headers: ["Content-Type: application/json"], body: json),
                                     expect: .status(status)))
        }
        // Not JSON, or not an object.
        for (name, json) in [("empty body", ""), ("open brace", "{"), ("close brace", "}"), ("array", "[]"), ("null", "null"),
                             ("number", "42"), ("string", "\"relance\""), ("true", "true"), ("missing value", "{\"contribuable_id\": }"),
                             ("trailing comma", "{\"contribuable_id\": 1,}"), ("single quotes", "{'contribuable_id': 1}"),
                             ("unquoted key", "{contribuable_id: 1}"), ("NaN", "{\"contribuable_id\": NaN}"),
                             ("comment", "{/* x */ \"contribuable_id\": 1}"), ("two objects", "{}{}"), ("form body", "contribuable_id=1&type_relance=sms"),
                             ("unterminated string", "{\"message\": \"abc"), ("bad escape", "{\"message\": \"\\x41\"}"),
                             ("nested 100,000 deep", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
                             ("objects nested 50,000 deep", String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000))] {
            create("create: \(name)", json, 422)
        }
        createBytes("create: raw 0xFF in a string", Array(body(replacing: "message", with: "\"a\u{1}\"").utf8).map { $0 == 1 ? 0xFF : $0 }, 422)
        createBytes("create: overlong UTF-8 in a string", Array(body(replacing: "message", with: "\"a\u{1}\u{2}\"").utf8).map { $0 == 1 ? 0xC0 : $0 == 2 ? 0xAF : $0 }, 422)

        // Every field with every wrong type; nulls where a value is required.
        let integers = ["contribuable_id", "affectation_taxe_id", "utilisateur_id"]
        let strings = ["type_relance", "date_planifiee", "message", "date_echeance", "canal_envoi", "notes"]
        let required: Set = ["contribuable_id", "type_relance", "montant_due", "date_planifiee"]
        for field in integers {
            for wrong in ["\"un\"", "true", "[]", "{}", "[1]", "\"12\""] {
                create("create: \(field) = \(wrong)", body(replacing: field, with: wrong), 422, detail: "\(field) : ")
            }
            // Numbers no integer holds: Foundation gives no path for them, the API still names the field.
            for wrong in ["1.5", "9223372036854775808", "-9223372036854775809", "1e30", "-0.5"] {
                create("create: \(field) = \(wrong)", body(replacing: field, with: wrong), 422,
                       detail: "corps : nombre entier attendu (sans décimale, sur 64 bits) pour \(field)")
            }
        }
        for field in strings {
            for wrong in ["5", "1.5", "true", "[]", "{}", "[\"sms\"]"] {
                create("create: \(field) = \(wrong)", body(replacing: field, with: wrong), 422, detail: "\(field) : ")
            }
        }
        for field in required where field != "montant_due" {
            create("create: \(field) null", body(replacing: field, with: "null"), 422, detail: "\(field) : ")
            create("create: \(field) missing", body(replacing: field, with: nil), 422, detail: "\(field) : champ requis manquant")
        }
        // As the office's backend: an amount due is asked for in its words.
        for (name, value) in [("null", "null"), ("missing", nil), ("0", "0"), ("\"0.00\"", "\"0.00\"")] as [(String, String?)] {
            create("create: montant_due \(name)", body(replacing: "montant_due", with: value), 400, detail: "Merci d'indiquer un montant dû")
        }
        for wrong in ["true", "[]", "{}", "\"abc\"", "-5", "\"-5\"", "-0.01", "\"1.234\"", "1e300", "\"12345678901234\"", "\"5 000,505\"", "\"\"",
                      "\"1.2.3\"", "\"١٢٣\"", "\"0x10\"", "\"1e3\"", "\"5000 FCFA\"", "9999999999999999999999"] {
            create("create: montant_due = \(wrong)", body(replacing: "montant_due", with: wrong), 422, detail: "montant_due : ")
        }

        // Well-typed values that name nothing or mean nothing.
        for id in ["0", "-1", "9223372036854775807", "424242"] {
            create("create: contribuable_id \(id)", body(replacing: "contribuable_id", with: id), 404, detail: "Contribuable non trouvé")
        }
        for id in ["0", "-1", "424242", "9223372036854775807"] {
            create("create: affectation_taxe_id \(id)", body(replacing: "affectation_taxe_id", with: id), 404, detail: "Affectation de taxe")
        }
        create("create: another taxpayer's affectation", body(replacing: "affectation_taxe_id", with: "\(t.othersAffectation)"), 422,
               detail: "affectation_taxe_id : l'affectation \(t.othersAffectation) n'est pas celle du contribuable \(t.who)")
        for type in ["\"fax\"", "\"SMS\"", "\"\"", "\" sms\"", "\"envoyee\"", "\"s\u{00E9}ms\""] {
            create("create: type_relance \(type)", body(replacing: "type_relance", with: type), 400, detail: "Type de relance invalide")
        }
        // A NUL would cut the text where it is stored or sent: refused, the field named.
        for field in ["type_relance", "message", "notes", "canal_envoi"] {
            create("create: \(field) with a NUL", body(replacing: field, with: "\"sms\\u0000x\""), 422, detail: "\(field) : caractère NUL")
        }
        for date in ["\"demain\"", "\"2026-13-01\"", "\"2026-02-30\"", "\"2026-11-24T25:00:00Z\"", "\"24/11/2026\"", "\"2026-11-24T08:00:00+99:00\"",
                     "\"2026-11-24 08:00\"", "\"+002026-11-24\"", "\"0000-00-00\""] {
            create("create: date_planifiee \(date)", body(replacing: "date_planifiee", with: date), 422, detail: "date_planifiee : ")
            create("create: date_echeance \(date)", body(replacing: "date_echeance", with: date), 422, detail: "date_echeance : ")
        }
        create("create: date_planifiee empty", body(replacing: "date_planifiee", with: "\"\""), 422, detail: "date_planifiee : champ requis manquant")
        return out
    }

    /// Query parameters out of range, of the wrong type, or naming unknown values.
    static func queries(_ t: BadRequestTargets) -> [BadRequestCase] {
        var out: [BadRequestCase] = []
        func get(_ target: String, _ status: Int, detail: String? = nil) {
            out.append(BadRequestCase(name: "GET \(target.prefix(80))", bytes: RawRequest.request("GET", target), expect: .status(status, detail: detail)))
        }
        for v in ["-1", "0", "1001", "abc", "1.5", "99999999999999999999", "%205", "1e2", "0x10", "-0"] { get("/api/relances?limit=\(v)", 422, detail: "limit : ") }
        for v in ["-1", "2147483648", "1e3", "x", "-9223372036854775808"] { get("/api/relances?skip=\(v)", 422, detail: "skip : ") }
        for name in ["contribuable_id", "affectation_taxe_id"] {
            for v in ["0", "-5", "x", "99999999999999999999", "1.0"] { get("/api/relances?\(name)=\(v)", 422, detail: "\(name) : ") }
        }
        for v in ["fax", "SMS", "sms%00", "%C3%A9"] { get("/api/relances?type_relance=\(v)", 400, detail: "Type de relance invalide") }
        for v in ["perdu", "ENVOYEE", "%27%20OR%201%3D1%20--", "en_attente%3B"] { get("/api/relances?statut=\(v)", 400, detail: "Statut invalide") }
        for v in ["hier", "2026-02-30", "24%2F11%2F2026", "2026-1-1", "2026-11-24T00:00:00Z", "%2B2026-11-24"] {
            get("/api/relances?date_debut=\(v)", 400, detail: "Format de date_debut invalide. Utilisez YYYY-MM-DD")
            get("/api/relances/statistiques?date_fin=\(v)", 400, detail: "Format de date_fin invalide. Utilisez YYYY-MM-DD")
        }
        for v in ["0", "201", "-1", "x"] { get("/api/relances/contribuable/\(t.who)/historique?limit=\(v)", 422, detail: "limit : ") }
        for v in ["0", "-1", "x", "99999999999999999999"] { get("/api/relances/contribuable/\(v)/historique", 422, detail: "id : ") }
        get("/api/relances/contribuable/424242/historique", 404, detail: "Contribuable non trouvé")
        for v in ["limit=0", "limit=201", "limit=x", "actif=peutetre"] { get("/api/contribuables?search=a&\(v)", 422) }
        return out
    }

    /// Generation, updates, sends and manual batches refused before anything is written.
    static func changes(_ t: BadRequestTargets) -> [BadRequestCase] {
        var out: [BadRequestCase] = []
        func add(_ name: String, _ bytes: [UInt8], _ status: Int, detail: String? = nil) {
            out.append(BadRequestCase(name: name, bytes: bytes, expect: .status(status, detail: detail)))
        }
        let generate = "/api/relances/generer-automatique"
        for q in ["jours_retard_min=-1", "jours_retard_min=abc", "jours_retard_min=36501", "limite=0", "limite=501", "limite=x",
                  "envoyer_automatiquement=peutetre", "preflight=2", "limite=99999999999999999999"] {
            add("generate ?\(q)", RawRequest.request("POST", "\(generate)?\(q)"), 422, detail: String(q.prefix { $0 != "=" }) + " : ")
        }
        add("generate ?type_relance=fax", RawRequest.request("POST", "\(generate)?type_relance=fax"), 400, detail: "Type de relance invalide")
        for json in ["{", "[]", "42", "{\"limite\": [1]}", "{\"limite\": {\"a\": 1}}", "{\"limite\": 1.5}", "{\"limite\": \"0\"}", "{\"limite\": -3}",
                     "{\"jours_retard_min\": 1e40}", "{\"envoyer_automatiquement\": \"peutetre\"}", "{\"type_relance\": \"fax\"}"] {
            add("generate body \(json)", post(generate, json: json), json.contains("fax") ? 400 : 422)
        }

        let pending = "/api/relances/\(t.pending)"
        for (json, status) in [("", 422), ("{", 422), ("[]", 422), ("null", 422), ("{\"statut\": \"perdu\"}", 400), ("{\"statut\": \"envoi_en_cours\"}", 400),
                               ("{\"statut\": \"ENVOYEE\"}", 400), ("{\"statut\": 5}", 422), ("{\"statut\": [\"envoyee\"]}", 422),
                               ("{\"reponse_recue\": \"oui\"}", 422), ("{\"reponse_recue\": 1}", 422), ("{\"reponse_recue\": null, \"notes\": 5}", 422),
                               ("{\"date_envoi\": \"hier\"}", 422), ("{\"date_envoi\": 5}", 422), ("{\"date_reponse\": \"2026-02-30\"}", 422),
                               ("{\"notes\": 5}", 422), ("{\"notes\": []}", 422), ("{\"notes\": {\"a\": 1}}", 422),
                               ("{\"notes\": \"ok\", \"statut\": \"perdu\"}", 400), ("{\"notes\": \"ok\", \"date_envoi\": \"bientôt\"}", 422)] {
            add("PUT \(json)", RawRequest.request("PUT", pending, headers: ["Content-Type: application/json"], body: Array(json.utf8)), status)
        }
        for id in ["0", "-1", "x", "1.5", "99999999999999999999", "%00", "1%00", "%20", "0x10", "1e3", "..", "%2e%2e"] {
            add("PUT /api/relances/\(id)", RawRequest.request("PUT", "/api/relances/\(id)", headers: ["Content-Type: application/json"], body: Array("{\"notes\": \"x\"}".utf8)), 422, detail: "id : ")
            add("PATCH /api/relances/\(id)/envoyer", RawRequest.request("PATCH", "/api/relances/\(id)/envoyer"), 422, detail: "id : ")
        }
        add("PUT an unknown relance", RawRequest.request("PUT", "/api/relances/424242", headers: ["Content-Type: application/json"], body: Array("{\"notes\": \"x\"}".utf8)), 404, detail: "Relance non trouvée")
        add("send an unknown relance", RawRequest.request("PATCH", "/api/relances/424242/envoyer"), 404, detail: "Relance non trouvée")
        add("send a relance already sent", RawRequest.request("PATCH", "/api/relances/\(t.sent)/envoyer"), 400, detail: "Cette relance a déjà été envoyée")
        add("send an appel (done by hand)", RawRequest.request("PATCH", "/api/relances/\(t.byHand)/envoyer"), 400)

        let manual = "/api/relances/manuelles"
        let item = "{\"contribuable_id\": \(t.who)}"
        for (name, json, status) in [
            ("empty body", "", 422), ("no contribuables", "{\"type_relance\": \"sms\", \"montant_due\": \"1\"}", 422),
            ("contribuables empty", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": []}", 422),
            ("contribuables a string", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": \"tous\"}", 422),
            ("type fax", "{\"type_relance\": \"fax\", \"montant_due\": \"1\", \"contribuables\": [\(item)]}", 400),
            ("no amount anywhere", "{\"type_relance\": \"sms\", \"contribuables\": [\(item)]}", 400),
            ("one unknown taxpayer after a good one", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": [\(item), {\"contribuable_id\": 424242}]}", 404),
            ("negative item amount", "{\"type_relance\": \"sms\", \"contribuables\": [{\"contribuable_id\": \(t.who), \"montant_due\": -5}]}", 422),
            ("item id a string", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": [{\"contribuable_id\": \"un\"}]}", 422),
            ("item id huge", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": [{\"contribuable_id\": 1e99}]}", 422),
            ("bad planned date", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"date_planifiee\": \"hier\", \"contribuables\": [\(item)]}", 422),
            ("bad item due date", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": [\(item), {\"contribuable_id\": \(t.who), \"date_echeance\": \"2026-02-30\"}]}", 422),
            ("item telephone a number", "{\"type_relance\": \"sms\", \"montant_due\": \"1\", \"contribuables\": [{\"contribuable_id\": \(t.who), \"telephone_override\": 241}]}", 422),
        ] {
            add("manual: \(name)", post(manual, json: json), status)
        }

        // A bad Idempotency-Key refuses the request before it runs.
        let good = "{\"contribuable_id\": \(t.who), \"type_relance\": \"sms\", \"montant_due\": \"1\", \"date_planifiee\": \"2026-11-24\"}"
        for key in ["", String(repeating: "k", count: 201), "clé-accentuée", "a\tb"] {
            add("Idempotency-Key « \(key.prefix(12)) » (\(key.utf8.count) bytes)",
                post("/api/relances", json: good, headers: ["Content-Type: application/json", "Idempotency-Key: \(key)"]), 400,
                detail: "En-tête Idempotency-Key invalide")
        }
        return out
    }

    /// Path tricks and methods no route has.
    static func pathsAndMethods(_ t: BadRequestTargets) -> [BadRequestCase] {
        var out: [BadRequestCase] = []
        func add(_ method: String, _ target: String, _ status: Int, detail: String? = nil) {
            out.append(BadRequestCase(name: "\(method) \(target)", bytes: RawRequest.request(method, target), expect: .status(status, detail: detail)))
        }
        for target in ["/api/relances/..", "/api/relances/%2e%2e", "/api/relances/%2E%2E", "//api//relances//..", "/api/relances/%00", "/api/relances/1%00",
                       "/api/relances/%20", "/api/relances/-1", "/api/relances/0x10", "/api/relances/1e3", "/api/relances/%2B%2B1",
                       "/api/relances/generer-automatique", "/api/relances/manuelles", "/api/relances/99999999999999999999"] {
            add("GET", target, 422, detail: "id : ")
        }
        for target in ["/api/relances/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd", "/api/relances/1/../2",
                       "/api/relances/1%2F2", "/api/%2e%2e/metrics", "/api/relances/../../metrics", "/api/relances/1/envoyer/..",
                       "/api/relance", "/API/relances", "/api/relances/1/2/3", "/index.html/..", "/api/relances\\1", "/.env", "/api/relances/%2e%2e/%2e%2e/.env"] {
            add("GET", target, 404, detail: "Not Found")
        }
        let p = "/api/relances/\(t.pending)"
        for (method, target) in [("DELETE", p), ("POST", p), ("PATCH", p), ("PUT", "/api/relances"), ("DELETE", "/api/relances"),
                                 ("GET", "\(p)/envoyer"), ("POST", "\(p)/envoyer"), ("PUT", "\(p)/envoyer"), ("PATCH", "/api/relances/statistiques"),
                                 ("POST", "/api/relances/statistiques"), ("GET", "/api/relances/manuelles/x"), ("TRACE", "/"), ("FOO", "/api/relances"),
                                 ("POST", "/healthz"), ("PUT", "/api/contribuables"), ("DELETE", "/api/channels"), ("POST", "/metrics"),
                                 ("GET", "/api/relances/generer-automatique/x"), ("PROPFIND", "/api/relances")] {
            add(method, target, method == "GET" && target.hasSuffix("/x") ? 404 : 405)
        }
        add("OPTIONS", "/api/relances", 403, detail: "Origine non autorisée")
        return out
    }
}

/// Every case of the corpus gets its 4xx with a JSON `detail` (or, for a request cut
/// short, a closed connection), the server keeps serving, and the database is exactly
/// what it was: no row added, changed or removed in any table.
@Suite struct MalformedAPIRequestTests {
    /// The rig's database, every table (idempotency keys included) as text, row by row.
    static func snapshot(_ store: SQLiteRelanceStore) throws -> [String: [String]] {
        try store.database.withConnection { (s: Session) throws(StoreError) in
            let tables = try s.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") { $0.text(0) }
            var out: [String: [String]] = [:]
            for table in tables {
                let columns = try s.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]) { $0.text(0) }
                let row = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
                out[table] = try s.rows("SELECT \(row) FROM \"\(table)\" ORDER BY 1") { $0.text(0) }
            }
            return out
        }
    }

    /// A rig with a taxpayer, a late debt (so a generation that got through would
    /// write), and relances pending, sent and by hand.
    static func rig() throws -> (APIRig, BadRequestTargets) {
        let rig = try APIRig()
        let planned = ISO8601.date(from: "2026-11-24T08:00:00Z")!
        let pending = try rig.store.create(NewRelance(contribuableID: rig.who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: planned, message: "Rappel")).id
        let sent = try rig.store.create(NewRelance(contribuableID: rig.who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: planned, message: "Rappel")).id
        // Sent the only way there is: claimed, then its accepted outcome recorded.
        _ = try rig.store.claim(sent, now: planned)
        try rig.store.finish(sent, outcome: .sent(channel: "ventis", recipient: "24166123456", note: "SMS envoyé via Ventis. UUID: u-1", at: planned),
                             now: planned)
        let byHand = try rig.store.create(NewRelance(contribuableID: rig.noPhone, type: .appel, montantDue: Montant("10")!, datePlanifiee: planned)).id
        return (rig, BadRequestTargets(who: rig.who, pending: pending, sent: sent, byHand: byHand, othersAffectation: rig.noPhoneAffectation))
    }

    /// Runs every case on its own connection, then checks the server still serves.
    /// Problems are gathered and reported together, one line per case.
    static func run(_ cases: [BadRequestCase], on rig: APIRig) async throws {
        let port = rig.server.port
        var before = try snapshot(rig.store)
        #expect(before["relance"]?.count == 3)
        var problems: [String] = []
        for c in cases {
            var answer: RawRequest.Answer?
            do { answer = try await RawRequest.send(c.bytes, port: port) } catch RawRequest.Failure.noAnswer(let received) {
                if case .status = c.expect { problems.append("\(c): no answer (\(received) bytes)") }
                else if received != 0 { problems.append("\(c): \(received) bytes instead of a quiet close") }
            }
            if let answer {
                let text = String(decoding: answer.body, as: UTF8.self).prefix(160)
                switch c.expect {
                case .closedWithoutAnswer:
                    problems.append("\(c): answered \(answer.status) to a request cut short")
                case .status(let status, let detail):
                    if answer.status != status { problems.append("\(c): \(answer.status) instead of \(status): \(text)") }
                    if answer.headers["content-type"]?.hasPrefix("application/json") != true { problems.append("\(c): not JSON") }
                    let given = (try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["detail"] as? String
                    if given?.isEmpty != false { problems.append("\(c): no detail in \(text)") }
                    if let detail, let given, !given.hasPrefix(detail) { problems.append("\(c): detail « \(given) », expected « \(detail)… »") }
                    if c.closes && !(answer.closed && answer.headers["connection"] == "close") { problems.append("\(c): connection left open") }
                }
            }
            let after = try snapshot(rig.store)
            if after != before {
                let changed = after.keys.filter { after[$0] != before[$0] }.sorted()
                problems.append("\(c): changed the database (\(changed.joined(separator: ", ")))")
                before = after
            }
        }
        #expect(problems.isEmpty, "\(problems.count) of \(cases.count) cases:\n\(problems.joined(separator: "\n"))")
        // Still serving.
        let list = try await RawRequest.send(RawRequest.request("GET", "/api/relances"), port: port)
        #expect(list.status == 200)
    }

    @Test(.timeLimit(.minutes(1)))
    func brokenRequestLinesAndHeadersGetA4xxAndAClose() async throws {
        let (rig, _) = try Self.rig()
        let cases = BadRequestCorpus.protocolBreakage() + BadRequestCorpus.truncated()
        #expect(cases.count >= 50)
        try await Self.run(cases, on: rig)
    }

    @Test(.timeLimit(.minutes(1)))
    func everyBadCreateBodyIsRefusedNamingItsField() async throws {
        let (rig, targets) = try Self.rig()
        let cases = BadRequestCorpus.createBodies(targets)
        #expect(cases.count >= 120)
        try await Self.run(cases, on: rig)
    }

    @Test(.timeLimit(.minutes(1)))
    func badQueryParametersAreRefused() async throws {
        let (rig, targets) = try Self.rig()
        try await Self.run(BadRequestCorpus.queries(targets), on: rig)
    }

    @Test(.timeLimit(.minutes(1)))
    func badChangesAreRefusedBeforeAnythingIsWritten() async throws {
        let (rig, targets) = try Self.rig()
        try await Self.run(BadRequestCorpus.changes(targets), on: rig)
        #expect(rig.sandbox.received.isEmpty)
    }

    @Test(.timeLimit(.minutes(1)))
    func pathTricksAndWrongMethodsAreRefused() async throws {
        let (rig, targets) = try Self.rig()
        try await Self.run(BadRequestCorpus.pathsAndMethods(targets), on: rig)
    }

    /// The corpus is big enough to mean something.
    @Test func theCorpusHasOverTwoHundredCases() {
        let t = BadRequestTargets(who: 1, pending: 2, sent: 3, byHand: 4)
        let all = BadRequestCorpus.protocolBreakage() + BadRequestCorpus.truncated() + BadRequestCorpus.createBodies(t) + BadRequestCorpus.queries(t)
            + BadRequestCorpus.changes(t) + BadRequestCorpus.pathsAndMethods(t)
        #expect(all.count >= 200)
        print("malformed request corpus: \(all.count) cases")
        #expect(Set(all.map(\.name)).count == all.count, "two cases share a name")
    }
}
