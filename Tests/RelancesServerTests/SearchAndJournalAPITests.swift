import Foundation
import Relances
import Testing

/// The page's list search (`recherche`) and a relance's journal (`/journal`).
@Suite struct SearchAndJournalAPITests {
    /// `recherche` finds a taxpayer's relances by name whatever the accents and the case,
    /// first name first or last, and by phone whatever the spaces and the +241/0
    /// prefixes; it combines with the office's other parameters and their total.
    @Test func rechercheFindsByNameWithoutAccentsAndByPhoneDigits() async throws {
        let rig = try APIRig()   // NZE Éléonore, 066 12 34 56
        let ondo = try rig.store.add(Contribuable(nom: "NZÉ-ONDO", prenom: "Paul", telephone: "+241 077 12 34 56"))
        let mba = try rig.store.add(Contribuable(nom: "MBA", prenom: "Jean", telephone: "074 00 00 00"))
        let (status, _, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "message": "Rappel",
             "contribuables": [{"contribuable_id": \(rig.who)}, {"contribuable_id": \(ondo)}, {"contribuable_id": \(mba)}]}
            """)
        try #require(status == 201)
        func found(_ query: String) async throws -> (ids: Set<Int64>, total: Int) {
            let (status, body, _) = try await rig.call("GET", "/api/relances?" + query)
            let answer = body as? [String: Any]
            #expect(status == 200, "\(query): \(String(describing: body))")
            let ids = (answer?["items"] as? [[String: Any]] ?? []).compactMap { ($0["contribuable_id"] as? Int).map(Int64.init) }
            return (Set(ids), answer?["total"] as? Int ?? -1)
        }
        func q(_ term: String) -> String { "recherche=" + term.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        for term in ["Nzé", "nze", "NZÉ", " nZe "] { #expect(try await found(q(term)) == ([rig.who, ondo], 2), "\(term)") }
        for term in ["éléonore nze", "NZE Eleonore", "nze-ondo", "nze ondo paul"] {
            #expect(try await found(q(term)).ids.count == 1, "\(term)")
        }
        for term in ["066123456", "066 12 34 56", "+241 066 12 34 56", "+24166123456", "66 12 34"] {
            #expect(try await found(q(term)) == ([rig.who], 1), "\(term)")
        }
        #expect(try await found(q("077123456")) == ([ondo], 1))
        #expect(try await found(q("0771234")) == ([ondo], 1))
        #expect(try await found(q("obiang")) == ([], 0))
        #expect(try await found(q("06")) == ([], 0))   // too few digits to tell anyone apart
        // With the office's parameters: filters, pages, the total of the filtered list.
        let page = try await found(q("nze") + "&type_relance=sms&statut=en_attente&skip=0&limit=1")
        #expect(page.ids.count == 1 && page.total == 2)
        #expect(try await found(q("nze") + "&type_relance=email") == ([], 0))
        #expect(try await found("") == ([rig.who, ondo, mba], 3))
        let (tooLong, body, _) = try await rig.call("GET", "/api/relances?" + q(String(repeating: "a", count: 101)))
        #expect(tooLong == 422 && rig.detail(body)?.hasPrefix("recherche : ") == true)
        // The manual dialog's taxpayer search compares the same way.
        let (_, people, _) = try await rig.call("GET", "/api/contribuables?search=" + "eleonore".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        #expect((people as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(rig.who)])
        let (_, byPhone, _) = try await rig.call("GET", "/api/contribuables?search=066123456")
        #expect((byPhone as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [Int(rig.who)])
    }

    /// `/journal`: each attempt (channel, outcome, the provider's id) and the ledger
    /// entries of that relance only, the recipient masked; an appel marked done shows
    /// its note; an unknown relance is 404.
    @Test func theJournalListsTheAttemptsAndLedgerEntriesOfOneRelance() async throws {
        let rig = try APIRig()
        let (_, created, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "message": "Rappel", "contribuables": [{"contribuable_id": \(rig.who)}]}
            """)
        let sms = try #require((created as? [[String: Any]])?.first?["id"] as? Int)
        let (_, other, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "appel", "montant_due": "5000", "contribuables": [{"contribuable_id": \(rig.noPhone)}]}
            """)
        let call = try #require((other as? [[String: Any]])?.first?["id"] as? Int)
        let (empty, before, _) = try await rig.call("GET", "/api/relances/\(sms)/journal")
        #expect(empty == 200)
        #expect((before as? [String: Any])?["tentatives"] as? [Any] != nil && ((before as? [String: Any])?["registre"] as? [Any])?.isEmpty == true)

        let (sent, answer, _) = try await rig.call("PATCH", "/api/relances/\(sms)/envoyer")
        try #require(sent == 200 && (answer as? [String: Any])?["statut"] as? String == "envoyee", "\(String(describing: answer))")
        let (done, _, _) = try await rig.call("PATCH", "/api/relances/\(call)/effectuee", json: #"{"notes": "Appelé, paiera lundi"}"#)
        #expect(done == 200)

        let (status, body, _) = try await rig.call("GET", "/api/relances/\(sms)/journal")
        #expect(status == 200)
        let journal = try #require(body as? [String: Any])
        #expect(journal["relance_id"] as? Int == sms)
        let attempts = try #require(journal["tentatives"] as? [[String: Any]])
        let entries = try #require(journal["registre"] as? [[String: Any]])
        #expect(attempts.count == 1 && entries.count == 1, "\(journal)")
        let provider = try #require(attempts.first?["fournisseur_id"] as? String)
        #expect(!provider.isEmpty && attempts.first?["resultat"] as? String == "sent" && attempts.first?["canal"] as? String == "ventis")
        #expect(attempts.first?["tentative"] as? Int == 1 && attempts.first?["debut"] is String && attempts.first?["fin"] is String)
        #expect(entries.first?["fournisseur_id"] as? String == provider && entries.first?["resultat"] as? String == "sent")
        let recipient = try #require(entries.first?["destinataire"] as? String)
        #expect(recipient.contains("*") && !recipient.contains("61234567"), "\(recipient)")
        #expect((entries.first?["hash"] as? String)?.count == 64 && (entries.first?["texte_sha256"] as? String)?.count == 64)

        let (_, manual, _) = try await rig.call("GET", "/api/relances/\(call)/journal")
        let manualAttempts = (manual as? [String: Any])?["tentatives"] as? [[String: Any]] ?? []
        #expect(manualAttempts.count == 1 && manualAttempts.first?["canal"] as? String == "manuel"
                && manualAttempts.first?["detail"] as? String == "Appelé, paiera lundi", "\(manualAttempts)")
        #expect(((manual as? [String: Any])?["registre"] as? [Any])?.count == 1)

        let (missing, why, _) = try await rig.call("GET", "/api/relances/999999/journal")
        #expect(missing == 404 && rig.detail(why) == "Relance non trouvée")
        #expect(try await rig.call("GET", "/api/relances/abc/journal").0 == 422)
    }
}
