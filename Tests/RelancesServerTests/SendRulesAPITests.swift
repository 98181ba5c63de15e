import Foundation
import Gateway
import HTTP
import Relances
import Testing

/// The API keeps the send rules whoever calls it: statuses by the machine, explicit
/// actions to schedule, mark done and send again, bounded and complete inputs.
@Suite struct SendRulesAPITests {
    func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

    @Test func putFollowsTheStatusMachineAndEffectueeIsLedgered() async throws {
        let rig = try APIRig()
        let (s1, created, _) = try await rig.call("POST", "/api/relances", json: """
            {"contribuable_id": \(rig.who), "type_relance": "sms", "montant_due": "5000", "date_planifiee": "2030-01-06T08:00:00Z", "message": "Rappel"}
            """)
        #expect(s1 == 201 && object(created)["programmee"] as? Bool == true)
        let id = try #require(object(created)["id"] as? Int)
        let (s2, b2, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"statut": "envoyee"}"#)
        #expect(s2 == 409 && rig.detail(b2)?.contains("Marquer effectuée") == true)
        let (s3, b3, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"statut": "annulee"}"#)
        #expect(s3 == 422 && rig.detail(b3) == "notes : indiquez la raison de l'annulation")
        let (s4, b4, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"statut": "annulee", "notes": "Payé au guichet"}"#)
        #expect(s4 == 200 && object(b4)["statut"] as? String == "annulee")
        #expect(try rig.sandbox.received.isEmpty && rig.store.relance(Int64(id))?.dateEnvoi == nil)

        // « Marquer effectuée »: only for an appel or a visite, with its note, ledgered.
        let (_, call, _) = try await rig.call("POST", "/api/relances", json: """
            {"contribuable_id": \(rig.who), "type_relance": "appel", "montant_due": "5000", "date_planifiee": "2030-01-06T08:00:00Z"}
            """)
        let callID = try #require(object(call)["id"] as? Int)
        let (s5, b5, _) = try await rig.call("PATCH", "/api/relances/\(callID)/effectuee", json: #"{"notes": ""}"#)
        #expect(s5 == 422 && rig.detail(b5)?.hasPrefix("notes : ") == true)
        let (s6, b6, _) = try await rig.call("PATCH", "/api/relances/\(callID)/effectuee", json: #"{"notes": "Appel passé, promet de payer lundi"}"#)
        #expect(s6 == 200 && object(b6)["statut"] as? String == "envoyee" && !(object(b6)["date_envoi"] is NSNull))
        #expect(try rig.store.verifyLedger().entries == 1)
        #expect(try rig.store.attempts(relanceID: Int64(callID)).map(\.channel) == ["manuel"])
        let (s7, _, _) = try await rig.call("PATCH", "/api/relances/\(id)/effectuee", json: #"{"notes": "x"}"#)
        #expect(s7 == 409)
        let (s8, _, _) = try await rig.call("PATCH", "/api/relances/\(callID)/effectuee", json: #"{"notes": "encore"}"#)
        #expect(s8 == 409)
    }

    @Test func aSentRelanceGoesAgainOnlyWhenAskedTo() async throws {
        let rig = try APIRig()
        let id = try rig.store.create(NewRelance(contribuableID: rig.who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: Date(),
                                                 message: "Rappel")).id
        let (s1, b1, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
        #expect(s1 == 200 && object(b1)["statut"] as? String == "envoyee")
        let (s2, b2, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
        #expect(s2 == 400 && rig.detail(b2) == "Cette relance a déjà été envoyée")
        let (s3, _, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"statut": "en_attente"}"#)
        #expect(s3 == 409 && rig.sandbox.received.count == 1)
        let (s4, b4, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer", json: #"{"renvoyer": true}"#)
        #expect(s4 == 200 && object(b4)["statut"] as? String == "envoyee")
        #expect(try rig.sandbox.received.count == 2 && rig.store.verifyLedger().entries == 2)
    }

    /// The office's page sends « now » as the planned date when nobody chose one: that
    /// is not a schedule, and the scheduler must leave such a relance pending.
    @Test func aPlannedDateOfNowIsNotASchedule() async throws {
        let rig = try APIRig()
        let now = ISO8601.string(from: Date())
        let (s1, one, _) = try await rig.call("POST", "/api/relances", json: """
            {"contribuable_id": \(rig.who), "type_relance": "sms", "montant_due": "5000", "date_planifiee": "\(now)"}
            """)
        #expect(s1 == 201 && object(one)["programmee"] as? Bool == false)
        let (s2, many, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "date_planifiee": "\(now)", "contribuables": [{"contribuable_id": \(rig.who)}]}
            """)
        #expect(s2 == 201 && object((many as? [Any])?.first)["programmee"] as? Bool == false)
        #expect(try rig.store.pending(limit: 10, now: Date().addingTimeInterval(60), types: [.sms], scheduledOnly: true).isEmpty)
    }

    @Test func programmerSchedulesAPendingRelance() async throws {
        let rig = try APIRig()
        let (s1, made, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "message": "Rappel", "contribuables": [{"contribuable_id": \(rig.who)}]}
            """)
        let first = object((made as? [Any])?.first)
        #expect(s1 == 201 && first["programmee"] as? Bool == false)
        let id = try #require(first["id"] as? Int)
        let (s2, b2, _) = try await rig.call("PATCH", "/api/relances/\(id)/programmer", json: #"{"date_planifiee": "2031-03-02T07:30:00Z"}"#)
        #expect(s2 == 200 && object(b2)["programmee"] as? Bool == true && object(b2)["date_planifiee"] as? String == "2031-03-02T07:30:00Z")
        let (s3, b3, _) = try await rig.call("PATCH", "/api/relances/\(id)/programmer", json: #"{"date_planifiee": "2020-01-01T00:00:00Z"}"#)
        #expect(s3 == 422 && rig.detail(b3)?.hasPrefix("date_planifiee : date passée") == true)
        let (s4, _, _) = try await rig.call("PATCH", "/api/relances/\(id)/programmer", json: "{}")
        #expect(s4 == 422)
        let (s5, _, _) = try await rig.call("PATCH", "/api/relances/424242/programmer", json: #"{"date_planifiee": "2031-03-02T07:30:00Z"}"#)
        #expect(s5 == 404)
        let (_, dated, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "date_planifiee": "2031-01-01T08:00:00Z", "contribuables": [{"contribuable_id": \(rig.who)}]}
            """)
        #expect(object((dated as? [Any])?.first)["programmee"] as? Bool == true)
    }

    @Test func manualCallsAreMergedBoundedAndComplete() async throws {
        let rig = try APIRig()
        // The page's empty message: the office's text, never an empty SMS.
        let (s1, made, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "message": "", "contribuables": [{"contribuable_id": \(rig.who)},
             {"contribuable_id": \(rig.noPhone), "montant_due": "700"}, {"contribuable_id": \(rig.who), "notes": "vu au marché"}]}
            """)
        let items = (made as? [Any] ?? []).map(object)
        #expect(s1 == 201 && items.count == 2)
        #expect(items.first?["message"] as? String == "Éléonore NZE, votre taxe municipale de 5 000 FCFA (échéance dès réception) reste à payer. Merci de la régler à la mairie.")
        #expect(items.first?["notes"] as? String == "vu au marché")
        // An e-mail goes to the e-mail, whatever phone was typed.
        let (s2, mail, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "email", "montant_due": "5000", "message": "Rappel", "contribuables": [{"contribuable_id": \(rig.who), "telephone_override": "077123456"}]}
            """)
        #expect(s2 == 201 && object((mail as? [Any])?.first)["canal_envoi"] is NSNull)
        let many = (0...500).map { _ in "{\"contribuable_id\": \(rig.who)}" }.joined(separator: ",")
        let (s3, b3, _) = try await rig.call("POST", "/api/relances/manuelles", json: #"{"type_relance": "sms", "montant_due": "5000", "contribuables": [\#(many)]}"#)
        #expect(s3 == 422 && rig.detail(b3) == "contribuables : 500 au plus par envoi (501 reçus) : découpez la liste")
        let (s4, b4, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "0", "contribuables": [{"contribuable_id": \(rig.who)}]}
            """)
        #expect(s4 == 400 && rig.detail(b4)?.hasPrefix("Merci d'indiquer un montant dû") == true)
        let long = String(repeating: "a", count: 2_001)
        let (s5, b5, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "contribuables": [{"contribuable_id": \(rig.who), "message": "\(long)"}]}
            """)
        #expect(s5 == 422 && rig.detail(b5) == "contribuables[0].message : 2000 caractères au plus (2001 reçus) : raccourcissez le texte")
        let (s6, b6, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "contribuables": [{"contribuable_id": \(rig.who), "message": "Payez\\u0000 vite"}]}
            """)
        #expect(s6 == 422 && rig.detail(b6)?.hasPrefix("contribuables[0].message : caractère NUL") == true)
        let (_, listed, _) = try await rig.call("GET", "/api/relances")
        #expect(object(listed)["total"] as? Int == 3)   // only the first two calls created anything
    }
}
