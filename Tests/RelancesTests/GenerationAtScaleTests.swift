import Foundation
import Gateway
@testable import Relances
import Testing

/// A generation's cost follows what it creates: the debts without an address are
/// counted from an index of the taxpayers without one, and a campaign can run in
/// chunks that each resume after the last.
@Suite struct GenerationAtScaleTests {
    /// The count walks only the taxpayers without an address (the partial index), never
    /// every taxpayer or every debt: its plan says so for every type that needs one.
    @Test func theAddresslessCountReadsOnlyTheTaxpayersWithoutAnAddress() throws {
        let (store, _) = try temporaryStore()
        for column in ["telephone", "email", "adresse"] {
            let plan = try store.database.withConnection { (s: Session) throws(StoreError) in
                try s.rows("EXPLAIN QUERY PLAN " + RelanceGenerator.withoutAddressSQL(column), [.text(day(-7)), .text("2000-01-01")]) { $0.text(3) }
            }
            #expect(plan.first?.contains("USING INDEX contribuable_sans_\(column)") == true, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.contains("contribuable_sans_") }, "\(plan)")
        }
    }

    /// Blanks count as no address, as for the generation itself, and the count is the
    /// same with the index as by reading every debt.
    @Test func theIndexedCountIsTheCountOfEveryAddresslessLateDebt() throws {
        let (store, _) = try temporaryStore()
        let taxe = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        let phones: [String?] = [nil, "", " \t", "0661234567", nil, "0661234568"]
        for (i, phone) in phones.enumerated() {
            let who = try store.add(Contribuable(nom: "P\(i)", prenom: "P", telephone: phone, adresse: i == 3 ? nil : "BP \(i)"))
            _ = try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-30 - i)))
        }
        let generator = RelanceGenerator(store: store, clock: ManualClock(fixedNow))
        #expect(try generator.lateDebtsWithoutAddress(type: .sms, joursRetardMin: 7) == 4)
        #expect(try generator.lateDebtsWithoutAddress(type: .courrier, joursRetardMin: 7) == 1)
        #expect(try generator.lateDebtsWithoutAddress(type: .appel, joursRetardMin: 7) == 0)
        var options = RelanceGenerator.Options(type: .sms, limite: 500)
        options.countsWithoutAddress = false
        let result = try generator.generate(options)
        #expect(result.created.count == 2 && result.withoutAddress == 0)
    }

    /// Chunks that resume after the last debt of the one before create exactly what one
    /// run creates, in the same order.
    @Test func chunksResumingAfterTheLastCreateWhatOneRunCreates() throws {
        func world() throws -> SQLiteRelanceStore {
            let (store, _) = try temporaryStore()
            let taxe = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
            for i in 0..<11 {
                let who = try store.add(Contribuable(nom: "P\(i)", prenom: "P", telephone: i % 4 == 0 ? nil : "06612345\(10 + i)"))
                // Two debts on the same day, so the order's tie on date_debut is broken by id.
                _ = try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-30 - i / 2)))
            }
            return store
        }
        let whole = try world(), chunked = try world()
        let once = try RelanceGenerator(store: whole, clock: ManualClock(fixedNow)).generate(.init(limite: 500))
        var options = RelanceGenerator.Options(limite: 2)
        var created: [Int64] = []
        for _ in 0..<10 {
            let result = try RelanceGenerator(store: chunked, clock: ManualClock(fixedNow)).generate(options)
            created += result.created
            guard let last = result.last, result.created.count == 2 else { break }
            options.after = last
        }
        let affectations = { (store: SQLiteRelanceStore, ids: [Int64]) in try ids.map { try store.relance($0)?.affectationTaxeID } }
        #expect(once.created.count == 8)
        #expect(try affectations(chunked, created) == affectations(whole, once.created))
    }
}
