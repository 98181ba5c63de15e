import Foundation
import Gateway
import Relances
import Testing

/// `POST /api/relances/envoyer`: the relances the page chose, sent as one run, as
/// `relances send` does: a taxpayer's debts as one message; each one not sent named
/// with why; a list that is not one refused whole, naming the field.
@Suite struct SendManyAPITests {
    static let routing = """
        { "channels": { "ventis": { "kind": "ventis-sms" } }, "routes": { "sms": { "channels": ["ventis"] } },
          "templates": { "sms": { "text": "{nom_complet} : {taxe}, {montant} FCFA" } } }
        """

    @Test func theChosenRelancesGoAsOneRunATaxpayersDebtsAsOneSMS() async throws {
        let rig = try APIRig(routing: Self.routing)
        let marche = try rig.store.add(Taxe(nom: "Taxe de marché", montant: Montant("40000")!, periodicite: .mensuelle))
        let start = String(ISO8601.string(from: Date().addingTimeInterval(-50 * 86_400)).prefix(10))
        _ = try rig.store.add(AffectationTaxe(contribuableID: rig.who, taxeID: marche, dateDebut: start))
        let mba = try rig.store.add(Contribuable(nom: "MBA", prenom: "Paul", telephone: "077 12 34 56"))
        _ = try rig.store.add(AffectationTaxe(contribuableID: mba, taxeID: marche, dateDebut: start))
        let (status, body, _) = try await rig.call("POST", "/api/relances/generer-automatique", json: #"{"type_relance": "sms", "limite": 10}"#)
        #expect(status == 200)
        let generated = try #require(body as? [[String: Any]]).compactMap { $0["id"] as? Int }
        #expect(generated.count == 3 && rig.sandbox.received.isEmpty)   // her two debts and his one
        let cancelled = try #require(generated.last)
        #expect(try await rig.call("PUT", "/api/relances/\(cancelled)", json: #"{"statut": "annulee", "notes": "payée au guichet"}"#).0 == 200)
        let cancelledWho = try #require(try rig.store.relance(Int64(cancelled))?.contribuableID)

        let ids = (generated + [generated[0]]).map(String.init).joined(separator: ", ")   // one given twice
        let (sent, answer, _) = try await rig.call("POST", "/api/relances/envoyer", json: #"{"ids": [\#(ids)]}"#)
        #expect(sent == 200, "\(String(describing: answer))")
        let summary = try #require(answer as? [String: Any])
        let notSent = try #require(summary["non_envoyees"] as? [[String: Any]])
        #expect(summary["envoyees"] as? Int == 2 && summary["echecs"] as? Int == 0 && summary["non_enregistrees"] as? Int == 0)
        #expect(notSent.count == 1 && notSent[0]["id"] as? Int == cancelled && notSent[0]["raison"] as? String == "Cette relance est annulée")
        // Two debts of one taxpayer went as one SMS, when both were sent.
        let messages = rig.sandbox.received.map(\.message)
        #expect(messages.count == (cancelledWho == rig.who ? 2 : 1), "\(messages)")
        if cancelledWho != rig.who {
            #expect(messages == ["Éléonore NZE, vous avez 2 taxes impayées pour un total de 45 000 FCFA. Merci de les régler à la mairie."])
        }
        #expect(try generated.dropLast().allSatisfy { try rig.store.relance(Int64($0))?.statut == .envoyee })
    }

    @Test(arguments: [
        (#"{}"#, "ids"), (#"{"ids": []}"#, "ids"), (#"{"ids": [0]}"#, "ids"), (#"{"ids": [-4]}"#, "ids"),
        (#"{"ids": "1,2"}"#, "ids"), (#"{"ids": [\#((1...1001).map(String.init).joined(separator: ","))]}"#, "ids"),
    ])
    func aListThatIsNotOneIsRefusedWholeNamingTheField(_ json: String, _ field: String) async throws {
        let rig = try APIRig(routing: Self.routing)
        let (status, body, _) = try await rig.call("POST", "/api/relances/envoyer", json: json)
        #expect(status == 422 || status == 400, "\(json) → \(status)")
        #expect("\(String(describing: body))".contains(field), "\(String(describing: body))")
        #expect(rig.sandbox.received.isEmpty)
    }
}
