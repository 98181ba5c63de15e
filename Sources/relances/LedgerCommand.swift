import Foundation
import Gateway
import Relances

enum LedgerCommand: Command {
    static let name = "ledger"
    static let summary = "Verify or export the proof-of-dispatch ledger"
    static let help = """
        usage: relances ledger verify [--db FILE]
               relances ledger export --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE] [--db FILE]

        Every delivery attempt is an entry of the ledger (recipient masked, channel, SHA-256
        of the text, provider id, outcome, time), chained to the one before by SHA-256.

          verify    recomputes every hash and link. Exit 0 and the entry count and last
                    hash when intact (keep that hash elsewhere: a later verify that does
                    not reach it means entries were cut off the end); exit 1 naming the
                    first edited, missing or re-chained entry.
          export    the entries of those days (UTC, both included) as CSV for an auditor:
                    seq, at, relance_id, channel, recipient, outcome, provider_id,
                    text_sha256, prev_hash, hash. To standard output unless --out.
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        guard let action = arguments.positional() else { throw UsageError("say what to do: verify or export") }
        switch action {
        case "verify": return try verify(&arguments)
        case "export": return try export(&arguments)
        default: throw UsageError("unknown action '\(action)': use verify or export")
        }
    }

    static func verify(_ arguments: inout Arguments) throws -> Int32 {
        let store = try StoreOptions(&arguments)
        try arguments.finish()
        let result = try existing(store).verifyLedger()
        if let problem = result.problem {
            print("ledger BROKEN at entry \(problem.seq): \(problem.reason)")
            print("\(result.entries) entries before it are intact (last intact hash \(result.lastHash)).")
            print("Keep the database file as it is for the investigation, and compare with a backup.")
            return 1
        }
        print("ledger intact: \(result.entries) entries, last hash \(result.lastHash)")
        return 0
    }

    static func export(_ arguments: inout Arguments) throws -> Int32 {
        let store = try StoreOptions(&arguments)
        guard let from = try arguments.option("from") else { throw UsageError("--from YYYY-MM-DD is required") }
        guard let to = try arguments.option("to") else { throw UsageError("--to YYYY-MM-DD is required") }
        let out = try arguments.option("out")
        try arguments.finish()
        for (name, value) in [("--from", from), ("--to", to)] where CivilDate.parse(value) == nil {
            throw UsageError("\(name) '\(value)' is not a date: use YYYY-MM-DD")
        }
        guard from <= to else { throw UsageError("--from \(from) is after --to \(to)") }
        let opened = try existing(store)
        let entries = try opened.ledgerEntries(from: from, to: to)
        let csv = Ledger.csv(entries)
        if let out {
            // Private: the export names who was sent what.
            do throws(PrivateFileError) { try PrivateFile.write(Data(csv.utf8), to: out) } catch {
                FileHandle.standardError.write(Data("relances ledger: cannot write \(error); check the folder exists and is writable\n".utf8))
                return 1
            }
            FileHandle.standardError.write(Data("\(entries.count) entries from \(from) to \(to) written to \(out)\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data(csv.utf8))
        }
        return 0
    }

    /// The store, refusing to create one: verifying a mistyped path must not answer
    /// "intact, 0 entries".
    static func existing(_ store: StoreOptions) throws -> any DispatchJournal {
        try store.open()
    }
}
