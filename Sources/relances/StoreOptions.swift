import Foundation
import Relances

/// `--db FILE` (default relances.sqlite).
struct StoreOptions {
    static let help = "      --db FILE         the SQLite database (default: relances.sqlite; must exist, except for import and generate)"
    var path: String

    init(_ arguments: inout Arguments) throws(UsageError) {
        path = try arguments.option("db") ?? "relances.sqlite"
    }

    /// The store. Only a command that creates data may create the file: a mistyped
    /// `--db` on `list` or `send` must say so, not answer "0 relance(s)" from a new,
    /// empty database.
    func open(creating: Bool = false) throws -> SQLiteRelanceStore {
        guard creating || FileManager.default.fileExists(atPath: path) else { throw Refusal.missingDatabase(path) }
        return try SQLiteRelanceStore(path: path)
    }
}

/// A command that will not do what it was asked, and why (exit 2, without the usage).
struct Refusal: Error, CustomStringConvertible {
    var description: String

    static func missingDatabase(_ path: String) -> Refusal {
        Refusal(description: "la base de données « \(path) » n'existe pas ; indiquez celle de la passerelle avec --db FICHIER "
                + "(seules les commandes import, generate, serve et demo créent une base)")
    }

    static func notADemo(_ path: String, command: String) -> Refusal {
        Refusal(description: "« \(path) » existe et n'est pas une base de démonstration : \(command) ne touche pas à ce fichier. "
                + "Donnez un autre --db (par défaut var/demo.sqlite), ou déplacez ce fichier vous-même s'il ne sert plus.")
    }
}
