import Foundation
import Gateway
import Relances
import Testing

/// An operator's morning in the page, in order, at a desk's width and a phone's: a
/// taxpayer found with an accent, their phone corrected, a manual relance with a planned
/// date, 20 SMS generated without sending then sent from the page, a visit marked done,
/// a reply recorded, the list exported, the « Aide » panel. A screenshot at each step
/// under `.build/test-output/` (`matin-<width>-<n>-<step>.png`).
extension PageBrowserTests {
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() }, arguments: [1400, 390])
    func anOperatorsMorningAtDesktopAndPhoneWidths(width: Int) async throws {
        let rig = try APIRig()   // Éléonore NZE, 066 12 34 56, 40 days late; Paul OBAME, no phone
        // 19 more late taxpayers with a phone: with hers, 20 SMS to generate.
        let taxe = try rig.store.add(Taxe(nom: "Marché", montant: Montant("3000")!, periodicite: .mensuelle))
        for n in 0..<19 {
            let who = try rig.store.add(Contribuable(nom: "CLIENT\(n)", prenom: "Awa", telephone: String(format: "077 10 00 %02d", n)))
            let start = ISO8601.string(from: Date().addingTimeInterval(-Double(35 + n) * 86_400)).prefix(10)
            let debt = try rig.store.add(AffectationTaxe(contribuableID: who, taxeID: taxe, dateDebut: String(start)))
            try rig.store.openDossier(affectationID: debt)
        }
        let mba = try rig.store.add(Contribuable(nom: "MBADINGA", prenom: "Marie", telephone: "074 00 00 00", adresse: "Akébé"))
        let (status, body, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "visite", "montant_due": "10000", "message": "Passer au marché", "contribuables": [{"contribuable_id": \(mba)}]}
            """)
        #expect(status == 201, "\(String(describing: body))")
        let visit = Int64(try #require((body as? [[String: Any]])?.first?["id"] as? Int))

        let phone = width < 600
        let tab = try await DevToolsPage.start(width: max(width, 500), height: phone ? 844 : 1000)
        defer { tab.close() }
        let base = rig.base, ready = Self.ready, noSideScroll = Self.noSideScroll
        let downloads = FileManager.default.temporaryDirectory.appendingPathComponent("matin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        var step = 0
        /// `showing`: scrolled into view first on a phone, where the list is under the filters.
        func shot(_ name: String, showing selector: String? = nil) async throws {
            step += 1
            let png = try await tab.run { t in
                if let selector, phone { _ = try t.evaluate("document.querySelector(\(DevToolsPage.quoted(selector))).scrollIntoView()") }
                return try t.screenshot()
            }
            try Self.save(png, "matin-\(width)-\(String(format: "%02d", step))-\(name).png")
            #expect(try await tab.run { t in try t.evaluate(noSideScroll) } == "true", "\(name) at \(width) px scrolls sideways")
        }
        func text(_ id: String) async throws -> String {
            try await tab.run { t in try t.evaluate("document.getElementById('\(id)').textContent", as: String.self) }
        }

        // 1. « Nzé » in « Contribuables » finds Éléonore NZE.
        let found = try await tab.run { t in
            try t.call("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": downloads.path], inSession: false)
            try t.call("Emulation.setDeviceMetricsOverride", ["width": width, "height": phone ? 844 : 1000, "deviceScaleFactor": 1, "mobile": false])
            try t.open(base + "/")
            _ = try t.until(ready)
            try t.click("nav.vues a[data-vue='contribuables']")
            _ = try t.until("document.activeElement && document.activeElement.id === 'c-recherche'")
            try t.type("Nzé")
            _ = try t.until("document.querySelector('#c-lignes tr[data-id]')")
            return try t.evaluate("[...document.querySelectorAll('#c-lignes bdi.nom')].map(e => e.textContent)", as: [String].self)
        }
        #expect(found == ["Éléonore NZE"], "\(found)")
        try await shot("recherche")

        // 2. Her phone: a wrong number refused in French, then the right one saved.
        let refused = try await tab.run { t in
            try t.click("#c-lignes button[data-modifier-contact='\(rig.who)']")
            _ = try t.until("document.getElementById('d-contact').open")
            _ = try t.evaluate("(c => { c.value = ''; c.focus(); })(document.getElementById('contact-telephone'))")
            try t.type("06 12")
            try t.click("#contact-enregistrer")
            _ = try t.until("document.getElementById('contact-erreur').textContent !== ''")
            return try t.evaluate("document.getElementById('contact-erreur').textContent", as: String.self)
        }
        #expect(refused.hasPrefix("Téléphone : le numéro « 06 12 » a 4 chiffres") && refused.contains("« 077 12 34 56 »"), "\(refused)")
        #expect(try await tab.run { t in try t.evaluate(Self.fits("d-contact")) } == "true")
        try await shot("numero-refuse")
        let saved = try await tab.run { t in
            _ = try t.evaluate("(c => { c.value = ''; c.focus(); })(document.getElementById('contact-telephone'))")
            try t.type("065 84 33 03")
            try t.click("#contact-enregistrer")
            _ = try t.until("/contact enregistré/.test(document.getElementById('contact-qui').textContent)")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(saved == "Contact de Éléonore NZE enregistré.")
        #expect(try rig.store.contribuable(rig.who)?.telephone == "065 84 33 03")
        try await shot("numero-corrige")

        // 3. A manual relance for her, planned for a date: the summary, then created.
        try await tab.run { t in
            try t.click("#contact-fermer")
            try t.click("nav.vues a[data-vue='liste']")
            _ = try t.until("document.querySelector('main').dataset.vue === 'liste' && \(ready)")
            try t.click("#b-manuelle")
            _ = try t.until("document.activeElement === document.getElementById('m-recherche')")
            try t.type("Nzé")
            _ = try t.until("document.querySelectorAll('#m-resultats [role=option]').length === 1")
            try t.press("ArrowDown")
            try t.press("Enter")
            _ = try t.until("document.querySelectorAll('#m-choisis li').length === 1")
            _ = try t.evaluate("document.querySelector('#m-choisis input[data-champ=montant]').focus()")
            try t.type("45 000")
            _ = try t.evaluate("(i => { i.value = '2030-01-06T09:30'; i.dispatchEvent(new Event('input')); })(document.getElementById('m-planifiee'))")
        }
        try await Self.checkAndCreateManual(tab) { try await shot("manuelle-resume") }
        var hers = RelanceFilter()
        hers.contribuableID = rig.who
        let manual = try #require(try rig.store.list(hers).items.first)
        #expect(manual.programmee && manual.statut == .enAttente && ISO8601.string(from: manual.datePlanifiee).hasPrefix("2030-01-06")
                && manual.montantDue.description == "45000.00")
        try await shot("manuelle-creee", showing: "#relances")

        // 4. 20 SMS generated, left pending: nothing reaches the provider.
        try await tab.run { t in
            try t.click("#b-generer")
            _ = try t.until("document.getElementById('d-generer').open")
            _ = try t.evaluate("(document.getElementById('g-type').value = 'sms', document.getElementById('g-limite').value = '20')")
        }
        #expect(try await tab.run { t in try t.evaluate(Self.fits("d-generer")) } == "true")
        try await shot("generation")
        let (preflight, sendNow, generated) = try await tab.run { t in
            try t.click("#g-continuer")
            let preflight = try t.dialog()
            try t.answer(accept: true)
            let sendNow = try t.dialog()
            try t.answer(accept: false)
            _ = try t.until("/générée/.test(document.getElementById('message').textContent) && \(ready)", seconds: 60)
            return (preflight, sendNow, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(preflight.message.contains("20 relance(s) SMS seraient créées") && sendNow.message.hasPrefix("Envoyer automatiquement"), "\(preflight.message)")
        #expect(generated == "20 relance(s) générée(s), 0 envoyée(s), 0 échec(s).", "\(generated)")
        var pendingSMS = RelanceFilter()
        pendingSMS.type = .sms
        pendingSMS.statut = .enAttente
        pendingSMS.limit = 1000
        let waiting = try rig.store.list(pendingSMS).items.filter { !$0.programmee }
        #expect(waiting.count == 20 && rig.sandbox.received.isEmpty, "\(waiting.count) pending, \(rig.sandbox.received.count) sent")
        #expect(waiting.contains { $0.contribuableID == rig.who })
        try await shot("generees", showing: "#relances")

        // 5. « Envoyer les relances en attente »: the count asked about, then the 20 sent
        // (hers to her new number); the planned one and the visit stay.
        let (question, sent) = try await tab.run { t in
            try t.click("#b-envoyer-attente")
            let question = try t.dialog()
            try t.answer(accept: true)
            _ = try t.until("/envoyée\\(s\\),/.test(document.getElementById('message').textContent) && \(ready)", seconds: 90)
            return (question, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(question.type == "confirm" && question.message.hasPrefix("Envoyer maintenant 20 relance(s) en attente (20 SMS) ?"), "\(question.message)")
        #expect(question.message.contains("1 programmée(s) partiront à leur date.") && question.message.contains("1 appel(s) ou visite(s)"), "\(question.message)")
        #expect(sent == "20 relance(s) envoyée(s), 0 échec(s) sur 20.", "\(sent)")
        #expect(rig.sandbox.received.count == 20 && rig.sandbox.received.contains { $0.to == "24165843303" }
                && !rig.sandbox.received.contains { $0.to == "24166123456" }, "\(rig.sandbox.received.map(\.to))")
        #expect(try rig.store.list(pendingSMS).items.map(\.id) == [manual.id])
        #expect(try rig.store.statistics(from: nil, to: nil).relancesEnvoyees == 20)
        try await shot("envoyees", showing: "#relances")

        // 6. The visit, found by the Type filter, marked done with a note: « Effectuée ».
        let (done, pill) = try await tab.run { t in
            _ = try t.evaluate("document.getElementById('f-type').value = 'visite'")
            try t.click("#b-filtrer")
            _ = try t.until("document.querySelectorAll('#lignes tr[data-id]').length === 1 && \(ready)")
            try t.click("#lignes button[data-effectuee='\(visit)']")
            _ = try t.until("document.getElementById('d-action').open")
            _ = try t.evaluate("document.getElementById('a-note').focus()")
            try t.type("Visite faite, paiera vendredi")
            try t.click("#a-valider")
            _ = try t.until("/effectuée/.test(document.getElementById('message').textContent) && \(ready) && !document.querySelector('#lignes button[data-effectuee]')")
            return (try t.evaluate("document.getElementById('message').textContent", as: String.self),
                    try t.evaluate("document.querySelector('#lignes tr[data-id=\"\(visit)\"] .pilule').textContent", as: String.self))
        }
        #expect(done == "Visite marquée effectuée." && pill == "Effectuée", "\(done) \(pill)")
        #expect(try rig.store.relance(visit).map { $0.statut == .envoyee && $0.notes == "Visite faite, paiera vendredi" } == true)
        try await shot("visite-effectuee", showing: "#relances")

        // 7. A reply to one of the SMS sent: « Taux de réponse » moves.
        let replied = try await tab.run { t in
            _ = try t.evaluate("(document.getElementById('f-type').value = 'sms', document.getElementById('f-statut').value = 'envoyee')")
            try t.click("#b-filtrer")
            _ = try t.until("document.querySelectorAll('#lignes tr[data-id]').length === 20 && \(ready)")
            return try t.evaluate("document.querySelector('#lignes button[data-reponse]').dataset.reponse", as: String.self)
        }
        let repliedID = try #require(Int64(replied))
        let rateBefore = try await text("stat-taux")
        let rateAfter = try await tab.run { t in
            try t.click("#lignes button[data-reponse='\(repliedID)']")
            _ = try t.until("document.getElementById('d-action').open && document.getElementById('a-date').value !== ''")
            _ = try t.evaluate("document.getElementById('a-note').focus()")
            try t.type("A payé à la mairie")
            try t.click("#a-valider")
            _ = try t.until("document.getElementById('message').textContent === 'Réponse enregistrée.' && \(ready)")
            _ = try t.until("document.getElementById('stat-taux').textContent !== \(DevToolsPage.quoted(rateBefore))")
            return try t.evaluate("document.getElementById('stat-taux').textContent", as: String.self)
        }
        #expect(rateBefore == "0 %" && rateAfter != "0 %", "\(rateBefore) → \(rateAfter)")
        #expect(try rig.store.relance(repliedID).map { $0.reponseRecue && $0.dateReponse != nil && ($0.notes ?? "").contains("Réponse : A payé à la mairie") } == true)
        try await shot("reponse", showing: "#relances")

        // 8. The list exported with the filters on screen: the 20 SMS sent.
        let mark = tab.eventCount
        let exported = try await tab.run { t in
            try t.click("#b-exporter")
            _ = try t.until("document.getElementById('message').textContent.startsWith('Export téléchargé')")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(exported.hasPrefix("Export téléchargé : relances-") && exported.hasSuffix("(les filtres affichés sont appliqués)."), "\(exported)")
        #expect(tab.requests(after: mark).contains { $0.url == "/api/relances/export.csv?type_relance=sms&statut=envoyee" }, "\(tab.requests(after: mark).map(\.url))")
        let csv = try Data(contentsOf: try Self.waitForFile(in: downloads))
        let rows = String(decoding: csv.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]) && rows.count == 20, "\(rows.count) rows")
        try await shot("export", showing: "#message")

        // 9. The « Aide » panel, with the mouse: on the screen, closed with Échap.
        struct Help: Decodable { let fits: Bool; let statuses: Int; let reasons: Int }
        let help = try await tab.run { t in
            try t.mouseClick("#b-aide")
            _ = try t.until("document.getElementById('d-aide').open")
            return try t.evaluate("({ fits: \(Self.fits("d-aide")), statuses: document.querySelectorAll('#aide-statuts dt').length, reasons: document.querySelectorAll('#aide-motifs dt').length })",
                                  as: Help.self)
        }
        #expect(help.fits && help.statuses == Self.statusesShown.count && help.reasons == FailureReason.allCases.count, "\(help)")
        try await shot("aide")
        let closed = try await tab.run { t in
            try t.press("Escape")
            return try t.until("!document.getElementById('d-aide').open")
        }
        #expect(closed)
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }
}
