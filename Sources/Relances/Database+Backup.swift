import CSQLite
import Foundation
import Gateway

/// Backups and restores through SQLite's online backup API: the copy is the database
/// as it was at one instant, taken while `serve` keeps writing (a reader in WAL mode
/// blocks no writer), never a file copied half-way through a transaction.
extension Database {
    /// Copies the database at `source` to `destination` (a private file, 0600), as it
    /// is at one instant. The copy is written beside the destination and renamed into
    /// place, so a destination never holds half a backup.
    public static func backup(from source: String, to destination: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: source) else {
            throw .invalid("Base introuvable : \(source). Donnez le chemin de la base avec --db")
        }
        if samePath(source, destination) { throw .invalid("La copie ne peut pas remplacer la base elle-même : choisissez un autre fichier pour --to") }
        let from = try open(source, flags: SQLITE_OPEN_READONLY)
        defer { sqlite3_close_v2(from) }
        let partial = destination + ".partiel"
        try? FileManager.default.removeItem(atPath: partial)
        do throws(PrivateFileError) { try PrivateFile.touch(partial) } catch { throw .database("cannot create \(error)") }
        do {
            let to = try open(partial, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            defer { sqlite3_close_v2(to) }
            try copy(from: from, to: to)
            // One file, nothing beside it: the copy is moved, mailed, restored as it is.
            _ = sqlite3_exec(to, "PRAGMA journal_mode = DELETE", nil, nil, nil)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        guard rename(partial, destination) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw .database("cannot write \(destination): \(why)")
        }
    }

    /// Whether another connection (a running `serve`, a `send`) has the database at
    /// `path` open: it then holds a lock that an exclusive one cannot take.
    public static func isInUse(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path), let probe = try? open(path, flags: SQLITE_OPEN_READWRITE) else { return false }
        defer { sqlite3_close_v2(probe) }
        sqlite3_busy_timeout(probe, 0)
        guard sqlite3_exec(probe, "PRAGMA locking_mode = EXCLUSIVE", nil, nil, nil) == SQLITE_OK else { return true }
        let taken = sqlite3_exec(probe, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK
        if taken { sqlite3_exec(probe, "COMMIT", nil, nil, nil) }
        return !taken
    }

    /// The problem with `path` as a relances database, nil when it is one: it opens,
    /// passes SQLite's quick check, and has the tables of relances.
    public static func relancesDatabaseProblem(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return "le fichier \(path) n'existe pas" }
        guard let db = try? open(path, flags: SQLITE_OPEN_READONLY) else { return "\(path) n'est pas une base SQLite lisible" }
        defer { sqlite3_close_v2(db) }
        func text(_ sql: String) -> [String]? {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { return nil }
            defer { sqlite3_finalize(statement) }
            var out: [String] = []
            while sqlite3_step(statement) == SQLITE_ROW { out.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "") }
            return out
        }
        guard let check = text("PRAGMA quick_check"), check == ["ok"] else { return "\(path) n'est pas une base SQLite intacte (quick_check)" }
        let tables = Set(text("SELECT name FROM sqlite_master WHERE type = 'table'") ?? [])
        let missing = ["contribuable", "taxe", "affectation_taxe", "relance", "ledger"].filter { !tables.contains($0) }
        guard missing.isEmpty else { return "\(path) n'est pas une base relances (tables absentes : \(missing.joined(separator: ", ")))" }
        return nil
    }

    /// Replaces the database at `destination` by the backup at `source`, through the
    /// backup API (in one transaction: a failure leaves it as it was). A database in
    /// use is refused unless `force`: the process using it would go on with a database
    /// changed under it.
    public static func restore(from source: String, to destination: String, force: Bool) throws(StoreError) {
        if let problem = relancesDatabaseProblem(source) { throw .invalid("Restauration refusée : \(problem)") }
        if samePath(source, destination) { throw .invalid("La sauvegarde et la base sont le même fichier") }
        if !force && isInUse(destination) {
            throw .invalid("La base \(destination) est ouverte par un autre programme (relances serve ?) : arrêtez-le "
                           + "(systemctl stop relances), ou ajoutez --force pour la remplacer quand même")
        }
        let from = try open(source, flags: SQLITE_OPEN_READONLY)
        defer { sqlite3_close_v2(from) }
        if !FileManager.default.fileExists(atPath: destination) {
            do throws(PrivateFileError) { try PrivateFile.touch(destination) } catch { throw .database("cannot create \(error)") }
        }
        let to = try open(destination, flags: SQLITE_OPEN_READWRITE)
        defer { sqlite3_close_v2(to) }
        sqlite3_busy_timeout(to, 5000)
        try copy(from: from, to: to)
    }

    private static func copy(from: OpaquePointer, to: OpaquePointer) throws(StoreError) {
        guard let backup = sqlite3_backup_init(to, "main", from, "main") else {
            throw .database("backup: \(String(cString: sqlite3_errmsg(to)))")
        }
        // All pages in one step: one read transaction, one instant of the source. A
        // writer holding the destination (a restore into a live base) is waited for.
        var status = sqlite3_backup_step(backup, -1)
        var waits = 0
        while (status == SQLITE_BUSY || status == SQLITE_LOCKED) && waits < 200 {
            waits += 1
            usleep(25_000)
            status = sqlite3_backup_step(backup, -1)
        }
        let finish = sqlite3_backup_finish(backup)
        guard status == SQLITE_DONE, finish == SQLITE_OK else {
            throw .database("backup: \(String(cString: sqlite3_errmsg(to))) (\(status))")
        }
    }

    private static func open(_ path: String, flags: Int32) throws(StoreError) -> OpaquePointer {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            let why = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw .database("cannot open \(path): \(why)")
        }
        sqlite3_busy_timeout(handle, 5000)
        return handle
    }

    private static func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
