import CSQLite
import Foundation
import Gateway
import Synchronization

/// The store on SQLite: WAL, foreign keys, prepared statements, migrations at open.
/// It implements every store capability (``OfficeStore``): a composition root (the
/// CLI's opener, `serve`, the demo's and the bench's setup, tests) constructs it, and
/// everything else takes the capability it uses.
public final class SQLiteRelanceStore: OfficeStore {
    public let database: Database
    /// One dashboard at a time catches up the sent SMS' segment counts
    /// (``countSegments(_:)``): the others wait for it rather than count them again.
    let segmentCounting = Mutex(())

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws(StoreError) {
        database = try Database(path: path)
        try migrate()
    }

    /// `PRAGMA application_id` of a demo database ("RDMO"): `demo` and `serve --demo`
    /// replace or reuse only a file that carries it, never the office's database.
    static let demoApplicationID: Int32 = 0x5244_4D4F

    /// Marks this database as demo data.
    public func markAsDemo() throws(StoreError) {
        try database.execute("PRAGMA application_id = \(Self.demoApplicationID)")
    }

    /// Whether the existing file at `path` is a demo database, read without changing it
    /// (no migration, nothing created): false for anything else, a non-database too.
    public static func isDemoDatabase(atPath path: String) -> Bool {
        var handle: OpaquePointer?
        defer { if let handle { sqlite3_close_v2(handle) } }
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let handle else { return false }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, "PRAGMA application_id", -1, &statement, nil) == SQLITE_OK, let statement else { return false }
        defer { sqlite3_finalize(statement) }
        return sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_int(statement, 0) == demoApplicationID
    }

    /// A batch's claims and results go through a writer thread of its own that commits
    /// a group of results a transaction (``OutcomeWriter``).
    public func openSending(_ batch: SendingBatch, clock: any GatewayClock, logger: Logger) -> any SendingSession {
        OutcomeWriter(store: self, batch: batch, clock: clock, logger: logger)
    }

    private func migrate() throws(StoreError) {
        try database.transaction { (s: Session) throws(StoreError) in
            let version = try s.row("PRAGMA user_version") { $0.int(0) } ?? 0
            guard version <= Int64(Schema.migrations.count) else {
                throw StoreError.database("the database is at version \(version), newer than this program knows (\(Schema.migrations.count)); use a newer relances")
            }
            for (i, sql) in Schema.migrations.enumerated() where Int64(i) >= version {
                try s.execute(sql)
                try s.execute("PRAGMA user_version = \(i + 1)")
            }
        }
    }

    // MARK: reference data

    @discardableResult
    public func add(_ c: Contribuable, now: Date = Date()) throws(StoreError) -> Int64 {
        try database.withConnection { (s: Session) throws(StoreError) -> Int64 in
            try s.run("INSERT INTO contribuable (nom, prenom, telephone, email, adresse, actif, created_at) VALUES (?,?,?,?,?,?,?)",
                      [.text(c.nom), .text(c.prenom), .optional(c.telephone), .optional(c.email), .optional(c.adresse),
                       .int(c.actif ? 1 : 0), .text(ISO8601.string(from: now))])
            return s.lastInsertID
        }
    }

    @discardableResult
    public func add(_ t: Taxe) throws(StoreError) -> Int64 {
        try database.withConnection { (s: Session) throws(StoreError) -> Int64 in
            try s.run("INSERT INTO taxe (nom, montant, periodicite) VALUES (?,?,?)",
                      [.text(t.nom), .int(t.montant.centimes), .text(t.periodicite.rawValue)])
            return s.lastInsertID
        }
    }

    @discardableResult
    public func add(_ a: AffectationTaxe) throws(StoreError) -> Int64 {
        try database.withConnection { (s: Session) throws(StoreError) -> Int64 in
            try s.run("INSERT INTO affectation_taxe (contribuable_id, taxe_id, date_debut, date_fin, montant_custom, actif) VALUES (?,?,?,?,?,?)",
                      [.int(a.contribuableID), .int(a.taxeID), .text(a.dateDebut), .optional(a.dateFin),
                       .optional(a.montantCustom?.centimes), .int(a.actif ? 1 : 0)])
            return s.lastInsertID
        }
    }

    /// Records a payment; a completed one cancels the pending relances of the debts it
    /// settles, in the same transaction.
    @discardableResult
    public func add(_ p: InfoCollecte, now: Date = Date()) throws(StoreError) -> Int64 {
        try database.transaction { (s: Session) throws(StoreError) -> Int64 in
            try s.run("INSERT INTO info_collecte (contribuable_id, taxe_id, montant, date_collecte, statut, annule) VALUES (?,?,?,?,?,?)",
                      [.int(p.contribuableID), .int(p.taxeID), .int(p.montant.centimes), .text(p.dateCollecte),
                       .text(p.statut.rawValue), .int(p.annule ? 1 : 0)])
            let id = s.lastInsertID
            if p.statut == .completed && !p.annule {
                try Self.cancelSettledRelances(s, contribuableID: p.contribuableID, taxeID: p.taxeID, dateCollecte: p.dateCollecte, now: now)
            }
            return id
        }
    }

    /// Opens an unpaid-debt file for an assignment.
    @discardableResult
    public func openDossier(affectationID: Int64, now: Date = Date()) throws(StoreError) -> Int64 {
        try database.withConnection { (s: Session) throws(StoreError) -> Int64 in
            try s.run("INSERT INTO dossier_impaye (affectation_taxe_id, created_at) VALUES (?,?)", [.int(affectationID), .text(ISO8601.string(from: now))])
            return s.lastInsertID
        }
    }

    public func dossier(affectationID: Int64) throws(StoreError) -> (nombreRelances: Int, dernierContact: String?)? {
        try database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT nombre_relances, dernier_contact FROM dossier_impaye WHERE affectation_taxe_id = ? AND statut = 'ouvert'",
                      [.int(affectationID)]) { (Int($0.int(0)), $0.optionalText(1)) }
        }
    }

    public func contribuable(_ id: Int64) throws(StoreError) -> Contribuable? {
        try database.withConnection { (s: Session) throws(StoreError) in
            try s.row("SELECT id, nom, prenom, telephone, email, adresse, actif FROM contribuable WHERE id = ?", [.int(id)], Self.contribuable)
        }
    }

    static func contribuable(_ r: Statement) -> Contribuable {
        Contribuable(id: r.int(0), nom: r.text(1), prenom: r.text(2), telephone: r.optionalText(3), email: r.optionalText(4),
                     adresse: r.optionalText(5), actif: r.int(6) != 0)
    }

    /// Attempts of a relance, in order: (attempt, channel, outcome, provider id, detail).
    public func attempts(relanceID: Int64) throws(StoreError) -> [(attempt: Int, channel: String, outcome: String, providerID: String?, detail: String?)] {
        try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT attempt, channel, outcome, provider_id, detail FROM delivery_attempt WHERE relance_id = ? ORDER BY id", [.int(relanceID)]) {
                (Int($0.int(0)), $0.text(1), $0.text(2), $0.optionalText(3), $0.optionalText(4))
            }
        }
    }
}
