import Foundation
import Gateway
@testable import Relances
import Testing

@Suite struct GenerationTests {
    struct World {
        let store: SQLiteRelanceStore
        let folder: URL
        let mensuelle: Int64, hebdo: Int64, trim: Int64, jour: Int64
        func person(_ nom: String, phone: String? = "0661234567", email: String? = nil, adresse: String? = nil, actif: Bool = true) throws -> Int64 {
            try store.add(Contribuable(nom: nom, prenom: "P", telephone: phone, email: email, adresse: adresse, actif: actif))
        }
        func debt(_ who: Int64, _ taxe: Int64, startedDaysAgo: Int, fin: String? = nil, custom: String? = nil, actif: Bool = true) throws -> Int64 {
            try store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: day(-startedDaysAgo), dateFin: fin,
                                          montantCustom: custom.flatMap(Montant.init), actif: actif))
        }
        /// The office's lateness rule alone: these tests' debts are late but mostly not
        /// yet due, so they include the échéances à venir unless `dueOnly`.
        func generate(_ options: RelanceGenerator.Options = .init(), dueOnly: Bool = false) throws -> RelanceGenerator.Result {
            var options = options
            if !dueOnly { options.inclureEcheancesAVenir = true }
            return try RelanceGenerator(store: store, clock: ManualClock(fixedNow)).generate(options)
        }
    }

    func world() throws -> World {
        let (store, folder) = try temporaryStore()
        return World(store: store, folder: folder,
                     mensuelle: try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle)),
                     hebdo: try store.add(Taxe(nom: "Taxi", montant: Montant("2500")!, periodicite: .hebdomadaire)),
                     trim: try store.add(Taxe(nom: "Domaine", montant: Montant("45000")!, periodicite: .trimestrielle)),
                     jour: try store.add(Taxe(nom: "Marché", montant: Montant("500")!, periodicite: .journaliere)))
    }

    @Test func aLateDebtGetsARelanceWithTheSpecsFields() throws {
        let w = try world()
        let who = try w.person("NZE", phone: "06 61 23 45 67")
        let debt = try w.debt(who, w.mensuelle, startedDaysAgo: 10)
        let result = try w.generate()
        #expect(result.created.count == 1)
        let r = try #require(try w.store.relance(result.created[0]))
        #expect(r.affectationTaxeID == debt && r.type == .sms && r.statut == .enAttente)
        #expect(r.montantDue.description == "5000.00")
        #expect(r.canalEnvoi == "06 61 23 45 67")
        #expect(r.datePlanifiee == fixedNow)
        #expect(ISO8601.string(from: r.dateEcheance!) == day(-10 + 30) + "T00:00:00Z")
        let (y, m, d) = CivilDate.parse(day(20))!
        #expect(r.message == "P NZE, votre voirie de 5 000 FCFA (échéance \(String(format: "%02d/%02d/%04d", d, m, y))) reste à payer. Merci de la régler à la mairie.")
    }

    @Test func eachPeriodicityHasItsEcheanceAndCustomAmountsWin() throws {
        let w = try world()
        let who = try w.person("A")
        let ids = [try w.debt(who, w.hebdo, startedDaysAgo: 40), try w.debt(who, w.trim, startedDaysAgo: 30, custom: "1234.5"),
                   try w.debt(who, w.jour, startedDaysAgo: 20)]
        let result = try w.generate(.init(limite: 10))
        let relances = try result.created.map { try #require(try w.store.relance($0)) }
        #expect(relances.map(\.affectationTaxeID) == ids.map { Optional($0) })   // oldest debt first
        #expect(relances.map { ISO8601.string(from: $0.dateEcheance!).prefix(10) } == [day(-33), day(60), day(-20)].map { Substring($0) })
        #expect(relances.map(\.montantDue.description) == ["2500.00", "1234.50", "500.00"])
    }

    @Test func paidEndedInactiveAndRecentDebtsAreSkipped() throws {
        let w = try world()
        let paid = try w.person("PAID")
        _ = try w.debt(paid, w.mensuelle, startedDaysAgo: 20)
        try w.store.add(InfoCollecte(contribuableID: paid, taxeID: w.mensuelle, montant: Montant("5000")!, dateCollecte: day(-15)))
        let paidBefore = try w.person("PAID-BEFORE")   // a payment before the debt started does not count
        let late1 = try w.debt(paidBefore, w.mensuelle, startedDaysAgo: 20)
        try w.store.add(InfoCollecte(contribuableID: paidBefore, taxeID: w.mensuelle, montant: Montant("5000")!, dateCollecte: day(-40)))
        let cancelled = try w.person("CANCELLED")       // a cancelled or failed payment does not count
        let late2 = try w.debt(cancelled, w.mensuelle, startedDaysAgo: 19)
        try w.store.add(InfoCollecte(contribuableID: cancelled, taxeID: w.mensuelle, montant: Montant("5000")!, dateCollecte: day(-15), annule: true))
        try w.store.add(InfoCollecte(contribuableID: cancelled, taxeID: w.mensuelle, montant: Montant("5000")!, dateCollecte: day(-14), statut: .failed))
        let ended = try w.person("ENDED")
        _ = try w.debt(ended, w.mensuelle, startedDaysAgo: 30, fin: day(-8))  // ended before the cut-off (day -7)
        let endsLater = try w.person("ENDS-LATER")
        let late3 = try w.debt(endsLater, w.mensuelle, startedDaysAgo: 18, fin: day(-7))
        let inactive = try w.person("INACTIVE-DEBT")
        _ = try w.debt(inactive, w.mensuelle, startedDaysAgo: 30, actif: false)
        let gone = try w.person("INACTIVE-PERSON", actif: false)
        _ = try w.debt(gone, w.mensuelle, startedDaysAgo: 30)
        let tooRecent = try w.person("RECENT")
        _ = try w.debt(tooRecent, w.mensuelle, startedDaysAgo: 6)
        let result = try w.generate(.init(joursRetardMin: 7, limite: 50))
        let debts = try result.created.map { try #require(try w.store.relance($0)).affectationTaxeID }
        #expect(debts == [late1, late2, late3])
    }

    @Test func aDebtRemindedInTheLastSevenDaysIsSkippedWhateverTheType() throws {
        let w = try world()
        let who = try w.person("X", email: "x@exemple.ga")
        let debt = try w.debt(who, w.mensuelle, startedDaysAgo: 30)
        _ = try w.store.create(NewRelance(contribuableID: who, affectationTaxeID: debt, type: .appel, montantDue: Montant("1")!,
                                          datePlanifiee: fixedNow.addingTimeInterval(-6 * 86_400)))
        #expect(try w.generate(.init(type: .email)).created.isEmpty)
        let old = try w.person("Y")
        let oldDebt = try w.debt(old, w.mensuelle, startedDaysAgo: 30)
        _ = try w.store.create(NewRelance(contribuableID: old, affectationTaxeID: oldDebt, type: .sms, montantDue: Montant("1")!,
                                          datePlanifiee: fixedNow.addingTimeInterval(-8 * 86_400)))
        #expect(try w.generate().created.count == 1)
        // Running it again the same day creates nothing more.
        #expect(try w.generate().created.isEmpty)
    }

    @Test func theLimitCountsCreatedRelancesAndAddresslessDebtsAreReported() throws {
        let w = try world()
        var expected: [Int64] = []
        for i in 0..<6 {
            let who = try w.person("P\(i)", phone: i % 2 == 0 ? nil : "066000000\(i)")
            let debt = try w.debt(who, w.mensuelle, startedDaysAgo: 60 - i)
            if i % 2 == 1 { expected.append(debt) }
        }
        let result = try w.generate(.init(limite: 2))
        #expect(try result.created.map { try w.store.relance($0)?.affectationTaxeID } == expected.prefix(2).map { Optional($0) })
        #expect(result.withoutAddress == 3)   // P0, P2 and P4: every late debt without a phone, not only those before the limit
        #expect(try w.generate(.init(type: .courrier)).withoutAddress == 4)
    }

    @Test func templatesFillThePlaceholders() throws {
        let w = try world()
        let who = try w.store.add(Contribuable(nom: "NZE", prenom: "Éléonore", telephone: "0661234567"))
        _ = try w.debt(who, w.mensuelle, startedDaysAgo: 10)
        let result = try w.generate(.init(template: MessageTemplate("{prenom} {nom} : {taxe}, {montant} FCFA")))
        #expect(try w.store.relance(result.created[0])?.message == "Éléonore NZE : voirie, 5 000 FCFA")
    }

    /// The SQL that renders messages in bulk must write what `MessageTemplate.render`
    /// writes, whatever the names, amounts, periodicities and template text.
    @Test func sqlRenderingMatchesTheTemplatesOwnRendering() throws {
        let w = try world()
        let template = MessageTemplate("{x} 100% {prenom} '{nom}' [{nom_complet}] doit {montant} FCFA ({taxe}, {nombre}) avant le {echeance}; {unknown} {{nom}} \\ ?1 --")
        let people: [(nom: String, prenom: String, custom: String?, taxe: Int64, daysAgo: Int)] = [
            ("N'DONG", "Éléonore", nil, w.mensuelle, 10), ("O'Neil; DROP TABLE relance; --", "%s %d ?2", "0.05", w.hebdo, 11),
            ("MBA", "", "1234567.89", w.trim, 12), ("ÉKOGHA", "Zoé “la” grande", "10", w.jour, 13), ("OBAME", "Lin", "123", w.jour, 14),
        ]
        var expected: [Int64: String] = [:]
        for p in people {
            let who = try w.store.add(Contribuable(nom: p.nom, prenom: p.prenom, telephone: " 0661234567\t"))
            let debt = try w.debt(who, p.taxe, startedDaysAgo: p.daysAgo, custom: p.custom)
            let taxe: (nom: String, montant: String, jours: Int) = p.taxe == w.mensuelle ? ("Voirie", "5000.00", 30)
                : p.taxe == w.hebdo ? ("Taxi", "2500.00", 7) : p.taxe == w.trim ? ("Domaine", "45000.00", 90) : ("Marché", "500.00", 0)
            let (y, m, d) = CivilDate.fromDays(Int(fixedNow.timeIntervalSince1970 / 86_400) - p.daysAgo + taxe.jours)
            expected[debt] = template.render(MessageValues.values(nom: p.nom, prenom: p.prenom,
                                                                  montant: p.custom.flatMap(Montant.init) ?? Montant(taxe.montant)!,
                                                                  echeance: String(format: "%02d/%02d/%04d", d, m, y), taxe: taxe.nom))
        }
        let result = try w.generate(.init(limite: 10, template: template))
        #expect(result.created.count == people.count)
        for id in result.created {
            let relance = try #require(try w.store.relance(id))
            #expect(relance.message == expected[try #require(relance.affectationTaxeID)])
            #expect(!relance.message.contains(".00") && !relance.message.contains("(Voirie"))
            #expect(relance.canalEnvoi == "0661234567")   // trimmed as Contribuable.address(for:) trims
        }
    }

    /// The week a put-back relance takes its key for, computed by SQL, is the week the
    /// Swift side gives a new one: every day of two years, each weekday and year end.
    @Test func theWeekInSQLIsTheWeekInSwift() throws {
        let (store, _) = try temporaryStore()
        let start = Int(fixedNow.timeIntervalSince1970 / 86_400) - 365
        let days = (0..<730).map { start + $0 }
        let stamps = days.map { ISO8601.string(from: Date(timeIntervalSince1970: Double($0) * 86_400 + 3_600 * Double($0 % 24))) }
        let fromSQL = try store.database.withConnection { (s: Session) throws(StoreError) in
            try stamps.map { stamp throws(StoreError) in
                try s.row("SELECT \(Schema.weekOfRow) FROM (SELECT ?1 AS date_planifiee)", [.text(stamp)]) { $0.text(0) } ?? ""
            }
        }
        #expect(fromSQL == days.map { RelanceGenerator.week(of: $0) })
    }

    /// One relance per affectation, type and week, whoever makes it: a second one is a
    /// constraint error, not a duplicate reminder.
    @Test func theBusinessKeyRefusesASecondRelanceOfATypeForADebtInAWeek() throws {
        let w = try world()
        let who = try w.person("KEY")
        let debt = try w.debt(who, w.mensuelle, startedDaysAgo: 30)
        let first = try w.generate()
        #expect(first.created.count == 1)
        let again = NewRelance(contribuableID: who, affectationTaxeID: debt, type: .sms, montantDue: Montant("5000")!, datePlanifiee: fixedNow)
        let taken = StoreError.conflict("Une relance « sms » non annulée existe déjà pour cette affectation la semaine du 23/11/2026")
        #expect(throws: taken) { try w.store.create(again) }
        // Another type, or no affectation, is another key.
        _ = try w.store.create(NewRelance(contribuableID: who, affectationTaxeID: debt, type: .email, montantDue: Montant("5000")!,
                                          datePlanifiee: fixedNow))
        _ = try w.store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: fixedNow))
        #expect(try w.store.list(.init()).total == 3)
        // Next week, the same debt may be reminded again.
        _ = try w.store.create(NewRelance(contribuableID: who, affectationTaxeID: debt, type: .sms, montantDue: Montant("5000")!,
                                          datePlanifiee: fixedNow.addingTimeInterval(7 * 86_400)))
        // A cancelled relance gives the key up: the corrected one can be made the same
        // week; the cancelled one cannot then be put back while the other holds it.
        let cancelled = try #require(first.created.first)
        _ = try w.store.update(cancelled, RelancePatch(statut: .annulee, notes: "Texte erroné"))
        let corrected = try w.store.create(again).id
        #expect(throws: taken) { try w.store.update(cancelled, RelancePatch(statut: .enAttente)) }
        #expect(try w.store.relance(cancelled)?.statut == .annulee)
        _ = try w.store.update(corrected, RelancePatch(statut: .annulee, notes: "Doublon"))
        #expect(try w.store.update(cancelled, RelancePatch(statut: .enAttente))?.statut == .enAttente)
    }
}

