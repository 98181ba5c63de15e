import Foundation

/// One malformed request and what it must get.
struct MalformedCase: Sendable, CustomStringConvertible {
    enum Level: Sendable {
        /// Reaches the router or an endpoint: a 4xx with a JSON `detail`.
        case api
        /// Broken at the HTTP level: a 4xx status line, then the connection closed.
        case wire
    }

    var name: String
    var level: Level
    /// The whole request, byte for byte.
    var bytes: [UInt8]
    var headRequest = false
    /// Statuses allowed; 4xx unless a case says otherwise.
    var allowed: ClosedRange<Int> = 400...499
    var description: String { name }
}

/// The ids the corpus points at, taken from the seeded store.
struct CorpusIDs {
    /// A contribuable with a phone.
    var who: Int64
    /// An `en_attente` sms relance: the target of PUT bodies.
    var pending: Int64
    /// An `envoyee` relance: sending it again is refused.
    var sent: Int64
    /// A `visite` relance: no channel sends those.
    var visite: Int64
    /// No relance or contribuable has this id.
    var missing: Int64 = 999_999
}

/// The generated corpus: every POST/PUT body broken as JSON and field by field, numbers
/// out of range, unknown enum values, invalid UTF-8, path tricks, wrong methods and
/// HTTP-level breakage. Every request here is invalid: none may create, change or send
/// anything.
enum MalformedRequestCorpus {
    static func cases(_ ids: CorpusIDs) -> [MalformedCase] {
        jsonCases(ids) + fieldCases(ids) + numberAndEnumCases(ids) + pathAndMethodCases(ids) + wireCases()
    }

    // MARK: building requests

    static func request(_ method: String, _ target: String, body: [UInt8]? = nil, headers: [String] = []) -> [UInt8] {
        request(method, Array(target.utf8), body: body, headers: headers)
    }

