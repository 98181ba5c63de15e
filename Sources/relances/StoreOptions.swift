import Foundation
import Relances

/// `--db FILE` (default relances.sqlite).
struct StoreOptions {
    static let help = "      --db FILE         the SQLite database (default: relances.sqlite; created if missing)"
    var path: String

    init(_ arguments: inout Arguments) throws(UsageError) {
        path = try arguments.option("db") ?? "relances.sqlite"
    }

    func open() throws -> SQLiteRelanceStore {
        try SQLiteRelanceStore(path: path)
    }
}
