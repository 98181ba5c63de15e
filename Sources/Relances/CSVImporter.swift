import Foundation
import Gateway

/// Imports the office's spreadsheet exports. Each file goes in one transaction: a bad
/// row is reported with its line number and reason, and nothing from that file is
/// imported until every row is right.
///
/// Importing the same file twice changes nothing: every row is matched to what it
/// imported before by its key, then created, updated or left unchanged.
/// - contribuables: their `reference` (the office's matricule); a row without one
///   matches a taxpayer without one of the same nom, prénom, téléphone and e-mail.
/// - taxes: their `nom`.
/// - affectations: (contribuable, taxe, `date_debut`).
/// - paiements: their `reference` (a receipt number); without one, (contribuable,
///   taxe, `date_collecte`, `montant`).
/// Affectations and paiements name their contribuable by `contribuable_id` (this
/// database's number) or `contribuable_reference`, their tax by `taxe_id` or `taxe`.
///
/// The file is read as a stream, one row at a time, so its size does not matter.
public struct CSVImporter: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case contribuables, taxes, affectations, paiements

        /// Required columns, then optional ones.
        public var columns: (required: [String], optional: [String]) {
            switch self {
            case .contribuables: (["nom"], ["prenom", "telephone", "email", "adresse", "actif", "reference"])
            case .taxes: (["nom", "montant", "periodicite"], [])
            case .affectations: (["contribuable_id", "taxe_id", "date_debut"], ["date_fin", "montant_custom", "actif", "contribuable_reference", "taxe"])
            case .paiements: (["contribuable_id", "taxe_id", "montant", "date_collecte"], ["statut", "annule", "reference", "contribuable_reference", "taxe"])
            }
        }

        /// Other names the office's exports give a column.
        var aliases: [String: String] {
            switch self {
            case .contribuables: ["matricule": "reference", "numero": "reference", "numero_contribuable": "reference", "ref": "reference"]
            case .affectations: ["matricule": "contribuable_reference", "contribuable_matricule": "contribuable_reference",
                                 "contribuable_numero": "contribuable_reference", "taxe_nom": "taxe"]
            case .paiements: ["matricule": "contribuable_reference", "contribuable_matricule": "contribuable_reference",
                              "contribuable_numero": "contribuable_reference", "taxe_nom": "taxe", "numero_recu": "reference", "recu": "reference"]
            case .taxes: [:]
            }
        }

        /// A required column another one can stand for.
        static let standIns = ["contribuable_id": "contribuable_reference", "taxe_id": "taxe"]
    }

    /// What an import did.
    public struct Summary: Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        /// Rows imported that something will refuse later (a phone number that cannot be
        /// made valid), with their line; at most ``CSVImporter/maxReported``.
        public var warnings: [String] = []
        /// Rows that were not UTF-8 and were read as Windows-1252 (converted, not refused).
        public var windows1252Rows = 0
        public var rows: Int { created + updated + unchanged }

        public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0, warnings: [String] = []) {
            self.created = created
            self.updated = updated
            self.unchanged = unchanged
            self.warnings = warnings
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String {
            "\(problems.count) problem(s), nothing imported:\n" + problems.prefix(50).map { "  - \($0)" }.joined(separator: "\n")
                + (problems.count > 50 ? "\n  … and \(problems.count - 50) more" : "")
        }
    }

    /// Problems and warnings kept for the report (the count goes on).
    public static let maxReported = 1_000

    public let store: any TaxRollImport
    /// The rule phone numbers are checked by (the SMS channel's default).
    public let phone: PhoneNumberFormat
    public let clock: any GatewayClock

    public init(store: any TaxRollImport, phone: PhoneNumberFormat = PhoneNumberFormat(), clock: any GatewayClock = SystemClock()) {
        self.store = store
        self.phone = phone
        self.clock = clock
    }

    /// Imports `text` (a whole file) as `kind`.
    @discardableResult
    public func importCSV(_ text: String, as kind: Kind, file: String = "file") throws -> Summary {
        var reader = CSVReader(Data(text.utf8))
        return try run(&reader, kind, file)
    }

    /// Imports the file at `path` as `kind`, reading it as a stream.
    @discardableResult
    public func importFile(atPath path: String, as kind: Kind) throws -> Summary {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(problems: ["\(path): cannot be read"]) }
        defer { try? handle.close() }
        var reader = CSVReader(file: handle)
        return try run(&reader, kind, path)
    }

    private func run(_ reader: inout CSVReader, _ kind: Kind, _ file: String) throws -> Summary {
        let header: [String]
        do {
            guard let first = try reader.next() else { throw Failure(problems: ["\(file): \(CSVParser.Failure.empty)"]) }
            header = first.fields.map { name in
                let n = Self.columnName(name)
                return kind.aliases[n] ?? Self.commonAliases[n] ?? n
            }
        } catch let failure as CSVParser.Failure {
            throw Failure(problems: ["\(file): \(failure)"])
        }
        let (required, optional) = kind.columns
        let all = (required + optional).joined(separator: ", ")
        var problems: [String] = []
        for column in required where !header.contains(column) && !(Kind.standIns[column].map(header.contains) ?? false) {
            let or = Kind.standIns[column].map { " (or '\($0)')" } ?? ""
            problems.append("\(file): line 1: missing column '\(column)'\(or) (columns for \(kind.rawValue): \(all))")
        }
        for column in header where !required.contains(column) && !optional.contains(column) {
            problems.append("\(file): line 1: unknown column '\(column)' (columns for \(kind.rawValue): \(all))")
        }
        var seen: Set<String> = []
        for column in header where !seen.insert(column).inserted {
            // Otherwise the later one silently wins.
            problems.append("\(file): line 1: column '\(column)' appears twice; keep one")
        }
        if !problems.isEmpty { throw Failure(problems: problems) }

        var summary = Summary()
        var problemCount = 0
        func problem(_ text: String) {
            problemCount += 1
            if problems.count < Self.maxReported { problems.append(text) }
        }
        let now = clock.now()
        do {
            try store.importRows(kind, header: Set(header), phone: phone, now: now) { (write: RowWrite) throws(StoreError) in
                while true {
                    let row: CSVParser.Row
                    do {
                        guard let next = try reader.next() else { break }
                        row = next
                    } catch {
                        problem("\(file): \(error)")
                        break
                    }
                    guard row.fields.count == header.count else {
                        problem("\(file): line \(row.line): \(row.fields.count) field(s), the header has \(header.count)")
                        continue
                    }
                    var values: [String: String] = [:]
                    var nul: String?
                    for (name, value) in zip(header, row.fields) {
                        // SQLite would keep the text only up to it: refused, not cut.
                        if value.utf8.contains(0) && nul == nil { nul = name }
                        values[name] = Self.trimmed(value)
                    }
                    if let nul {
                        problem("\(file): line \(row.line): column '\(nul)' contains a NUL character (\\0); remove it and import again")
                        continue
                    }
                    do throws(RowError) {
                        let outcome = try write(values, problemCount == 0)
                        switch outcome.change {
                        case .created: summary.created += 1
                        case .updated: summary.updated += 1
                        case .unchanged: summary.unchanged += 1
                        }
                        if let warning = outcome.warning, summary.warnings.count < Self.maxReported {
                            summary.warnings.append("\(file): line \(row.line): \(warning)")
                        }
                    } catch {
                        problem("\(file): line \(row.line): \(error.message)")
                    }
                }
                if problemCount > 0 { throw StoreError.invalid("rolled back") }
                summary.windows1252Rows = reader.windows1252Rows
            }
        } catch {
            if problemCount == 0 { throw Failure(problems: ["\(file): \(error)"]) }
            if problemCount > problems.count { problems.append("… and \(problemCount - problems.count) more problem(s)") }
            throw Failure(problems: problems)
        }
        return summary
    }

    /// Why a row cannot be imported (the report's line says it).
    public struct RowError: Error {
        public var message: String
        public init(message: String) { self.message = message }
    }

    /// What importing a row did.
    public enum Change: Sendable { case created, updated, unchanged }

    /// Writes one row (its values by column; `writing` false: checked only), saying what
    /// it changed and, maybe, a warning for the report (see ``TaxRollImport``).
    public typealias RowWrite = (_ values: [String: String], _ writing: Bool) throws(RowError) -> (change: Change, warning: String?)

    /// A header as a spreadsheet user types it, made a column name: « Prénom » is
    /// `prenom`, « Date début » `date_debut`, « E-mail » `e_mail` (case, accents,
    /// spaces, hyphens and apostrophes do not matter).
    static func columnName(_ header: String) -> String {
        let folded = header.trimmingCharacters(in: .whitespaces)
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR")).lowercased()
        var out = ""
        for ch in folded {
            if ch == " " || ch == "-" || ch == "'" || ch == "’" || ch == "." {
                if !out.isEmpty && !out.hasSuffix("_") { out.append("_") }
            } else {
                out.append(ch)
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out
    }

    /// Names any kind's file may give a column, as French spreadsheets head them.
    static let commonAliases = ["e_mail": "email", "courriel": "email", "mail": "email", "tel": "telephone",
                                "telephone_portable": "telephone", "portable": "telephone", "n_telephone": "telephone"]

    /// `text` without the spaces and tabs around it (non-breaking ones too), as
    /// `trimmingCharacters(in: .whitespaces)` but without going through NSString: a
    /// field rarely has any, and a million rows have millions of fields.
    static func trimmed(_ text: String) -> String {
        func blank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s.properties.generalCategory == .spaceSeparator }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last, blank(first) || blank(last) else { return text }
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end && blank(scalars[start]) { start = scalars.index(after: start) }
        while end > start && blank(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
