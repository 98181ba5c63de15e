import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// The file's one transaction; each row written by ``ImportRow``.
    public func importRows(_ kind: CSVImporter.Kind, header: Set<String>, phone: PhoneNumberFormat, now: Date,
                           _ rows: (_ write: CSVImporter.RowWrite) throws(StoreError) -> Void) throws(StoreError) {
        let writer = ImportRow(kind: kind, header: header, phone: phone, now: now)
        try database.transaction { (s: Session) throws(StoreError) in
            try rows { (values, writing) throws(CSVImporter.RowError) in try writer.write(values, in: s, writing: writing) }
        }
    }

    /// Writes one row of a file: finds what it imported before by the kind's key, then
    /// creates, updates (only the columns the file has) or leaves it.
    struct ImportRow {
        let kind: CSVImporter.Kind
        let header: Set<String>
        let phone: PhoneNumberFormat
        let now: Date

        func write(_ v: [String: String], in s: Session, writing: Bool) throws(CSVImporter.RowError) -> (change: CSVImporter.Change, warning: String?) {
            do throws(StoreError) {
                switch kind {
                case .contribuables: return try contribuable(v, s, writing)
                case .taxes: return (try taxe(v, s, writing), nil)
                case .affectations: return (try affectation(v, s, writing), nil)
                case .paiements: return (try paiement(v, s, writing), nil)
                }
            } catch {
                if case .constraint(let why) = error, why.contains("FOREIGN KEY") {
                    throw CSVImporter.RowError(message: "unknown contribuable_id or taxe_id")
                }
                throw CSVImporter.RowError(message: error.description)
            }
        }

        // MARK: the kinds

        func contribuable(_ v: [String: String], _ s: Session, _ writing: Bool) throws(StoreError) -> (change: CSVImporter.Change, warning: String?) {
            guard let nom = v["nom"], !nom.isEmpty else { throw .invalid("nom is empty") }
            let given: [String: SQLValue] = try row(v, [
                ("nom", { _ in .text(nom) }), ("prenom", { .text($0) }), ("telephone", Self.text), ("email", Self.text),
                ("adresse", Self.text), ("actif", { v throws(StoreError) in try Self.bool("actif", v, default: true) }),
            ])
            let reference = v["reference"].flatMap { $0.isEmpty ? nil : $0 }
            let (columns, read) = Self.contribuableColumns
            let found: [String: SQLValue]?
            if let reference {
                found = try s.row("SELECT \(columns) FROM contribuable WHERE reference = ?", [.text(reference)], read)
            } else {
                found = try s.row("SELECT \(columns) FROM contribuable WHERE reference IS NULL AND nom = ? AND prenom = ? AND telephone IS ? AND email IS ? ORDER BY id LIMIT 1",
                                  [.text(nom), given["prenom"] ?? .text(""), given["telephone"] ?? .null, given["email"] ?? .null], read)
            }
            var warning: String?
            if let number = v["telephone"], !number.isEmpty, case .failure(let why) = phone.format(number) {
                warning = "contribuable \(nom)\(reference.map { " (\($0))" } ?? ""): \(phone.explain(why))"
            }
            let change = try upsert(s, table: "contribuable", found: found, given: given, writing: writing,
                                    inserted: ["prenom": .text(""), "actif": .int(1), "reference": .optional(reference),
                                               "created_at": .text(ISO8601.string(from: now))])
            return (change, warning)
        }

        func taxe(_ v: [String: String], _ s: Session, _ writing: Bool) throws(StoreError) -> CSVImporter.Change {
            guard let nom = v["nom"], !nom.isEmpty else { throw .invalid("nom is empty") }
            guard let p = Periodicite(rawValue: (v["periodicite"] ?? "").lowercased()) else {
                throw .invalid("periodicite '\(v["periodicite"] ?? "")' must be one of \(Periodicite.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let given: [String: SQLValue] = ["nom": .text(nom), "montant": try Self.amount("montant", v), "periodicite": .text(p.rawValue)]
            let (columns, read) = Self.taxeColumns
            let found = try s.row("SELECT \(columns) FROM taxe WHERE nom = ? ORDER BY id LIMIT 1", [.text(nom)], read)
            return try upsert(s, table: "taxe", found: found, given: given, writing: writing, inserted: [:])
        }

        func affectation(_ v: [String: String], _ s: Session, _ writing: Bool) throws(StoreError) -> CSVImporter.Change {
            let who = try contribuableID(v, s)
            let tax = try taxeID(v, s)
            let start = try Self.day("date_debut", v)
            if case .text(let first) = start, let given = v["date_fin"], !given.isEmpty, case let end = Self.frenchDate(given) ?? given, end.prefix(10) < first.prefix(10) {
                throw .invalid("date_fin '\(end)' is before date_debut '\(first)'")
            }
            var given: [String: SQLValue] = try row(v, [
                ("date_fin", { v throws(StoreError) in try Self.day("date_fin", v, optional: true) }),
                ("montant_custom", { v throws(StoreError) in try Self.amount("montant_custom", v, optional: true) }),
                ("actif", { v throws(StoreError) in try Self.bool("actif", v, default: true) }),
            ])
            given["contribuable_id"] = .int(who)
            given["taxe_id"] = .int(tax)
            given["date_debut"] = start
            let (columns, read) = Self.affectationColumns
            let found = try s.row("SELECT \(columns) FROM affectation_taxe WHERE contribuable_id = ? AND taxe_id = ? AND date_debut = ? ORDER BY id LIMIT 1",
                                  [.int(who), .int(tax), start], read)
            return try upsert(s, table: "affectation_taxe", found: found, given: given, writing: writing, inserted: ["actif": .int(1)])
        }

        func paiement(_ v: [String: String], _ s: Session, _ writing: Bool) throws(StoreError) -> CSVImporter.Change {
            let who = try contribuableID(v, s)
            let tax = try taxeID(v, s)
            let statut = (v["statut"] ?? "").isEmpty ? "completed" : v["statut"]!.lowercased()
            guard InfoCollecte.Statut(rawValue: statut) != nil else {
                throw .invalid("statut '\(statut)' must be one of pending, completed, failed, cancelled")
            }
            let montant = try Self.amount("montant", v)
            let date = try Self.day("date_collecte", v)
            var given: [String: SQLValue] = ["contribuable_id": .int(who), "taxe_id": .int(tax), "montant": montant, "date_collecte": date]
            if header.contains("statut") { given["statut"] = .text(statut) }
            if header.contains("annule") { given["annule"] = try Self.bool("annule", v["annule"] ?? "", default: false) }
            let reference = v["reference"].flatMap { $0.isEmpty ? nil : $0 }
            let (columns, read) = Self.paiementColumns
            let found: [String: SQLValue]?
            if let reference {
                found = try s.row("SELECT \(columns) FROM info_collecte WHERE reference = ?", [.text(reference)], read)
            } else {
                found = try s.row("SELECT \(columns) FROM info_collecte WHERE contribuable_id = ? AND taxe_id = ? AND date_collecte = ? AND montant = ? AND reference IS NULL ORDER BY id LIMIT 1",
                                  [.int(who), .int(tax), date, montant], read)
            }
            let change = try upsert(s, table: "info_collecte", found: found, given: given, writing: writing,
                                    inserted: ["statut": .text("completed"), "annule": .int(0), "reference": .optional(reference)])
            let settled = (given["statut"] ?? found?["statut"] ?? .text("completed")) == .text("completed")
                && (given["annule"] ?? found?["annule"] ?? .int(0)) == .int(0)
            if writing && settled, case .text(let day) = date {
                try SQLiteRelanceStore.cancelSettledRelances(s, contribuableID: who, taxeID: tax, dateCollecte: day, now: now)
            }
            return change
        }

        // MARK: keys and writes

        /// `contribuable_id`, else the taxpayer whose `reference` is `contribuable_reference`.
        func contribuableID(_ v: [String: String], _ s: Session) throws(StoreError) -> Int64 {
            if let text = v["contribuable_id"], !text.isEmpty || !header.contains("contribuable_reference") { return try Self.id("contribuable_id", text) }
            let reference = v["contribuable_reference"] ?? ""
            guard !reference.isEmpty else { throw .invalid("contribuable_reference is empty") }
            guard let id = try s.row("SELECT id FROM contribuable WHERE reference = ?", [.text(reference)], { $0.int(0) }) else {
                throw .invalid("unknown contribuable_reference '\(reference)' (import the contribuables with their reference first)")
            }
            return id
        }

        /// `taxe_id`, else the tax named `taxe`.
        func taxeID(_ v: [String: String], _ s: Session) throws(StoreError) -> Int64 {
            if let text = v["taxe_id"], !text.isEmpty || !header.contains("taxe") { return try Self.id("taxe_id", text) }
            let name = v["taxe"] ?? ""
            guard !name.isEmpty else { throw .invalid("taxe is empty") }
            guard let id = try s.row("SELECT id FROM taxe WHERE nom = ? ORDER BY id LIMIT 1", [.text(name)], { $0.int(0) }) else {
                throw .invalid("unknown taxe '\(name)'")
            }
            return id
        }

        /// The values of the columns the file has.
        func row(_ v: [String: String], _ parsers: [(String, (String) throws(StoreError) -> SQLValue)]) throws(StoreError) -> [String: SQLValue] {
            var out: [String: SQLValue] = [:]
            for (column, parse) in parsers where header.contains(column) { out[column] = try parse(v[column] ?? "") }
            return out
        }

        /// Inserts `given` (with `inserted`'s defaults) when nothing was found; else
        /// updates the columns whose value differs.
        func upsert(_ s: Session, table: String, found: [String: SQLValue]?, given: [String: SQLValue], writing: Bool,
                    inserted: [String: SQLValue]) throws(StoreError) -> CSVImporter.Change {
            guard let found, case .int(let id) = found["id"] else {
                if writing {
                    let values = inserted.merging(given) { $1 }.sorted { $0.key < $1.key }
                    try s.run("INSERT INTO \(table) (\(values.map(\.key).joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))",
                              values.map(\.value))
                }
                return .created
            }
            let changed = given.filter { found[$0.key] != nil && found[$0.key] != $0.value }.sorted { $0.key < $1.key }
            guard !changed.isEmpty else { return .unchanged }
            if writing {
                try s.run("UPDATE \(table) SET \(changed.map { "\($0.key) = ?" }.joined(separator: ", ")) WHERE id = ?", changed.map(\.value) + [.int(id)])
            }
            return .updated
        }

        /// What each kind reads back of a row it finds, made once.
        static let contribuableColumns = columns("id, nom, prenom, telephone, email, adresse, actif")
        static let taxeColumns = columns("id, montant, periodicite")
        static let affectationColumns = columns("id, date_fin, montant_custom, actif")
        static let paiementColumns = columns("id, contribuable_id, taxe_id, montant, date_collecte, statut, annule")

        /// The SQL list of `list`'s columns, and a reader of a row as column → value.
        static func columns(_ list: String) -> (String, @Sendable (Statement) -> [String: SQLValue]) {
            let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return (list, { r in
                var out: [String: SQLValue] = [:]
                for (i, name) in names.enumerated() {
                    let c = Int32(i)
                    out[name] = r.isNull(c) ? .null : (["id", "contribuable_id", "taxe_id", "montant", "montant_custom", "actif", "annule"].contains(name)
                                                       ? .int(r.int(c)) : .text(r.text(c)))
                }
                return out
            })
        }

        // MARK: values

        static func text(_ raw: String) -> SQLValue { raw.isEmpty ? .null : .text(raw) }

        static func bool(_ column: String, _ raw: String, default d: Bool) throws(StoreError) -> SQLValue {
            switch raw.lowercased() {
            case "": .int(d ? 1 : 0)
            case "1", "true", "oui", "vrai", "yes": .int(1)
            case "0", "false", "non", "faux", "no": .int(0)
            default: throw .invalid("\(column) '\(raw)' must be oui/non, true/false or 1/0")
            }
        }

        static func id(_ column: String, _ raw: String) throws(StoreError) -> Int64 {
            guard let n = Int64(raw), n > 0 else { throw .invalid("\(column) '\(raw)' is not an id") }
            return n
        }

        static func amount(_ column: String, _ v: [String: String], optional: Bool = false) throws(StoreError) -> SQLValue {
            try amount(column, v[column] ?? "", optional: optional)
        }

        static func amount(_ column: String, _ raw: String, optional: Bool = false) throws(StoreError) -> SQLValue {
            if optional && raw.isEmpty { return .null }
            guard let m = Montant(raw) else { throw .invalid("\(column) '\(raw)' is not an amount (e.g. 5000 or 5000.50)") }
            return .int(m.centimes)
        }

        static func day(_ column: String, _ v: [String: String], optional: Bool = false) throws(StoreError) -> SQLValue {
            try day(column, v[column] ?? "", optional: optional)
        }

        static func day(_ column: String, _ given: String, optional: Bool = false) throws(StoreError) -> SQLValue {
            if optional && given.isEmpty { return .null }
            let raw = frenchDate(given) ?? given
            guard CivilDate.parse(String(raw.prefix(10))) != nil, raw.count == 10 || ISO8601.date(from: raw) != nil else {
                throw .invalid("\(column) '\(given)' is not a date as YYYY-MM-DD or DD/MM/YYYY")
            }
            return .text(raw)
        }

        /// `01/09/2026` (or `1/9/2026`, `01.09.2026`), as a French spreadsheet writes
        /// the 1st of September, as `2026-09-01`; nil for anything else.
        static func frenchDate(_ text: String) -> String? {
            let parts = text.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "." }
            guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
                  let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
            let iso = String(format: "%04d-%02d-%02d", y, m, d)
            return CivilDate.parse(iso) != nil ? iso : nil
        }
    }
}
