import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// The generation as one `INSERT … SELECT` (``RelanceGenerator/statement(for:now:)``),
    /// in one transaction: the ids created, oldest debt first, and where it stopped.
    public func generateRelances(_ options: RelanceGenerator.Options, now: Date) throws(StoreError) -> RelanceGenerator.Result {
        let lateness = RelanceGenerator.lateDebtsValues(now: now, joursRetardMin: options.joursRetardMin)
        let (sql, values) = RelanceGenerator.statement(for: options, now: now)
        return try database.transaction(checkingForeignKeys: false) { (s: Session) throws(StoreError) -> RelanceGenerator.Result in
            // The transaction is the only writer: the new relances are the ids above the
            // largest before, given in insertion order (oldest debt first). Read back by the
            // primary key, they cost far less than RETURNING's copy of every row.
            let before = try s.row("SELECT COALESCE(MAX(id), 0) FROM relance", [], { $0.int(0) }) ?? 0
            try s.run(sql, values)
            let created = try s.rows("SELECT id FROM relance WHERE id > ? ORDER BY id", [.int(before)]) { $0.int(0) }
            var last: RelanceGenerator.Position?
            if let id = created.last,
               let (affectation, start) = try s.row("""
                   SELECT a.id, a.date_debut FROM relance r JOIN affectation_taxe a ON a.id = r.affectation_taxe_id WHERE r.id = ?
                   """, [.int(id)], { ($0.int(0), $0.text(1)) }) {
                last = RelanceGenerator.Position(dateDebut: start, affectation: affectation)
            }
            let withoutAddress = options.countsWithoutAddress
                ? try RelanceGenerator.withoutAddress(s, type: options.type, lateness: lateness, upcoming: options.inclureEcheancesAVenir) : 0
            return RelanceGenerator.Result(created: created, withoutAddress: withoutAddress, last: last)
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
