import Foundation
import Gateway

/// Realistic, deterministic demo data: taxpayers of Libreville with Gabonese numbers
/// written every way the office sees them (and a few wrong, so failures show), taxes
/// of every periodicity, assignments, payments (some debts paid, most late).
public enum DemoData {
    public struct Summary: Sendable, Equatable {
        public var contribuables = 0
        public var taxes = 0
        public var affectations = 0
        public var paiements = 0
    }

    static let noms = ["NZE", "OBAME", "MBA", "ONDO", "ESSONO", "NDONG", "MOUSSAVOU", "BOUSSOUGOU", "MOUKAGNI", "NGUEMA",
                       "ELLA", "MINKO", "MAGANGA", "KOUMBA", "MABIKA", "IBINGA", "MOUELE", "NDEMBI", "OYANE", "BIYOGO"]
    static let prenoms = ["Jean", "Marie", "Paul", "Éléonore", "Sylvie", "Hervé", "Brice", "Aïcha", "Landry", "Chantal",
                          "Rodrigue", "Nadège", "Gaël", "Prisca", "Ulrich", "Joëlle", "Armel", "Carine", "Fabrice", "Rosine"]
    static let quartiers = ["Akébé", "Nzeng-Ayong", "Louis", "Glass", "Lalala", "Owendo", "Batterie IV", "Mont-Bouët",
                            "Nombakélé", "Charbonnages", "Okala", "Bellevue"]
    static let taxes: [(String, String, Periodicite)] = [
        ("Taxe de marché (étal)", "500.00", .journaliere),
        ("Taxe de stationnement taxi", "2500.00", .hebdomadaire),
        ("Taxe sur les enseignes", "15000.00", .mensuelle),
        ("Taxe de voirie", "5000.00", .mensuelle),
        ("Taxe d'occupation du domaine public", "45000.00", .trimestrielle),
    ]

    /// Fills an empty store, and marks it as demo data. `now` anchors every date so a run is reproducible.
    @discardableResult
    public static func populate(_ store: any TaxRoll, contribuables count: Int = 300, seed: UInt64 = 2026,
                                now: Date = Date()) throws(StoreError) -> Summary {
        try store.markAsDemo()
        var random = SplitMix(seed: seed)
        var summary = Summary()
        var taxIDs: [(Int64, Periodicite)] = []
        for (nom, montant, periodicite) in taxes {
            taxIDs.append((try store.add(Taxe(nom: nom, montant: Montant(montant)!, periodicite: periodicite)), periodicite))
            summary.taxes += 1
        }
        let today = Int(now.timeIntervalSince1970 / 86_400)
        for i in 0..<count {
            let nom = noms[Int(random.next() % UInt64(noms.count))]
            let prenom = prenoms[Int(random.next() % UInt64(prenoms.count))]
            let c = Contribuable(nom: nom, prenom: prenom, telephone: phone(i, &random),
                                 email: i % 3 == 0 ? "\(ascii(prenom)).\(ascii(nom)).\(i)@exemple.ga" : nil,
                                 adresse: i % 4 != 3 ? "BP \(1000 + i), \(quartiers[i % quartiers.count]), Libreville" : nil,
                                 actif: i % 50 != 49)
            let id = try store.add(c, now: now)
            summary.contribuables += 1
            let assignments = 1 + Int(random.next() % 2)
            for _ in 0..<assignments {
                let (taxID, periodicite) = taxIDs[Int(random.next() % UInt64(taxIDs.count))]
                let started = today - 5 - Int(random.next() % 120)
                let custom: Montant? = random.next() % 5 == 0 ? Montant(centimes: Int64(1000 + random.next() % 9000) * 100) : nil
                let affectation = try store.add(AffectationTaxe(contribuableID: id, taxeID: taxID, dateDebut: RelanceGenerator.day(started),
                                                                montantCustom: custom))
                summary.affectations += 1
                try store.openDossier(affectationID: affectation, now: now)
                // About one debt in four is paid; a few payments failed or were cancelled.
                let draw = random.next() % 8
                if draw < 3 {
                    let status: InfoCollecte.Statut = draw == 0 ? .completed : draw == 1 ? .completed : .failed
                    try store.add(InfoCollecte(contribuableID: id, taxeID: taxID, montant: custom ?? Montant(taxes[0].1)!,
                                               dateCollecte: RelanceGenerator.day(started + 2) + "T10:00:00Z", statut: status,
                                               annule: draw == 1 && i % 2 == 0), now: Date())
                    summary.paiements += 1
                }
                _ = periodicite
            }
        }
        return summary
    }

    /// Numbers as people write them: 9 digits with the trunk 0 (Airtel 07x, Moov 06x),
    /// spaced, with +241 or 241. A few are wrong on purpose, so failures show: a letter O
    /// for a zero, a digit too many (the pre-2019 habit), a digit missing.
    static func phone(_ i: Int, _ random: inout SplitMix) -> String? {
        if i % 40 == 39 { return "06 6O 12 34 5\(i % 10)" }
        if i % 40 == 19 { return "06 61 23 45 6\(i % 10)" }
        if i % 40 == 29 { return "077 12 3\(i % 10)" }
        if i % 17 == 16 { return nil }
        let prefix = ["062", "065", "066", "074", "076", "077"][Int(random.next() % 6)]
        let national = prefix + String(format: "%05d", Int(random.next() % 100_000)) + String(i % 10)
        let pairs = stride(from: 3, to: 9, by: 2).map { national.dropFirst($0).prefix(2) }.joined(separator: " ")
        switch i % 4 {
        case 0: return national
        case 1: return "+241 " + national.dropFirst().prefix(2) + " " + pairs
        case 2: return national.prefix(3) + " " + pairs
        default: return "241" + national.dropFirst()
        }
    }

    static func ascii(_ s: String) -> String {
        s.folding(options: .diacriticInsensitive, locale: nil).lowercased().filter { $0.isLetter }
    }
}

/// A small, seedable generator, so the demo is the same on every machine.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