    static func request(_ method: String, _ target: [UInt8], body: [UInt8]? = nil, headers: [String] = []) -> [UInt8] {
        var head = "\r\nHost: 127.0.0.1\r\n"
        for h in headers { head += h + "\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array("\(method) ".utf8) + target + Array(" HTTP/1.1".utf8) + Array(head.utf8) + (body ?? [])
    }

    static func api(_ name: String, _ method: String, _ target: String, _ body: String? = nil, headers: [String] = []) -> MalformedCase {
        MalformedCase(name: name, level: .api, bytes: request(method, target, body: body.map { Array($0.utf8) }, headers: headers))
    }

    static func api(_ name: String, _ method: String, _ target: String, bytes body: [UInt8]) -> MalformedCase {
        MalformedCase(name: name, level: .api, bytes: request(method, target, body: body))
    }

    static func wire(_ name: String, _ raw: String, allowed: ClosedRange<Int> = 400...499) -> MalformedCase {
        MalformedCase(name: name, level: .wire, bytes: Array(raw.utf8), allowed: allowed)
    }

    /// A JSON object kept as ordered raw fragments, so one field at a time can be
    /// replaced by something wrong.
    struct Fields {
        var pairs: [(key: String, raw: String)]
        var text: String { "{" + pairs.map { "\"\($0.key)\": \($0.raw)" }.joined(separator: ", ") + "}" }
        func with(_ key: String, _ raw: String) -> Fields {
            var copy = self
            if let i = copy.pairs.firstIndex(where: { $0.key == key }) { copy.pairs[i].raw = raw } else { copy.pairs.append((key, raw)) }
            return copy
        }
    }

    /// The valid bodies every broken one derives from (never sent as they are).
    static func createBody(_ ids: CorpusIDs) -> Fields {
        Fields(pairs: [("contribuable_id", "\(ids.who)"), ("type_relance", #""sms""#), ("montant_due", #""5000""#),
                       ("date_planifiee", #""2026-11-24T08:00:00Z""#), ("affectation_taxe_id", "null"), ("message", #""Rappel""#),
                       ("date_echeance", #""2026-12-24""#), ("canal_envoi", #""0661234567""#), ("notes", #""note""#),
                       ("utilisateur_id", "1")])
    }

    static func manualItem(_ ids: CorpusIDs) -> Fields {
        Fields(pairs: [("contribuable_id", "\(ids.who)"), ("telephone_override", #""0770000000""#), ("montant_due", #""250""#),
                       ("date_echeance", #""2026-12-24""#), ("message", #""Bonjour""#), ("notes", #""n""#)])
    }

    static func manualBody(_ ids: CorpusIDs, item: Fields? = nil) -> Fields {
        Fields(pairs: [("type_relance", #""sms""#), ("message", #""Bonjour""#), ("montant_due", #""100""#),
                       ("date_echeance", #""2026-12-24""#), ("date_planifiee", #""2026-11-24T08:00:00Z""#), ("utilisateur_id", "1"),
                       ("notes", #""n""#), ("contribuables", "[\((item ?? manualItem(ids)).text)]")])
    }

    static let generateBody = Fields(pairs: [("jours_retard_min", "7"), ("type_relance", #""sms""#), ("limite", "10"),
                                             ("envoyer_automatiquement", "false")])

    static let updateBody = Fields(pairs: [("statut", #""annulee""#), ("date_envoi", "null"), ("reponse_recue", "true"),
                                           ("date_reponse", #""2026-11-25T09:00:00Z""#), ("notes", #""x""#)])

    /// The four endpoints that read a JSON body, with their valid body and a string
    /// field where bad bytes go.
    static func bodyEndpoints(_ ids: CorpusIDs) -> [(name: String, method: String, path: String, body: Fields, stringField: String)] {
        [("create", "POST", "/api/relances", createBody(ids), "message"),
         ("manuelles", "POST", "/api/relances/manuelles", manualBody(ids), "message"),
         ("generer-automatique", "POST", "/api/relances/generer-automatique", generateBody, "type_relance"),
         ("update", "PUT", "/api/relances/\(ids.pending)", updateBody, "notes")]
    }

    // MARK: invalid JSON

    static func jsonCases(_ ids: CorpusIDs) -> [MalformedCase] {
        var out: [MalformedCase] = []
        let deepArrays = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepObjects = String(repeating: #"{"a": "#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let megabyte = String(repeating: "x", count: 1_000_000)
        for e in bodyEndpoints(ids) {
            let valid = e.body.text
            let label = "\(e.name) (\(e.method) \(e.path))"
            var bodies: [(String, String)] = [
                ("truncated", String(valid.prefix(valid.count / 2))),
                ("trailing garbage", valid + " xyz"),
                ("a second document", valid + "\n{}"),
                ("an extra closing brace", valid + "}"),
                ("top level array", "[]"), ("top level string", #""texte""#), ("top level number", "42"),
                ("top level null", "null"), ("top level true", "true"), ("the body inside an array", "[\(valid)]"),
                ("10,000 nested arrays", deepArrays), ("10,000 nested objects", deepObjects),
                ("a comment", "/* x */" + valid), ("single quotes", valid.replacingOccurrences(of: "\"", with: "'")),
                ("a lone surrogate in \(e.stringField)", e.body.with(e.stringField, #""\uD800""#).text),
                ("a 1 MB string as type_relance/statut", e.body.with(e.name == "update" ? "statut" : "type_relance", "\"\(megabyte)\"").text),
            ]
            // An empty body asks generer-automatique for its defaults: valid, so not here.
            if e.name != "generer-automatique" { bodies.append(("empty body", "")) }
            for (what, body) in bodies { out.append(api("\(label): \(what)", e.method, e.path, body)) }
            // Bytes that are not UTF-8, inside an otherwise valid body.
            let marker = "@@BAD@@"
            let template = Array(e.body.with(e.stringField, "\"\(marker)\"").text.utf8)
            for (what, bad) in [("FF FE", [0xFF, 0xFE] as [UInt8]), ("a cut sequence C3", [0xC3]), ("an overlong slash C0 AF", [0xC0, 0xAF])] {
                out.append(api("\(label): invalid UTF-8 (\(what)) in \(e.stringField)", e.method, e.path, bytes: replace(Array(marker.utf8), with: bad, in: template)))
            }
        }
        // Over the 1 MB body limit: refused before a byte of it is parsed.
        let big = String(repeating: "x", count: 1_100_000)
        out.append(MalformedCase(name: "create: a 1.1 MB body", level: .wire,
                                 bytes: request("POST", "/api/relances", body: Array(createBody(ids).with("message", "\"\(big)\"").text.utf8))))
        return out
    }

    static func replace(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        for i in 0...(bytes.count - needle.count) where Array(bytes[i..<i + needle.count]) == needle {
            return Array(bytes[..<i]) + replacement + Array(bytes[(i + needle.count)...])
        }
        return bytes
    }

    // MARK: wrong types, field by field

    enum FieldKind { case int, string, date, montant, bool, list }

    /// Values of the wrong type (or an impossible value) for a field of `kind`.
    static func wrong(_ kind: FieldKind, required: Bool) -> [String] {
        var values: [String]
        switch kind {
        case .int: values = [#""un""#, "1.5", "true", "[]", "{}", "99999999999999999999"]
        case .string: values = ["42", "true", "[]", "{}"]
        case .date: values = ["20261124", "true", "[]", "{}", #""hier""#, #""2026-13-45""#, #""24/11/2026""#]
        case .montant: values = ["true", "[]", "{}", #""abc""#, #""-5""#, "-5", #""1e309""#, "1e309", #""12.345""#,
                                 #""99999999999999999999""#, "NaN", "-0.01"]
        case .bool: values = [#""oui""#, "1", "[]", "{}"]
        case .list: values = ["{}", #""1""#, "1", "[1]", "[[]]", "[]", "[null]"]
        }
        if required { values.append("null") }
        return values
    }

    static func fieldCases(_ ids: CorpusIDs) -> [MalformedCase] {
        var out: [MalformedCase] = []
        func each(_ label: String, _ method: String, _ path: String, _ body: Fields, _ fields: [(String, FieldKind, Bool)],
                  render: (Fields) -> String = { $0.text }) {
            for (field, kind, required) in fields {
                for value in wrong(kind, required: required) {
                    out.append(api("\(label): \(field) = \(value)", method, path, render(body.with(field, value))))
                }
            }
        }
        each("create", "POST", "/api/relances", createBody(ids), [
            ("contribuable_id", .int, true), ("type_relance", .string, true), ("montant_due", .montant, true),
            ("date_planifiee", .date, true), ("affectation_taxe_id", .int, false), ("message", .string, false),
            ("date_echeance", .date, false), ("canal_envoi", .string, false), ("notes", .string, false), ("utilisateur_id", .int, false)])
        each("manuelles", "POST", "/api/relances/manuelles", manualBody(ids), [
            ("type_relance", .string, true), ("message", .string, false), ("montant_due", .montant, false),
            ("date_echeance", .date, false), ("date_planifiee", .date, false), ("utilisateur_id", .int, false),
            ("notes", .string, false), ("contribuables", .list, true)])
        each("manuelles item", "POST", "/api/relances/manuelles", manualItem(ids), [
            ("contribuable_id", .int, true), ("telephone_override", .string, false), ("montant_due", .montant, false),
            ("date_echeance", .date, false), ("message", .string, false), ("notes", .string, false)],
             render: { manualBody(ids, item: $0).text })
        each("update", "PUT", "/api/relances/\(ids.pending)", updateBody, [
            ("statut", .string, false), ("date_envoi", .date, false), ("reponse_recue", .bool, false),
            ("date_reponse", .date, false), ("notes", .string, false)])
        // generer-automatique takes a number, a string or a boolean for each option.
        for (field, values) in [("jours_retard_min", ["-1", "36501", "1.5", #""abc""#, "[]", "{}", "true", "99999999999999999999"]),
                                ("type_relance", [#""fax""#, #""SMS""#, "5", "[]"]),
                                ("limite", ["0", "501", "-1", #""1e3""#, "[]", "99999999999999999999"]),
                                ("envoyer_automatiquement", [#""peut-être""#, "2", "[]", "{}"]),
                                ("preflight", [#""x""#, "{}", "[1]"])] {
            for value in values {
                out.append(api("generer-automatique: \(field) = \(value)", "POST", "/api/relances/generer-automatique",
                               generateBody.with(field, value).text))
            }
        }
        return out
    }

    // MARK: numbers, enum values, UTF-8 in the query

    static func numberAndEnumCases(_ ids: CorpusIDs) -> [MalformedCase] {
        var out: [MalformedCase] = []
        let huge = "99999999999999999999"
        for query in ["limit=-1", "limit=0", "limit=1001", "limit=\(huge)", "limit=abc", "limit=1e2", "limit=%205", "skip=-1",
                      "skip=\(huge)", "skip=2147483648", "contribuable_id=-1", "contribuable_id=0", "contribuable_id=\(huge)",
                      "contribuable_id=abc", "affectation_taxe_id=-5", "type_relance=fax", "type_relance=SMS",
                      "type_relance=sms%27%20OR%20%271%27%3D%271", "statut=perdu", "statut=ENVOYEE", "date_debut=2026-13-01",
                      "date_fin=hier", "date_debut=24%2F11%2F2026", "type_relance=%FF%FE", "statut=%C3", "limit=%",
                      "limit=%zz", "skip=%00"] {
            out.append(api("list ?\(query)", "GET", "/api/relances?\(query)"))
        }
        for query in ["date_debut=hier", "date_fin=2026%2F11%2F24", "date_debut=%FF%FE"] {
            out.append(api("statistiques ?\(query)", "GET", "/api/relances/statistiques?\(query)"))
        }
        for query in ["limit=0", "limit=201", "actif=peut-etre", "search=%FF%FE", "search=%E2%82"] {
            out.append(api("contribuables ?\(query)", "GET", "/api/contribuables?\(query)"))
        }
        for query in ["limite=0", "limite=501", "jours_retard_min=-1", "jours_retard_min=\(huge)", "type_relance=fax",
                      "envoyer_automatiquement=peut-etre", "preflight=%FF", "limite=%00"] {
            out.append(api("generer-automatique ?\(query)", "POST", "/api/relances/generer-automatique?\(query)"))
        }
        for id in ["-1", "0", huge, "1.5", "1e3", "0x10", "abc", "\(ids.missing)"] {
            out.append(api("GET relance \(id)", "GET", "/api/relances/\(id)"))
            out.append(api("PATCH envoyer \(id)", "PATCH", "/api/relances/\(id)/envoyer"))
            out.append(api("PUT relance \(id)", "PUT", "/api/relances/\(id)", #"{"notes": "x"}"#))
            out.append(api("historique of contribuable \(id)", "GET", "/api/relances/contribuable/\(id)/historique"))
        }
        out.append(api("historique ?limit=0", "GET", "/api/relances/contribuable/\(ids.who)/historique?limit=0"))
        out.append(api("historique ?limit=201", "GET", "/api/relances/contribuable/\(ids.who)/historique?limit=201"))
        out.append(api("create for an unknown contribuable", "POST", "/api/relances", createBody(ids).with("contribuable_id", "\(ids.missing)").text))
        out.append(api("create for an unknown affectation", "POST", "/api/relances", createBody(ids).with("affectation_taxe_id", "\(ids.missing)").text))
        out.append(api("create with another contribuable's affectation", "POST", "/api/relances", createBody(ids).with("affectation_taxe_id", "1").text))
        out.append(api("create with affectation_taxe_id -1", "POST", "/api/relances", createBody(ids).with("affectation_taxe_id", "-1").text))
        for t in [#""fax""#, #""SMS""#, #"" sms""#, #""""#] {
            out.append(api("create: type_relance \(t)", "POST", "/api/relances", createBody(ids).with("type_relance", t).text))
            out.append(api("manuelles: type_relance \(t)", "POST", "/api/relances/manuelles", manualBody(ids).with("type_relance", t).text))
        }
        for s in [#""perdu""#, #""envoi_en_cours""#, #""ENVOYEE""#, #""""#] {
            out.append(api("update: statut \(s)", "PUT", "/api/relances/\(ids.pending)", updateBody.with("statut", s).text))
        }
        out.append(api("manuelles: an unknown contribuable in the batch", "POST", "/api/relances/manuelles",
                       manualBody(ids).with("contribuables", "[\(manualItem(ids).text), \(manualItem(ids).with("contribuable_id", "\(ids.missing)").text)]").text))
        out.append(api("manuelles: no amount anywhere", "POST", "/api/relances/manuelles",
                       Fields(pairs: [("type_relance", #""sms""#), ("contribuables", "[{\"contribuable_id\": \(ids.who)}]")]).text))
        out.append(api("send a relance already sent", "PATCH", "/api/relances/\(ids.sent)/envoyer"))
        out.append(api("send a visite (no channel)", "PATCH", "/api/relances/\(ids.visite)/envoyer"))
        // A key the guard refuses must stop the request before it runs, valid body or not.
        out.append(api("Idempotency-Key of 201 characters", "POST", "/api/relances", createBody(ids).text,
                       headers: ["Idempotency-Key: " + String(repeating: "k", count: 201)]))
        out.append(api("Idempotency-Key with a control character", "POST", "/api/relances", createBody(ids).text,
                       headers: ["Idempotency-Key: a\u{7F}b"]))
        out.append(api("Idempotency-Key that is not ASCII", "PATCH", "/api/relances/\(ids.pending)/envoyer", nil,
                       headers: ["Idempotency-Key: clé-é"]))
        return out
    }

    // MARK: paths and methods

    static func pathAndMethodCases(_ ids: CorpusIDs) -> [MalformedCase] {
        var out: [MalformedCase] = []
        for path in ["/api/relances/..%2F..%2Fetc", "/api/relances/%2e%2e", "/api/relances/..", "/api/relances/1%00",
                     "/api/relances/%FF%FE", "/api/relances/%", "/api/relances/%zz", "/api/relances/1%2F..%2F..%2F..%2Fetc%2Fpasswd",
                     "/api/relances/1;DROP%20TABLE%20relance", "/api\\relances\\1", "/api/relances/"
                     + String(repeating: "a", count: 7_000), "/api/relances/" + String(repeating: "9", count: 400), "/api/rien",
                     "/api/relances/1/2/3/4", "/api/relances/\(ids.pending)/envoyer/encore"] {
            out.append(api("GET \(path.prefix(60))", "GET", path))
        }
        out.append(api("DELETE //api//relances", "DELETE", "//api//relances"))
        out.append(api("POST //api//relances with a broken body", "POST", "//api//relances", "{"))
        out.append(api("PATCH ///api/relances//\(ids.sent)//envoyer (already sent)", "PATCH", "///api/relances//\(ids.sent)//envoyer"))
        out.append(api("absolute form with a bad id", "GET", "http://evil.example/api/relances/-1"))
        let p = ids.pending
        for (method, path) in [("DELETE", "/api/relances"), ("DELETE", "/api/relances/\(p)"), ("PUT", "/api/relances/\(p)/envoyer"),
                               ("GET", "/api/relances/\(p)/envoyer"), ("POST", "/api/relances/\(p)"), ("PATCH", "/api/relances"),
                               ("POST", "/api/relances/statistiques"), ("PUT", "/api/relances/statistiques"),
                               ("DELETE", "/api/relances/manuelles"), ("GET", "/api/relances/generer-automatique"),
                               ("TRACE", "/api/relances"), ("CONNECT", "/api/relances"), ("get", "/api/relances"),
                               ("FOO", "/api/relances/\(p)"), ("DELETE", "/healthz"), ("POST", "/metrics"),
                               ("OPTIONS", "/api/relances"), ("PATCH", "/api/relances/\(p)")] {
            out.append(api("\(method) \(path)", method, path))
        }
        out.append(MalformedCase(name: "HEAD /api/relances/manuelles (POST only)", level: .api,
                                 bytes: request("HEAD", "/api/relances/manuelles"), headRequest: true))
        return out
    }

    // MARK: HTTP-level breakage

    static func wireCases() -> [MalformedCase] {
        let host = "Host: 127.0.0.1\r\n"
        var out: [MalformedCase] = [
            wire("garbage instead of a request line", "GARBAGE\r\n\r\n"),
            wire("no HTTP version", "GET /api/relances\r\n\r\n"),
            wire("four words in the request line", "GET /api/relances HTTP/1.1 extra\r\n\(host)\r\n"),
            wire("two spaces in the request line", "GET  /api/relances HTTP/1.1\r\n\(host)\r\n"),
            wire("a leading space", " GET /api/relances HTTP/1.1\r\n\(host)\r\n"),
            wire("FTP instead of HTTP", "GET /api/relances FTP/1.0\r\n\(host)\r\n"),
            wire("a method with a bracket", "G(ET /api/relances HTTP/1.1\r\n\(host)\r\n"),
            wire("a target without a slash", "GET api/relances HTTP/1.1\r\n\(host)\r\n"),
            wire("an asterisk target", "GET * HTTP/1.1\r\n\(host)\r\n"),
            wire("a NUL in the target", "GET /api/rel\u{0}ances HTTP/1.1\r\n\(host)\r\n"),
            wire("a lone CR in the request line", "GET /healthz HTTP/1.1\rX: y\r\n\(host)\r\n"),
            wire("a header without a colon", "GET /healthz HTTP/1.1\r\n\(host)NoColonHere\r\n\r\n"),
            wire("a space before the colon", "GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n"),
            wire("a folded header line", "GET /healthz HTTP/1.1\r\n\(host)X-A: 1\r\n folded\r\n\r\n"),
            wire("an empty header name", "GET /healthz HTTP/1.1\r\n\(host): value\r\n\r\n"),
            wire("a 40 KB header", "GET /healthz HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "a", count: 40_000))\r\n\r\n"),
            wire("4,000 small headers (47 KB)", "GET /healthz HTTP/1.1\r\n\(host)" + (0..<4_000).map { "X-H\($0): v\r\n" }.joined() + "\r\n"),
            wire("a 9,000-byte request line", "GET /api/relances/\(String(repeating: "a", count: 9_000)) HTTP/1.1\r\n\(host)\r\n"),
            wire("Content-Length: abc", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: abc\r\n\r\n{}"),
            wire("Content-Length: -5", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: -5\r\n\r\n{}"),
            wire("Content-Length: 1.5", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: 1.5\r\n\r\n{}"),
            wire("Content-Length: +2", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: +2\r\n\r\n{}"),
            wire("two different Content-Lengths", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
            wire("Content-Length of 14 digits", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: 99999999999999\r\n\r\n{}"),
            wire("Content-Length over the limit", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: 5000000\r\n\r\n"),
            wire("Expect: 100-continue over the limit", "POST /api/relances HTTP/1.1\r\n\(host)Expect: 100-continue\r\nContent-Length: 5000000\r\n\r\n"),
            // The body never arrives whole: the server's read timeout answers 408.
            wire("Content-Length larger than the body", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: 100\r\n\r\n{\"a\": 1}"),
            wire("Content-Length smaller than the body", "POST /api/relances HTTP/1.1\r\n\(host)Content-Length: 2\r\n\r\n{}{\"contribuable_id\": 1}"),
            wire("chunked garbage", "POST /api/relances HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n0\r\n\r\n"),
            wire("chunked and Content-Length", "POST /api/relances HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
            wire("five blank lines first", "\r\n\r\n\r\n\r\n\r\nGET /healthz HTTP/1.1\r\n\(host)\r\n"),
            // Bare LF never ends the head: the read timeout answers 408.
            wire("bare LF line endings", "GET /healthz HTTP/1.1\n\(host.dropLast(2))\n\n"),
        ]
        out.append(MalformedCase(name: "a raw FF byte in the target", level: .wire,
                                 bytes: request("GET", Array("/api/relances/".utf8) + [0xFF, 0xFE])))
        out.append(MalformedCase(name: "a header value that is not UTF-8", level: .wire,
                                 bytes: Array("GET /healthz HTTP/1.1\r\n\(host)X-Bad: ".utf8) + [0xC3, 0x28] + Array("\r\n\r\n".utf8)))
        // RFC 9110 §15.6.6 and RFC 9112 §6.1 name these two answers: the request is
        // understood as one this server does not implement, not a failure of the server.
        out.append(wire("HTTP/2.0 in an HTTP/1 request line (505 by RFC 9110)", "GET /api/relances HTTP/2.0\r\n\(host)\r\n", allowed: 505...505))
        out.append(wire("an unknown transfer coding (501 by RFC 9112)", "POST /api/relances HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", allowed: 501...501))
        return out
    }
}