/// The statistics and the list's totals come from counters kept by triggers; after any
/// mix of writes they must equal a count of the rows themselves.
@Suite struct CounterTests {
    @Test func countersEqualTheRowsAfterInsertsUpdatesAndDeletes() throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "C", prenom: "P", telephone: "0661234567"))
        let days = [fixedNow, fixedNow.addingTimeInterval(-86_400), fixedNow.addingTimeInterval(-40 * 86_400)]
        var ids: [Int64] = []
        for i in 0..<30 {
            let type: RelanceType = [.sms, .email, .courrier][i % 3]
            ids.append(try store.create(NewRelance(contribuableID: who, type: type, montantDue: Montant("10")!, datePlanifiee: days[i % 3])).id)
        }
        try store.database.transaction { (s: Session) throws(StoreError) in
            try s.run("UPDATE relance SET statut = 'envoyee', canal = 'file-sink', reponse_recue = 1 WHERE id % 4 = 0")
            try s.run("UPDATE relance SET statut = 'echec', canal = 'ventis-sms' WHERE id % 4 = 1")
            try s.run("UPDATE relance SET date_planifiee = ?, type_relance = 'visite' WHERE id % 5 = 0", [.text(ISO8601.string(from: days[2]))])
            try s.run("DELETE FROM relance WHERE id % 7 = 0")
        }
        func direct(_ from: String?, _ to: String?) throws -> (total: Int, sent: Int, failed: Int, answered: Int, sms: Int, sink: Int) {
            var conditions = ["1"], values: [SQLValue] = []
            if let from { conditions.append("date_planifiee >= ?"); values.append(.text(from + "T00:00:00Z")) }
            if let to { conditions.append("date_planifiee <= ?"); values.append(.text(to + "T23:59:59Z")) }
            let row = try store.database.withConnection { (s: Session) throws(StoreError) in
                try s.row("""
                    SELECT COUNT(*), SUM(statut = 'envoyee'), SUM(statut = 'echec'), SUM(statut = 'envoyee' AND reponse_recue = 1),
                           SUM(type_relance = 'sms'), SUM(canal = 'file-sink') FROM relance WHERE \(conditions.joined(separator: " AND "))
                    """, values) { (Int($0.int(0)), Int($0.int(1)), Int($0.int(2)), Int($0.int(3)), Int($0.int(4)), Int($0.int(5))) }
            }
            return try #require(row)
        }
        let yesterday = String(ISO8601.string(from: days[1]).prefix(10))
        for (from, to) in [(nil, nil), (yesterday, nil), (nil, yesterday), (yesterday, yesterday)] as [(String?, String?)] {
            let stats = try store.statistics(from: from, to: to)
            let rows = try direct(from, to)
            #expect(stats.totalRelances == rows.total)
            #expect(stats.relancesEnvoyees == rows.sent)
            #expect(stats.relancesEchec == rows.failed)
            #expect(stats.relancesAvecReponse == rows.answered)
            #expect(stats.parType["sms"] == rows.sms)
            #expect((stats.parCanal["file-sink"] ?? 0) == rows.sink)
            var filter = RelanceFilter()
            filter.dateDebut = from
            filter.dateFin = to
            filter.type = .sms
            #expect(try store.list(filter).total == rows.sms)
        }
        #expect(try store.statistics(from: nil, to: nil).totalRelances == 30 - 4)
    }
}

@Suite struct MontantTests {
    @Test(arguments: [("0.10", 10), ("1234567.89", 123_456_789), ("5000", 500_000), ("5 000,50", 500_050), ("7.5", 750)])
    func exactAmounts(_ text: String, _ centimes: Int64) {
        #expect(Montant(text)?.centimes == centimes)
    }

    @Test func roundTripsAndRefusals() throws {
        #expect(Montant("0.10")?.description == "0.10")
        #expect(Montant("1234567.89")?.description == "1234567.89")
        #expect(Montant("5000")?.description == "5000.00")
        for bad in ["", "abc", "1.234", "-5", "1e3", "5.", ".5", "12,34,5"] { #expect(Montant(bad) == nil, "\(bad)") }
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "A", prenom: "B"))
        let r = try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("1234567.89")!, datePlanifiee: fixedNow))
        #expect(try store.relance(r.id)?.montantDue.description == "1234567.89")
    }
}
