import Foundation
import Relances
import Testing

/// « Envoyer les relances en attente », in the serialized browser suite: it names the
/// count first and « Annuler » sends nothing; it follows the filters on screen; it
/// leaves programmed relances and visits alone; one sent meanwhile by someone else is
/// said, not counted as sent.
extension PageBrowserTests {
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func sendingThePendingOnesAsksFirstFollowsTheFiltersAndAnnulerSendsNothing() async throws {
        let rig = try APIRig()
        let moussavou = try rig.store.add(Contribuable(nom: "MOUSSAVOU", prenom: "Jean", telephone: "077 11 11 11"))
        let ndong = try rig.store.add(Contribuable(nom: "NDONG", prenom: "Luc", telephone: "062 22 22 22"))
        func create(_ type: String, _ who: Int64, planned: String? = nil) async throws -> Int64 {
            let date = planned.map { #", "date_planifiee": "\#($0)""# } ?? ""
            let (status, body, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
                {"type_relance": "\(type)", "montant_due": "5000", "message": "Rappel"\(date), "contribuables": [{"contribuable_id": \(who)}]}
                """)
            #expect(status == 201, "\(String(describing: body))")
            return Int64(try #require((body as? [[String: Any]])?.first?["id"] as? Int))
        }
        let hers = try await create("sms", rig.who)
        let his = try await create("sms", moussavou)
        let luc = try await create("sms", ndong)
        let planned = try await create("sms", ndong, planned: "2030-01-06T08:00:00Z")
        let visit = try await create("visite", ndong)
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base, ready = Self.ready

        // The Statut filter on « Échec »: refused, saying what to choose; nothing asked.
        let wrongFilter = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(ready)
            _ = try t.evaluate("document.getElementById('f-statut').value = 'echec'")
            try t.click("#b-envoyer-attente")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(wrongFilter.hasPrefix("Le filtre « Statut » montre d'autres relances"), "\(wrongFilter)")

        // No filter: three SMS counted, the programmed one and the visit named apart;
        // « Annuler » sends nothing.
        let mark = tab.eventCount
        let question = try await tab.run { t in
            try t.click("#b-reinitialiser")
            _ = try t.until("document.getElementById('f-statut').value === '' && \(ready)")
            try t.click("#b-envoyer-attente")
            let question = try t.dialog()
            try t.answer(accept: false)
            _ = try t.until("!document.getElementById('b-envoyer-attente').disabled && \(ready)")
            return question
        }
        #expect(question.type == "confirm" && question.message.hasPrefix("Envoyer maintenant 3 relance(s) en attente (3 SMS) ?"), "\(question.message)")
        #expect(question.message.contains("1 programmée(s) partiront à leur date.") && question.message.contains("1 appel(s) ou visite(s) se font à la main"))
        #expect(!question.message.contains("filtres"))
        #expect(!tab.requests(after: mark).contains { $0.method == "PATCH" }, "\(tab.requests(after: mark).map(\.url))")
        #expect(rig.sandbox.received.isEmpty)
        #expect(try [hers, his, luc, planned, visit].allSatisfy { try rig.store.relance($0)?.statut == .enAttente })

        // Searched for « ndong »: only his one unprogrammed SMS, said to follow the filters.
        let (filtered, sentOne) = try await tab.run { t in
            _ = try t.evaluate("document.getElementById('f-recherche').value = 'ndong'")
            try t.click("#b-filtrer")
            _ = try t.until("document.querySelectorAll('#lignes tr[data-id]').length === 3 && \(ready)")
            try t.click("#b-envoyer-attente")
            let question = try t.dialog()
            try t.answer(accept: true)
            _ = try t.until("/sur 1\\./.test(document.getElementById('message').textContent) && \(ready)", seconds: 30)
            return (question, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(filtered.message.hasPrefix("Envoyer maintenant 1 relance(s) en attente (1 SMS) ?") && filtered.message.contains("filtres affichés"), "\(filtered.message)")
        #expect(sentOne == "1 relance(s) envoyée(s), 0 échec(s) sur 1.", "\(sentOne)")
        #expect(rig.sandbox.received.map(\.to) == ["24162222222"])
        #expect(try rig.store.relance(luc)?.statut == .envoyee && rig.store.relance(planned)?.statut == .enAttente && rig.store.relance(visit)?.statut == .enAttente)

        // Hers sent by someone else while the question is open: refused by the server,
        // said so; his goes.
        let asked = try await tab.run { t in
            try t.click("#b-reinitialiser")
            _ = try t.until("document.getElementById('f-recherche').value === '' && \(ready)")
            try t.click("#b-envoyer-attente")
            return try t.dialog()
        }
        #expect(asked.message.hasPrefix("Envoyer maintenant 2 relance(s) en attente (2 SMS) ?"), "\(asked.message)")
        #expect(try await rig.call("PATCH", "/api/relances/\(hers)/envoyer").0 == 200)
        let after = try await tab.run { t in
            try t.answer(accept: true)
            _ = try t.until("/sur 2\\./.test(document.getElementById('message').textContent) && \(ready)", seconds: 30)
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(after.hasPrefix("1 relance(s) envoyée(s), 0 échec(s) sur 2. 1 non envoyée(s), refusée(s) par le serveur : Cette relance a déjà été envoyée"), "\(after)")
        #expect(try rig.sandbox.received.count == 3 && rig.store.relance(his)?.statut == .envoyee)
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }
}
