import Foundation
import Relances

enum BackupCommand: Command {
    static let name = "backup"
    static let summary = "Copy the live database to a file (safe while serve runs)"
    static let help = """
        usage: relances backup --to FILE [--db FILE]

        Copies the database as it is at one instant, through SQLite's online backup
        API: safe while `relances serve` keeps writing (it is not stopped nor slowed
        beyond the copy's reads). The copy is one private file (0600), written beside
        FILE then renamed into place; `relances ledger verify --db FILE` checks it.

          --to FILE    the copy (replaced if it exists)
        \(StoreOptions.help)

        example, every night at 02:15 (crontab of the service's user):
          15 2 * * * relances backup --db /var/lib/relances/relances.sqlite --to /var/backups/relances/relances-$(date +\\%u).sqlite
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        guard let destination = try arguments.option("to") else { throw UsageError("--to FICHIER est obligatoire : où écrire la copie") }
        try arguments.finish()
        guard FileManager.default.fileExists(atPath: store.path) else { throw Refusal.missingDatabase(store.path) }
        try Database.backup(from: store.path, to: destination)
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        print("sauvegarde de \(store.path) écrite dans \(destination) (\(size / 1024) Kio)")
        return 0
    }
}
