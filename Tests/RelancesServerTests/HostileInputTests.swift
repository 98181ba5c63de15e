import Foundation
import Gateway
import HTTP
import Relances
import Testing

/// Well-formed requests carrying hostile text (NUL, escapes, RTL marks, markup, SQL,
/// format strings, path tricks, header injection, 10,000 characters) in every text field
/// of every route that writes, and in the search: each is stored and given back byte for
/// byte, or refused with a 4xx naming the field; never a 5xx, never a header of its own,
/// and the server keeps serving. (Malformed requests are `MalformedAPIRequestTests`'.)
@Suite struct HostileInputTests {
    /// The corpus, as JSON string literals (escapes included) and the text they mean.
    static let corpus: [(json: String, text: String?)] = [
        (#""a\u0000b""#, "a\u{0}b"),
        (#""\u001b[31mrouge\u001b[0m""#, "\u{1B}[31mrouge\u{1B}[0m"),
        (#""\u202egnp.exe""#, "\u{202E}gnp.exe"),
        (#""<script>alert(document.cookie)</script>""#, "<script>alert(document.cookie)</script>"),
        (#""\"><img src=x onerror=alert(1)>""#, "\"><img src=x onerror=alert(1)>"),
        (#""javascript:alert(1)""#, "javascript:alert(1)"),
        (#""'; DROP TABLE relance; --""#, "'; DROP TABLE relance; --"),
        (#""%s%n%x {0} ${HOME} $(id) `id`""#, "%s%n%x {0} ${HOME} $(id) `id`"),
        (#""../../../../etc/passwd""#, "../../../../etc/passwd"),
        (#""a\r\nX-Injecte: 1\r\n\r\nHTTP/1.1 200 OK""#, "a\r\nX-Injecte: 1\r\n\r\nHTTP/1.1 200 OK"),
        (#""👩🏾‍💼 Nzé\u0301 ﷽""#, "👩🏾‍💼 Nzé\u{0301} ﷽"),
        ("\"" + String(repeating: "é", count: 10_000) + "\"", String(repeating: "é", count: 10_000)),
        (#""\ud800""#, nil),   // a lone surrogate: not text; refused or replaced, never a 5xx
    ]

    @Test(.timeLimit(.minutes(2)))
    func hostileTextIsKeptExactlyOrRefusedNeverA5xx() async throws {
        let rig = try APIRig()
        var problems: [String] = []
        func check(_ name: String, _ method: String, _ path: String, json: String?, expected: String?,
                   read: (Any?) -> String?) async throws {
            let (status, body, response) = try await rig.call(method, path, json: json)
            if status >= 500 { problems.append("\(name): \(status)") }
            if response.headers["X-Injecte"] != nil { problems.append("\(name): a header was injected") }
            if (200..<300).contains(status), let expected, read(body) != expected {
                problems.append("\(name): stored « \(String(describing: read(body)).prefix(60)) », not what was sent")
            }
            if status >= 400 && rig.detail(body)?.isEmpty != false { problems.append("\(name): \(status) without a detail") }
        }
        let pending = try rig.store.create(NewRelance(contribuableID: rig.who, type: .courrier, montantDue: Montant("1")!, datePlanifiee: Date())).id
        for (i, (json, text)) in Self.corpus.enumerated() {
            for field in ["message", "notes", "canal_envoi"] {
                let body = #"{"contribuable_id": \#(rig.who), "type_relance": "courrier", "montant_due": "1", "date_planifiee": "2026-11-2\#(i % 10)T08:00:00Z", "\#(field)": \#(json)}"#
                try await check("create \(field) #\(i)", "POST", "/api/relances", json: body, expected: text) { ($0 as? [String: Any])?[field] as? String }
            }
            for field in ["message", "notes", "telephone_override"] {
                // A phone override is taken for what goes to a phone only.
                let type = field == "telephone_override" ? "sms" : "courrier"
                let body = #"{"type_relance": "\#(type)", "montant_due": "1", "contribuables": [{"contribuable_id": \#(rig.who), "\#(field)": \#(json)}]}"#
                let key = field == "telephone_override" ? "canal_envoi" : field
                try await check("manuelles \(field) #\(i)", "POST", "/api/relances/manuelles", json: body, expected: text) {
                    (($0 as? [[String: Any]])?.first)?[key] as? String
                }
            }
            try await check("update notes #\(i)", "PUT", "/api/relances/\(pending)", json: #"{"notes": \#(json)}"#, expected: text) {
                ($0 as? [String: Any])?["notes"] as? String
            }
            if let text {
                let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                try await check("search #\(i)", "GET", "/api/contribuables?search=\(query)", json: nil, expected: nil) { _ in nil }
                for filter in ["statut", "type_relance", "date_debut", "contribuable_id"] {
                    let (status, _, _) = try await rig.call("GET", "/api/relances?\(filter)=\(query)")
                    if status != 200 && !(400..<500).contains(status) { problems.append("list \(filter) #\(i): \(status)") }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.joined(separator: "\n"))")
        #expect(try await rig.call("GET", "/healthz").0 == 200)
        // Nothing was sent: courrier has no channel in this rig, and nothing was asked to send.
        #expect(rig.sandbox.received.isEmpty)
    }
}
