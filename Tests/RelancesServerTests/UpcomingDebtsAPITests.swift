import Foundation
import Gateway
import Relances
import Testing

/// `POST /api/relances/generer-automatique` reminds only debts already due, unless
/// `inclure_echeances_a_venir` (query or body) says otherwise.
@Suite struct UpcomingDebtsAPITests {
    @Test(.timeLimit(.minutes(1)))
    func aDebtNotYetDueIsGeneratedOnlyWhenAsked() async throws {
        let rig = try APIRig()
        let taxe = try rig.store.add(Taxe(nom: "Taxe de marché", montant: Montant("45000")!, periodicite: .mensuelle))
        let start = String(ISO8601.string(from: Date().addingTimeInterval(-10 * 86_400)).prefix(10))
        let upcoming = try rig.store.add(AffectationTaxe(contribuableID: rig.who, taxeID: taxe, dateDebut: start))
        let (s1, first, _) = try await rig.call("POST", "/api/relances/generer-automatique", json: #"{"type_relance": "sms", "limite": 10}"#)
        #expect(s1 == 200)
        let made = try #require(first as? [[String: Any]])
        #expect(made.count == 1 && made.allSatisfy { ($0["affectation_taxe_id"] as? Int).map(Int64.init) != upcoming })
        #expect((made.first?["montant_due"] as? String) == "5000.00")   // the API's contract is unchanged
        #expect((made.first?["message"] as? String)?.contains("5 000 FCFA") == true)
        let (s2, second, _) = try await rig.call("POST", "/api/relances/generer-automatique?inclure_echeances_a_venir=true",
                                                 json: #"{"type_relance": "sms", "limite": 10}"#)
        #expect(s2 == 200)
        let more = try #require(second as? [[String: Any]])
        #expect(more.count == 1 && (more.first?["affectation_taxe_id"] as? Int).map(Int64.init) == upcoming)
        #expect((more.first?["message"] as? String)?.hasPrefix("Éléonore NZE, votre taxe de marché de 45 000 FCFA") == true)
    }
}
