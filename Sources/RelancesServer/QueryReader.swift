import Foundation
import Gateway
import HTTP
import Relances

/// Reads and checks query (or body) parameters, answering the API's errors.
struct QueryReader {
    var values: [String: String]

    init(_ request: HTTPRequest) {
        var values: [String: String] = [:]
        for pair in request.query { values[pair.name] = pair.value }
        self.values = values
    }

    init(values: [String: String]) { self.values = values }

    func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = values[name], !text.isEmpty else { return value }
        guard let n = Int(text) else { throw .unprocessable(name, "entier attendu, reçu « \(text) »") }
        guard range.contains(n) else { throw .unprocessable(name, "doit être entre \(range.lowerBound) et \(range.upperBound)") }
        return n
    }

    func id(_ name: String) throws(APIError) -> Int64? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard let n = Int64(text), n > 0 else { throw .unprocessable(name, "identifiant entier attendu, reçu « \(text) »") }
        return n
    }

    func type(_ name: String = "type_relance") throws(APIError) -> RelanceType? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard let t = RelanceType(rawValue: text) else { throw .badRequest("Type de relance invalide") }
        return t
    }

    func statut(_ name: String = "statut") throws(APIError) -> RelanceStatut? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard let s = RelanceStatut(rawValue: text) else { throw .badRequest("Statut invalide") }
        return s
    }

    func day(_ name: String) throws(APIError) -> String? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard CivilDate.parse(text) != nil else { throw .badRequest("Format de \(name) invalide. Utilisez YYYY-MM-DD") }
        return text
    }

    /// Free text (a search), trimmed; nil when empty.
    func text(_ name: String, max: Int) throws(APIError) -> String? {
        guard let text = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.count <= max else { throw .unprocessable(name, "\(max) caractères au plus (\(text.count) reçus)") }
        return text
    }

    func bool(_ name: String, default value: Bool) throws(APIError) -> Bool {
        guard let text = values[name]?.lowercased(), !text.isEmpty else { return value }
        switch text {
        case "true", "1", "yes", "oui": return true
        case "false", "0", "no", "non": return false
        default: throw .unprocessable(name, "booléen attendu (true ou false), reçu « \(text) »")
        }
    }
}
