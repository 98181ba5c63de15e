import Foundation
import Relances

/// `--db FILE` (default relances.sqlite).
struct StoreOptions {
    static let help = """
          --db FICHIER           la base SQLite (par défaut : relances.sqlite ; elle doit
                                 exister, sauf pour import et generate)
        """
    var path: String

    init(_ arguments: inout Arguments) throws(UsageError) {
        path = try arguments.option("db") ?? "relances.sqlite"
    }

    /// The store, every capability a command may call (the CLI's one composition root of
    /// storage). Only a command that creates data may create the file: a mistyped
    /// `--db` on `list` or `send` must say so, not answer "0 relance(s)" from a new,
    /// empty database.
    func open(creating: Bool = false) throws -> any OfficeStore {
        guard creating || FileManager.default.fileExists(atPath: path) else { throw Refusal.missingDatabase(path) }
        return try SQLiteRelanceStore(path: path)
    }
}
