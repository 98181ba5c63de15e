import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// The generation as one `INSERT … SELECT` (``RelanceGenerator/insertStatement(for:)``),
    /// in one transaction: the ids created, oldest debt first, and where it stopped.
    public func generateRelances(_ options: RelanceGenerator.Options, now: Date) throws(StoreError) -> RelanceGenerator.Result {
        let lateness = RelanceGenerator.lateDebtsValues(now: now, joursRetardMin: options.joursRetardMin)
        let stamp = ISO8601.string(from: now)
        let (sql, texts) = RelanceGenerator.insertStatement(for: options)
        let values: [SQLValue] = lateness + [.text(options.type.rawValue), .text(stamp), .text(RelanceGenerator.week(containing: now)),
                                             .int(Int64(max(0, options.limite)))] + texts.map { .text($0) }
            + [.optional(options.acteur), .optional(options.utilisateurID)]
            + (options.after.map { [.text($0.dateDebut), .int($0.affectation)] } ?? [])
        return try database.transaction(checkingForeignKeys: false) { (s: Session) throws(StoreError) -> RelanceGenerator.Result in
            // Ids follow the insertion order (oldest debt first); RETURNING's order is SQLite's choice.
            let rows = try s.rows(sql, values) { ($0.int(0), $0.int(1)) }.sorted { $0.0 < $1.0 }
            var last: RelanceGenerator.Position?
            if let (_, affectation) = rows.last,
               let start = try s.row("SELECT date_debut FROM affectation_taxe WHERE id = ?", [.int(affectation)], { $0.text(0) }) {
                last = RelanceGenerator.Position(dateDebut: start, affectation: affectation)
            }
            let withoutAddress = options.countsWithoutAddress
                ? try RelanceGenerator.withoutAddress(s, type: options.type, lateness: lateness, upcoming: options.inclureEcheancesAVenir) : 0
            return RelanceGenerator.Result(created: rows.map(\.0), withoutAddress: withoutAddress, last: last)
        }
    }

    public func lateDebtsWithoutAddress(type: RelanceType, joursRetardMin: Int, upcoming: Bool, now: Date) throws(StoreError) -> Int {
        let lateness = RelanceGenerator.lateDebtsValues(now: now, joursRetardMin: joursRetardMin)
        return try database.withConnection { (s: Session) throws(StoreError) -> Int in
            try RelanceGenerator.withoutAddress(s, type: type, lateness: lateness, upcoming: upcoming)
        }
    }

    /// The generation's late debts (``RelanceGenerator/lateDebts``), streamed: never all in memory.
    public func forEachLateDebt(_ options: RelanceGenerator.Options, now: Date, _ debt: (LateDebt) -> Void) throws(StoreError) {
        let values = RelanceGenerator.lateDebtsValues(now: now, joursRetardMin: options.joursRetardMin)
        try database.withConnection { (s: Session) throws(StoreError) in
            let debts = try s.prepare(RelanceGenerator.lateDebts(options))
            try debts.bind(values)
            while try debts.step() {
                let contribuable = Contribuable(id: debts.int(1), nom: debts.text(6), prenom: debts.text(7), telephone: debts.optionalText(8),
                                                email: debts.optionalText(9), adresse: debts.optionalText(10))
                debt(LateDebt(affectationID: debts.int(0), contribuable: contribuable, dateDebut: debts.text(2),
                              montant: Montant(centimes: debts.int(3)), periodicite: debts.text(4), taxe: debts.text(5)))
            }
        }
    }
}
