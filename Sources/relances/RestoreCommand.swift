import Foundation
import Relances

enum RestoreCommand: Command {
    static let name = "restore"
    static let summary = "Put a backup back in place of the database"
    static let help = """
        usage: relances restore --from FILE --db FILE [--force]

        Replaces the database by a backup made with `relances backup`, after checking
        the backup is an intact relances database. Stop the service first
        (systemctl stop relances): a database in use is refused, unless --force.

          --from FILE   the backup
          --db FILE     the database to replace (created if missing)
          --force       replace it even if a program has it open
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        guard let source = try arguments.option("from") else { throw UsageError("--from FICHIER est obligatoire : la sauvegarde à remettre") }
        guard let destination = try arguments.option("db") else { throw UsageError("--db FICHIER est obligatoire : la base à remplacer") }
        let force = arguments.flag("force")
        try arguments.finish()
        do {
            try Database.restore(from: source, to: destination, force: force)
        } catch StoreError.invalid(let why) {
            throw Refusal(description: why)
        }
        print("base \(destination) restaurée depuis \(source) ; vérifiez-la avec : relances ledger verify --db \(destination)")
        return 0
    }
}
