import Foundation
import Gateway
import HTTP
import Relances
import Testing

/// An operator's day in the page, in Chromium (the serialized browser suite): the
/// manual dialog driven by the keyboard, the actions on one relance, the detail with its
/// journal, the list's search, at a desktop's width and a phone's; and what the page
/// says when the server is gone or refuses the token.
extension PageBrowserTests {
    static let noSideScroll = "document.documentElement.scrollWidth <= innerWidth"

    /// A dialog fits the screen: inside the viewport on both sides.
    static func fits(_ id: String) -> String {
        "(r => r.left >= 0 && r.right <= innerWidth && r.width > 0)(document.getElementById('\(id)').getBoundingClientRect())"
    }

    /// « Vérifier » then « Créer » in the manual dialog, filled for Éléonore NZE (45 000
    /// FCFA, planned for 06/01/2030): the summary says so before anything is created, the
    /// dialog fits the screen, and the page confirms the relance is scheduled.
    static func checkAndCreateManual(_ tab: DevToolsPage, screenshot: () async throws -> Void) async throws {
        let summary = try await tab.run { t in
            try t.click("#m-verifier")
            _ = try t.until("!document.getElementById('m-verification').hidden")
            // French groups thousands with a narrow no-break space.
            return try t.evaluate("document.getElementById('m-resume').textContent.replace(/[\\u00a0\\u202f]/g, ' ')", as: String.self)
        }
        #expect(summary.contains("1 relance SMS sera créée.") && summary.contains("Envoi automatique le 06/01/2030") && summary.contains("Éléonore NZE — 45 000 FCFA"),
                "\(summary)")
        #expect(try await tab.run { t in try t.evaluate(Self.fits("d-manuelle")) } == "true")
        try await screenshot()
        let created = try await tab.run { t in
            try t.click("#m-creer")
            _ = try t.until("/créée/.test(document.getElementById('message').textContent) && \(ready)")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(created.hasPrefix("1 relance(s) manuelle(s) créée(s), programmée(s) pour le 06/01/2030"), "\(created)")
    }

    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() }, arguments: [1400, 390])
    func anOperatorsDayAtDesktopAndPhoneWidths(width: Int) async throws {
        let rig = try APIRig()   // Éléonore NZE, 066 12 34 56
        let ondo = try rig.store.add(Contribuable(nom: "NZÉ-ONDO", prenom: "Paul", telephone: "+241 077 12 34 56",
                                                  email: "p.ondo@exemple.ga", adresse: "Nzeng-Ayong"))
        let mba = try rig.store.add(Contribuable(nom: "MBADINGA", prenom: "Marie", telephone: "074 00 00 00"))
        func create(_ type: String, _ who: Int64) async throws -> Int64 {
            let (status, body, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
                {"type_relance": "\(type)", "montant_due": "10000", "message": "Rappel", "contribuables": [{"contribuable_id": \(who)}]}
                """)
            #expect(status == 201, "\(String(describing: body))")
            return Int64(try #require((body as? [[String: Any]])?.first?["id"] as? Int))
        }
        let visit = try await create("visite", mba)
        let sent = try await create("sms", ondo)
        let toCancel = try await create("sms", mba)
        try #require(try await rig.call("PATCH", "/api/relances/\(sent)/envoyer").0 == 200)
        try #require(try rig.store.relance(sent)?.statut == .envoyee)

        let tab = try await DevToolsPage.start(width: max(width, 500), height: width < 600 ? 844 : 1000)
        defer { tab.close() }
        let base = rig.base
        let output = APIRig.packageRoot.appendingPathComponent(".build/test-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        func shot(_ name: String) async throws {
            let file = output.appendingPathComponent("relances-journee-\(width)-\(name).png")
            try await tab.run { t in try t.screenshot() }.write(to: file)
            print("page screenshot: \(file.path)")
        }
        let ready = Self.ready, noSideScroll = Self.noSideScroll

        // The viewport itself at that width (a headless window has a minimum width), as a phone.
        let shownWidth = try await tab.run { t in
            try t.call("Emulation.setDeviceMetricsOverride", ["width": width, "height": width < 600 ? 844 : 1000, "deviceScaleFactor": 1, "mobile": false])
            try t.open(base + "/")
            _ = try t.until(ready)
            return try t.evaluate("innerWidth", as: Int.self)
        }
        #expect(shownWidth == width)
        #expect(try await tab.run { t in try t.evaluate(noSideScroll) } == "true", "list at \(width) px scrolls sideways")
        _ = try await tab.run { t in try t.evaluate("document.getElementById('relances').scrollIntoView()") }
        try await shot("liste")

        // The manual dialog by keyboard: « Nzé » finds the two NZE (namesakes told apart
        // by their phone), ArrowDown then ArrowUp comes back to the first, Enter adds her.
        struct Picked: Decodable { let options: [String]; let active: String; let chosen: [String]; let selected: [String] }
        let picked = try await tab.run { t in
            try t.click("#b-manuelle")
            _ = try t.until("document.activeElement === document.getElementById('m-recherche')")
            try t.type("Nzé")
            _ = try t.until("document.querySelectorAll('#m-resultats [role=option]').length === 2")
            try t.press("ArrowDown")
            try t.press("ArrowUp")
            let active = try t.evaluate("document.getElementById('m-recherche').getAttribute('aria-activedescendant')", as: String.self)
            try t.press("Enter")
            _ = try t.until("document.querySelectorAll('#m-choisis li').length === 1")
            return Picked(
                options: try t.evaluate("[...document.querySelectorAll('#m-resultats [role=option]')].map(o => o.textContent)", as: [String].self),
                active: active,
                chosen: try t.evaluate("[...document.querySelectorAll('#m-choisis bdi.nom')].map(e => e.textContent)", as: [String].self),
                selected: try t.evaluate("[...document.querySelectorAll('#m-resultats [aria-selected=true]')].map(o => o.dataset.id)", as: [String].self))
        }
        #expect(picked.options.count == 2 && picked.options[0].contains("066 12 34 56") && picked.options[1].contains("+241 077 12 34 56")
                && picked.options[1].contains("Nzeng-Ayong"), "\(picked.options)")
        #expect(picked.active == "m-option-\(rig.who)" && picked.chosen == ["Éléonore NZE"] && picked.selected == [String(rig.who)])

        // Her amount, a planned date, a note; the SMS counter in operator words; then
        // the summary before anything is created.
        struct Counted: Decodable { let short: String; let long: String; let special: String }
        let counted = try await tab.run { t in
            _ = try t.evaluate("document.querySelector('#m-choisis input[data-champ=montant]').focus()")
            try t.type("45 000")
            _ = try t.evaluate("(i => { i.value = '2030-01-06T09:30'; i.dispatchEvent(new Event('input')); })(document.getElementById('m-planifiee'))")
            _ = try t.evaluate("document.getElementById('m-notes').focus()")
            try t.type("Vue au guichet le 2")
            func counter(_ text: String) throws -> String {
                _ = try t.evaluate("(a => { a.value = \(DevToolsPage.quoted(text)); a.dispatchEvent(new Event('input')); })(document.getElementById('m-texte'))")
                return try t.evaluate("document.getElementById('m-compteur').textContent", as: String.self)
            }
            let long = try counter(String(repeating: "Rappel taxe. ", count: 13))
            let special = try counter("Rappel : l’échéance est passée.")
            return Counted(short: try counter("Rappel : votre taxe de marché est due."), long: long, special: special)
        }
        #expect(counted.short.hasSuffix("· 1 SMS") && counted.long.contains("· 2 SMS") && counted.special.contains("70 caractères par SMS"), "\(counted)")
        #expect(!(counted.short + counted.long + counted.special).contains("GSM"))
        try await shot("manuelle-saisie")
        try await Self.checkAndCreateManual(tab) { try await shot("manuelle-resume") }
        var filter = RelanceFilter()
        filter.contribuableID = rig.who
        let mine = try #require(try rig.store.list(filter).items.first)
        #expect(mine.programmee && mine.montantDue.description == "45000.00" && mine.notes == "Vue au guichet le 2"
                && mine.message == "Rappel : votre taxe de marché est due." && ISO8601.string(from: mine.datePlanifiee).hasPrefix("2030-01-06"))
        let rowPlanned = try await tab.run { t in try t.evaluate("document.querySelector('#lignes tr[data-id=\"\(mine.id)\"]').children[3].textContent", as: String.self) }
        #expect(rowPlanned.hasPrefix("Programmée le 06/01/2030"), "\(rowPlanned)")

        // The visit done, with its note (refused without one).
        let (refusedEmpty, done) = try await tab.run { t in
            try t.click("#lignes button[data-effectuee='\(visit)']")
            _ = try t.until("document.getElementById('d-action').open")
            try t.click("#a-valider")
            let refused = try t.evaluate("document.getElementById('a-erreur').textContent", as: String.self)
            _ = try t.evaluate("document.getElementById('a-note').focus()")
            try t.type("Visite faite, paiera vendredi")
            let file = output.appendingPathComponent("relances-journee-\(width)-effectuee.png")
            try t.screenshot().write(to: file)
            try t.click("#a-valider")
            _ = try t.until("/effectuée/.test(document.getElementById('message').textContent) && \(ready)")
            return (refused, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(refusedEmpty.hasPrefix("Écrivez un compte rendu") && done == "Visite marquée effectuée.")
        #expect(try rig.store.relance(visit)?.statut == .envoyee && rig.store.relance(visit)?.notes == "Visite faite, paiera vendredi")

        // The reply to the SMS already sent: « Taux de réponse » moves.
        let (rateBefore, rateAfter) = try await tab.run { t in
            let before = try t.evaluate("document.getElementById('stat-taux').textContent", as: String.self)
            try t.click("#lignes button[data-reponse='\(sent)']")
            _ = try t.until("document.getElementById('d-action').open && document.getElementById('a-date').value !== ''")
            _ = try t.evaluate("document.getElementById('a-note').focus()")
            try t.type("A payé à la mairie")
            try t.click("#a-valider")
            _ = try t.until("document.getElementById('message').textContent === 'Réponse enregistrée.' && \(ready)")
            _ = try t.until("document.getElementById('stat-taux').textContent !== \(DevToolsPage.quoted(before))")
            return (before, try t.evaluate("document.getElementById('stat-taux').textContent", as: String.self))
        }
        #expect(rateBefore == "0 %" && rateAfter != "0 %", "\(rateBefore) → \(rateAfter)")
        #expect(try rig.store.relance(sent)?.reponseRecue == true && rig.store.relance(sent)?.dateReponse != nil)

        // Cancelled from its detail, with a reason.
        let cancelled = try await tab.run { t in
            try t.click("#lignes button[data-detail='\(toCancel)']")
            _ = try t.until("document.querySelector('#detail-actions button[data-action=annuler]')")
            try t.click("#detail-actions button[data-action=annuler]")
            _ = try t.until("document.getElementById('d-action').open")
            _ = try t.evaluate("document.getElementById('a-note').focus()")
            try t.type("A payé au guichet")
            try t.click("#a-valider")
            _ = try t.until("document.getElementById('message').textContent === 'Relance annulée.' && !document.querySelector('#detail-actions button[data-action=annuler]')")
            let statut = try t.evaluate("[...document.querySelectorAll('#detail-champs dt')].find(e => e.textContent === 'Statut').nextElementSibling.textContent", as: String.self)
            try t.click("#detail-fermer")
            _ = try t.until("!document.getElementById('d-detail').open && \(ready)")
            return statut
        }
        #expect(cancelled == "Annulée")
        #expect(try rig.store.relance(toCancel)?.statut == .annulee && rig.store.relance(toCancel)?.notes == "A payé au guichet")

        // The sent SMS's detail: its attempt and ledger entry with the provider's id, and
        // the taxpayer's other relances.
        let providerID = try #require(try rig.store.attempts(relanceID: sent).first?.providerID)
        struct Journal: Decodable { let attempts: [String]; let ledger: [String]; let history: Int; let fits: Bool; let noSideScroll: Bool }
        let journal = try await tab.run { t in
            try t.click("#lignes button[data-detail='\(sent)']")
            _ = try t.until("document.querySelectorAll('#detail-registre li').length > 0 && document.getElementById('detail-historique-liste')")
            return try t.evaluate("""
                ({ attempts: [...document.querySelectorAll('#detail-tentatives li')].map(e => e.textContent),
                   ledger: [...document.querySelectorAll('#detail-registre li')].map(e => e.textContent),
                   history: document.querySelectorAll('#detail-historique-liste li').length,
                   fits: \(Self.fits("d-detail")), noSideScroll: \(noSideScroll) })
                """, as: Journal.self)
        }
        #expect(journal.attempts.count == 1 && journal.attempts[0].hasPrefix("Remis au service d'envoi") && journal.attempts[0].contains(providerID), "\(journal.attempts)")
        #expect(journal.ledger.count == 1 && journal.ledger[0].contains(providerID) && !journal.ledger[0].contains("12 34 56"), "\(journal.ledger)")
        #expect(journal.history == 1 && journal.fits && journal.noSideScroll)
        try await shot("detail")

        // « Renvoyer » the sent one, after its own confirmation; « Programmer » hers again.
        let (resendQuestion, resent) = try await tab.run { t in
            try t.click("#detail-actions button[data-action=renvoyer]")
            let question = try t.dialog()
            try t.answer(accept: true)
            _ = try t.until("/Relance renvoyée/.test(document.getElementById('message').textContent) && \(ready)", seconds: 30)
            return (question, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(resendQuestion.type == "confirm" && resendQuestion.message.hasPrefix("Renvoyer cette relance à Paul NZÉ-ONDO ?"), "\(resendQuestion)")
        #expect(resent.hasPrefix("Relance renvoyée.") && rig.sandbox.received.count == 2)
        let rescheduled = try await tab.run { t in
            try t.click("#detail-fermer")
            try t.click("#lignes button[data-detail='\(mine.id)']")
            _ = try t.until("document.querySelector('#detail-actions button[data-action=programmer]')")
            try t.click("#detail-actions button[data-action=programmer]")
            _ = try t.until("document.getElementById('d-action').open && !document.getElementById('a-champ-date').hidden")
            _ = try t.evaluate("document.getElementById('a-date').value = '2030-02-03T10:15'")
            try t.click("#a-valider")
            _ = try t.until("/programmée pour le/.test(document.getElementById('message').textContent) && \(ready)")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(rescheduled.hasPrefix("Relance programmée pour le 03/02/2030 10:15"), "\(rescheduled)")
        #expect(try rig.store.relance(mine.id).map { ISO8601.string(from: $0.datePlanifiee).hasPrefix("2030-02-03") && $0.programmee } == true)

        // The list searched by phone, then « Réinitialiser ».
        struct Listed: Decodable { let found: [String]; let all: Int }
        let listed = try await tab.run { t in
            try t.click("#detail-fermer")
            _ = try t.evaluate("document.getElementById('f-recherche').focus()")
            try t.type("0771234")
            try t.press("Enter")
            _ = try t.until("document.querySelectorAll('#lignes tr[data-id]').length === 1 && \(ready)")
            let found = try t.evaluate("[...document.querySelectorAll('#lignes bdi.nom')].map(e => e.textContent)", as: [String].self)
            try t.click("#b-reinitialiser")
            _ = try t.until("document.querySelectorAll('#lignes tr[data-id]').length === 4 && document.getElementById('f-recherche').value === ''")
            return Listed(found: found, all: try t.evaluate("document.querySelectorAll('#lignes tr[data-id]').length", as: Int.self))
        }
        #expect(listed.found == ["Paul NZÉ-ONDO"] && listed.all == 4, "\(listed.found) \(listed.all)")
        #expect(try await tab.run { t in try t.evaluate(noSideScroll) } == "true", "list at \(width) px scrolls sideways")
        try await shot("fin")
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }

    /// The message box's counter says as many SMS as the server will count (`SMSText`),
    /// around each boundary: 160/153 for the SMS alphabet, 70/67 once a character
    /// outside it is there, € and brackets counting two, emoji and line breaks (a text
    /// box gives its text with LF line ends, and that is what is sent).
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func theSMSCounterCountsAsTheServerDoes() async throws {
        let rig = try APIRig()
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let a = { (n: Int) in String(repeating: "a", count: n) }
        let texts = [a(1), a(160), a(161), a(306), a(307), a(459), a(460), a(159) + "€", a(158) + "€", a(152) + "[" + a(10),
                     "l’" + a(68), "l’" + a(69), "ê" + a(133), "ê" + a(134), "😀" + a(68), "😀" + a(69), "👩‍👩‍👧" + a(60),
                     a(80) + "\n" + a(79), a(80) + "\n" + a(80), "Rappel : votre taxe de marché de 45 000 FCFA est due. Mairie de Libreville."]
        let shown = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            try t.click("#b-manuelle")
            return try texts.map { text in
                try t.evaluate("""
                    (a => { a.value = \(DevToolsPage.quoted(text)); a.dispatchEvent(new Event('input'));
                      return document.getElementById('m-compteur').textContent; })(document.getElementById('m-texte'))
                    """, as: String.self)
            }
        }
        for (text, counter) in zip(texts, shown) {
            let expected = SMSText.segments(text)
            #expect(counter.contains("· \(expected) SMS"), "\(text.prefix(12))… (\(text.count)): \(counter), the server says \(expected)")
            #expect(!counter.contains("GSM") && !counter.contains("UCS"))
        }
        #expect(shown[10].contains("« ’ »") && shown[10].contains("70 caractères par SMS"))
    }

    /// « Annuler » in the manual dialog creates nothing and forgets the draft: the next
    /// dialog starts with nobody chosen.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func annulerInTheManualDialogCreatesNothingAndForgetsTheDraft() async throws {
        let rig = try APIRig()
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let mark = tab.eventCount
        struct Seen: Decodable { let before: Int; let after: Int; let search: String }
        let seen = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            try t.click("#b-manuelle")
            _ = try t.evaluate("document.getElementById('m-recherche').focus()")
            try t.type("eleonore")
            _ = try t.until("document.querySelectorAll('#m-resultats [role=option]').length === 1")
            try t.press("Enter")
            _ = try t.until("document.querySelectorAll('#m-choisis li').length === 1")
            // Échap with the list open closes the list, not the dialog.
            try t.press("Escape")
            _ = try t.until("document.querySelectorAll('#m-resultats [role=option]').length === 0")
            let before = try t.evaluate("document.getElementById('d-manuelle').open ? document.querySelectorAll('#m-choisis li').length : -1", as: Int.self)
            try t.click("#m-annuler")
            _ = try t.until("!document.getElementById('d-manuelle').open")
            try t.click("#b-manuelle")
            _ = try t.until("document.getElementById('d-manuelle').open")
            return Seen(before: before, after: try t.evaluate("document.querySelectorAll('#m-choisis li').length", as: Int.self),
                        search: try t.evaluate("document.getElementById('m-recherche').value", as: String.self))
        }
        #expect(seen.before == 1 && seen.after == 0 && seen.search == "")
        #expect(!tab.requests(after: mark).contains { $0.method == "POST" })
        #expect(try rig.store.statistics(from: nil, to: nil).totalRelances == 0)
    }

    /// Generation asks for the type (the Type filter's, by default), the days late and
    /// how many, and the pre-flight and the run use them.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func generationAsksForTypeDaysLateAndHowMany() async throws {
        let rig = try APIRig()
        try DemoData.populate(rig.store, contribuables: 30)
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let mark = tab.eventCount
        struct Asked: Decodable { let type: String; let jours: String; let limite: String; let aVenir: Bool }
        let (asked, question) = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            _ = try t.evaluate("document.getElementById('f-type').value = 'email'")
            try t.click("#b-generer")
            _ = try t.until("document.getElementById('d-generer').open")
            let asked = try t.evaluate("({ type: document.getElementById('g-type').value, jours: document.getElementById('g-jours').value, limite: document.getElementById('g-limite').value, aVenir: document.getElementById('g-a-venir').checked })", as: Asked.self)
            _ = try t.evaluate("(document.getElementById('g-type').value = 'sms', document.getElementById('g-jours').value = '30', document.getElementById('g-limite').value = '3')")
            try t.click("#g-a-venir")
            try t.click("#g-continuer")
            let question = try t.dialog()
            try t.answer(accept: true)
            _ = try t.dialog()
            try t.answer(accept: false)
            _ = try t.until("/générée/.test(document.getElementById('message').textContent) && \(Self.ready)", seconds: 60)
            return (asked, question)
        }
        #expect(asked.type == "email" && asked.jours == "7" && asked.limite == "50" && !asked.aVenir)
        #expect(question.message.contains("relance(s) SMS seraient créées"))
        let bodies = tab.requests(after: mark).filter { $0.url.hasPrefix("/api/relances/generer-automatique") }.map(\.body)
        #expect(bodies.count == 2 && bodies.allSatisfy { $0.contains(#""jours_retard_min":30"#) && $0.contains(#""limite":3"#) && $0.contains(#""type_relance":"sms""#)
                                              && $0.contains(#""inclure_echeances_a_venir":true"#) },
                "\(bodies)")
        let stats = try rig.store.statistics(from: nil, to: nil)
        #expect(stats.totalRelances > 0 && stats.totalRelances <= 3 && stats.relancesEnvoyees == 0)
    }

    /// The server gone: the page says so in French, in the message and the table, and
    /// never the browser's « Failed to fetch ». A token the server refuses: asked once,
    /// then said in French.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func thePageSaysInFrenchWhenTheServerIsDownOrRefusesTheToken() async throws {
        let rig = try APIRig()
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        try await tab.run { t in try t.open(base + "/"); _ = try t.until(Self.ready) }
        await rig.server.stop(grace: 1)
        struct Shown: Decodable { let message: String; let table: String; let role: String?; let body: String }
        let shown = try await tab.run { t in
            try t.click("#b-filtrer")
            _ = try t.until("document.getElementById('message').textContent !== '' && \(Self.ready)")
            return try t.evaluate("""
                ({ message: document.getElementById('message').textContent, table: document.getElementById('lignes').textContent,
                   role: document.getElementById('message').getAttribute('role'), body: document.body.innerText })
                """, as: Shown.self)
        }
        #expect(shown.message.hasPrefix("Le serveur des relances ne répond pas."), "\(shown.message)")
        #expect(shown.table == shown.message && shown.role == "alert")
        #expect(!shown.body.contains("Failed to fetch") && !shown.body.contains("NetworkError"))

        let guarded = try APIRig(tokens: ["le-bon-jeton-0123456789"])
        let guardedBase = guarded.base
        let refused = try await tab.run { t in
            try t.call("Page.navigate", ["url": guardedBase + "/"])
            _ = try t.dialog()
            try t.answer(accept: true, text: "un-mauvais-jeton")
            _ = try t.until("document.getElementById('message').textContent !== '' && \(Self.ready)")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(refused.hasPrefix("Jeton d'accès refusé par le serveur."), "\(refused)")
        #expect(tab.events("Page.javascriptDialogOpening").count == 1)
    }
}
