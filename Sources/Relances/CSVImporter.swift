import Foundation
import Gateway

/// Imports the office's spreadsheet exports. Each file goes in one transaction: a bad
/// row is reported with its line number and reason, and nothing from that file is
/// imported until every row is right.
public struct CSVImporter: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case contribuables, taxes, affectations, paiements

        /// Required columns, then optional ones.
        public var columns: (required: [String], optional: [String]) {
            switch self {
            case .contribuables: (["nom"], ["prenom", "telephone", "email", "adresse", "actif"])
            case .taxes: (["nom", "montant", "periodicite"], [])
            case .affectations: (["contribuable_id", "taxe_id", "date_debut"], ["date_fin", "montant_custom", "actif"])
            case .paiements: (["contribuable_id", "taxe_id", "montant", "date_collecte"], ["statut", "annule"])
            }
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String {
            "\(problems.count) problem(s), nothing imported:\n" + problems.prefix(50).map { "  - \($0)" }.joined(separator: "\n")
                + (problems.count > 50 ? "\n  … and \(problems.count - 50) more" : "")
        }
    }

    public let store: SQLiteRelanceStore

    public init(store: SQLiteRelanceStore) { self.store = store }

    /// Imports `text` (a whole file) as `kind`; answers the number of rows imported.
    public func importCSV(_ text: String, as kind: Kind, file: String = "file") throws -> Int {
        let rows: [CSVParser.Row]
        switch CSVParser.parse(text) {
        case .success(let r): rows = r
        case .failure(let f): throw Failure(problems: ["\(file): \(f)"])
        }
        let header = rows[0].fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let (required, optional) = kind.columns
        var problems: [String] = []
        for column in required where !header.contains(column) {
            problems.append("\(file): line 1: missing column '\(column)' (columns for \(kind.rawValue): \((required + optional).joined(separator: ", ")))")
        }
        for column in header where !required.contains(column) && !optional.contains(column) {
            problems.append("\(file): line 1: unknown column '\(column)' (columns for \(kind.rawValue): \((required + optional).joined(separator: ", ")))")
        }
        var seen: Set<String> = []
        for column in header where !seen.insert(column).inserted {
            // Otherwise the later one silently wins.
            problems.append("\(file): line 1: column '\(column)' appears twice; keep one")
        }
        if !problems.isEmpty { throw Failure(problems: problems) }
        var statements: [(String, [SQLValue])] = []
        for row in rows.dropFirst() {
            guard row.fields.count == header.count else {
                problems.append("\(file): line \(row.line): \(row.fields.count) field(s), the header has \(header.count)")
                continue
            }
            var values: [String: String] = [:]
            for (name, value) in zip(header, row.fields) { values[name] = value.trimmingCharacters(in: .whitespaces) }
            switch Self.statement(kind, values) {
            case .success(let s): statements.append(s)
            case .failure(let why): problems.append("\(file): line \(row.line): \(why.message)")
            }
        }
        if !problems.isEmpty { throw Failure(problems: problems) }
        let now = ISO8601.string(from: Date())
        do {
            try store.database.transaction { (s: Session) throws(StoreError) in
                for (index, (sql, values)) in statements.enumerated() {
                    do throws(StoreError) {
                        try s.run(sql, kind == .contribuables ? values + [.text(now)] : values)
                    } catch {
                        let why = error.description.contains("FOREIGN KEY") ? "unknown contribuable_id or taxe_id" : error.description
                        throw StoreError.invalid("\(file): line \(rows[index + 1].line): \(why)")
                    }
                }
            }
        } catch {
            throw Failure(problems: ["\(error)"])
        }
        return statements.count
    }

    struct RowError: Error { var message: String }

    static func statement(_ kind: Kind, _ v: [String: String]) -> Result<(String, [SQLValue]), RowError> {
        func text(_ k: String) -> SQLValue { (v[k] ?? "").isEmpty ? .null : .text(v[k]!) }
        func bool(_ k: String, default d: Bool) -> Result<SQLValue, RowError> {
            switch (v[k] ?? "").lowercased() {
            case "": .success(.int(d ? 1 : 0))
            case "1", "true", "oui", "vrai", "yes": .success(.int(1))
            case "0", "false", "non", "faux", "no": .success(.int(0))
            default: .failure(RowError(message: "\(k) '\(v[k]!)' must be oui/non, true/false or 1/0"))
            }
        }
        func id(_ k: String) -> Result<SQLValue, RowError> {
            guard let n = Int64(v[k] ?? ""), n > 0 else { return .failure(RowError(message: "\(k) '\(v[k] ?? "")' is not an id")) }
            return .success(.int(n))
        }
        func amount(_ k: String, optional: Bool = false) -> Result<SQLValue, RowError> {
            let raw = v[k] ?? ""
            if optional && raw.isEmpty { return .success(.null) }
            guard let m = Montant(raw) else { return .failure(RowError(message: "\(k) '\(raw)' is not an amount (e.g. 5000 or 5000.50)")) }
            return .success(.int(m.centimes))
        }
        func day(_ k: String, optional: Bool = false) -> Result<SQLValue, RowError> {
            let raw = v[k] ?? ""
            if optional && raw.isEmpty { return .success(.null) }
            guard CivilDate.parse(String(raw.prefix(10))) != nil, raw.count == 10 || ISO8601.date(from: raw) != nil else {
                return .failure(RowError(message: "\(k) '\(raw)' is not a date as YYYY-MM-DD"))
            }
            return .success(.text(raw))
        }
        do throws(RowError) {
            switch kind {
            case .contribuables:
                guard !(v["nom"] ?? "").isEmpty else { return .failure(RowError(message: "nom is empty")) }
                return .success(("INSERT INTO contribuable (nom, prenom, telephone, email, adresse, actif, created_at) VALUES (?,?,?,?,?,?,?)",
                                 [.text(v["nom"]!), .text(v["prenom"] ?? ""), text("telephone"), text("email"), text("adresse"), try bool("actif", default: true).get()]))
            case .taxes:
                guard !(v["nom"] ?? "").isEmpty else { return .failure(RowError(message: "nom is empty")) }
                guard let p = Periodicite(rawValue: (v["periodicite"] ?? "").lowercased()) else {
                    return .failure(RowError(message: "periodicite '\(v["periodicite"] ?? "")' must be one of \(Periodicite.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                return .success(("INSERT INTO taxe (nom, montant, periodicite) VALUES (?,?,?)", [.text(v["nom"]!), try amount("montant").get(), .text(p.rawValue)]))
            case .affectations:
                if let start = v["date_debut"], let end = v["date_fin"], !end.isEmpty, end.prefix(10) < start.prefix(10) {
                    return .failure(RowError(message: "date_fin '\(end)' is before date_debut '\(start)'"))
                }
                return .success(("INSERT INTO affectation_taxe (contribuable_id, taxe_id, date_debut, date_fin, montant_custom, actif) VALUES (?,?,?,?,?,?)",
                                 [try id("contribuable_id").get(), try id("taxe_id").get(), try day("date_debut").get(),
                                  try day("date_fin", optional: true).get(), try amount("montant_custom", optional: true).get(), try bool("actif", default: true).get()]))
            case .paiements:
                let statut = (v["statut"] ?? "").isEmpty ? "completed" : v["statut"]!.lowercased()
                guard InfoCollecte.Statut(rawValue: statut) != nil else {
                    return .failure(RowError(message: "statut '\(statut)' must be one of pending, completed, failed, cancelled"))
                }
                return .success(("INSERT INTO info_collecte (contribuable_id, taxe_id, montant, date_collecte, statut, annule) VALUES (?,?,?,?,?,?)",
                                 [try id("contribuable_id").get(), try id("taxe_id").get(), try amount("montant").get(), try day("date_collecte").get(),
                                  .text(statut), try bool("annule", default: false).get()]))
            }
        } catch {
            return .failure(error)
        }
    }
}
