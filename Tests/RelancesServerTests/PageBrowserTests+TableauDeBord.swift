import Foundation
import Relances
import Testing

/// The dashboard, the CSV export and a contact corrected, in the page: part of the one
/// serialized browser suite.
extension PageBrowserTests {
    static let output = APIRig.packageRoot.appendingPathComponent(".build/test-output")

    static func save(_ png: Data, _ name: String) throws {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let file = output.appendingPathComponent(name)
        try png.write(to: file)
        print("page screenshot: \(file.path)")
    }

    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func theDashboardDrawsLabelledBarsTheExportDownloadsAndAPhoneIsCorrected() async throws {
        let rig = try APIRig()
        let ids = try DashboardAPITests.populate(rig)
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let downloads = FileManager.default.temporaryDirectory.appendingPathComponent("telechargements-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)

        // The dashboard: stacked bars in patterns, totals and days written as text, a
        // legend naming each series, the failure reasons with what to do.
        struct Chart: Decodable {
            let bars: Int; let patterned: Bool; let texts: [String]; let legend: [String]; let tableRows: Int
            let reasons: [[String]]; let sms: [String]; let titles: [String]
        }
        let chart = try await tab.run { t in
            try t.call("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": downloads.path], inSession: false)
            try t.open(base + "/#tableau")
            _ = try t.until("document.querySelectorAll('#t-statuts svg.histogramme rect').length > 0 && document.querySelector('#t-motifs table')")
            return try t.evaluate("""
                (() => { const g = document.querySelector('#t-statuts svg.histogramme');
                  const bars = [...g.querySelectorAll('g.jour rect')];
                  return { bars: bars.length, patterned: bars.every(r => /^url\\(#/.test(r.getAttribute('fill'))),
                    texts: [...g.querySelectorAll('text')].map(e => e.textContent),
                    legend: [...document.querySelectorAll('#t-statuts ul.legende li')].map(e => e.textContent.trim()),
                    tableRows: document.querySelectorAll('#t-statuts details table tbody tr').length,
                    reasons: [...document.querySelectorAll('#t-motifs table tbody tr')].map(tr => [...tr.cells].map(c => c.textContent)),
                    sms: [...document.querySelectorAll('#t-sms tbody td')].map(c => c.textContent),
                    titles: [...g.querySelectorAll('g.jour > title')].map(e => e.textContent).filter(t => !t.includes('aucune')) }; })()
                """, as: Chart.self)
        }
        // Day 0: envoyées and échec; day 2: three échecs; day 5: one pending: 4 rectangles.
        #expect(chart.bars == 4 && chart.patterned, "\(chart)")
        #expect(chart.texts.contains("3") && chart.texts.contains("1"), "totals above the bars: \(chart.texts)")
        let today = DashboardAPITests.day(0)
        let todayLabel = String(today.suffix(2)) + "/" + String(today.dropFirst(5).prefix(2))
        #expect(chart.texts.contains(todayLabel), "the last day named under its bar: \(chart.texts)")
        #expect(chart.legend == ["Envoyées", "En attente", "Envoi en cours", "Échecs", "Annulées"])
        #expect(chart.tableRows == 3, "the figures as a table too")
        #expect(chart.titles.contains("\(todayLabel) — Envoyées : 2 ; Échecs : 1"), "\(chart.titles)")
        #expect(chart.reasons.first == ["Numéro ou adresse invalide", "2",
                                        "Corriger le téléphone (ou l'e-mail) avec « Modifier le contact », puis renvoyer la relance."])
        #expect(chart.reasons.count == 3)
        #expect(chart.sms == ["2", "3", "–"], "sent, segments, no price: no cost: \(chart.sms)")
        try Self.save(try await tab.run { t in try t.screenshot() }, "tableau-de-bord.png")

        // Twelve months: a bar a week (52 of seven days, the oldest day alone), and the
        // relance of day 40 in its month's SMS.
        let year = try await tab.run { t in
            _ = try t.evaluate("(() => { const s = document.getElementById('t-jours'); s.value = '365'; s.dispatchEvent(new Event('change')); return true; })()")
            _ = try t.until("document.querySelectorAll('#t-statuts g.jour').length === 53 && document.getElementById('t-titre-statuts').textContent === 'Relances par semaine, selon le statut'")
            return try t.evaluate("[...document.querySelectorAll('#t-sms tbody tr')].map(tr => tr.cells[1].textContent)", as: [String].self)
        }
        #expect(year.compactMap { Int($0) }.reduce(0, +) == 3, "\(year)")

        // On a phone: nothing wider than the screen.
        let width = try await tab.run { t in
            try t.call("Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true])
            // Drawn again at the phone's width, its text as large as on a desk.
            let redrawn = try t.until("window.innerWidth === 390 && document.querySelector('#t-statuts svg.histogramme').viewBox.baseVal.width < 390")
            return redrawn ? try t.evaluate("document.documentElement.scrollWidth", as: Int.self) : -1
        }
        #expect(width > 0 && width <= 390, "\(width)")
        try Self.save(try await tab.run { t in try t.screenshot() }, "tableau-de-bord-390.png")
        try await tab.run { t in _ = try t.call("Emulation.clearDeviceMetricsOverride") }

        // « Exporter (CSV) » downloads the list with the filters on screen, with the token.
        let mark = tab.eventCount
        let exported = try await tab.run { t in
            try t.click("nav.vues a[data-vue='liste']")
            _ = try t.until("document.querySelector('main').dataset.vue === 'liste' && " + Self.ready)
            _ = try t.evaluate("(() => { const s = document.getElementById('f-statut'); s.value = 'echec'; return true; })()")
            try t.click("#b-exporter")
            _ = try t.until("document.getElementById('message').textContent.startsWith('Export téléchargé')")
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        #expect(exported.hasPrefix("Export téléchargé : relances-"), "\(exported)")
        let exportShot = try await tab.run { t in try t.screenshot() }
        try Self.save(exportShot, "export-csv.png")
        #expect(tab.requests(after: mark).contains { $0.url == "/api/relances/export.csv?statut=echec" }, "\(tab.requests(after: mark).map(\.url))")
        let file = try await tab.run { _ in
            try Self.waitForFile(in: downloads)
        }
        let csv = try Data(contentsOf: file)
        #expect(csv.starts(with: [0xEF, 0xBB, 0xBF]))
        let rows = String(decoding: csv.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").dropFirst().dropLast()
        #expect(Set(rows.map { String($0.prefix { $0 != ";" }) }) == Set(["h", "c", "d", "e"].map { String(ids[$0]!) }), "\(rows)")

        // « Modifier le contact »: found with an accent, a wrong number refused in French,
        // the right one saved; the taxpayer's failed relances offered to send again.
        let edited = try await tab.run { t in
            try t.click("nav.vues a[data-vue='contribuables']")
            _ = try t.until("document.activeElement && document.activeElement.id === 'c-recherche'")
            try t.type("nzé")
            _ = try t.until("document.querySelector('#c-lignes button[data-modifier-contact]')")
            try t.click("#c-lignes button[data-modifier-contact='\(rig.who)']")
            _ = try t.until("document.getElementById('d-contact').open")
            _ = try t.evaluate("(() => { const c = document.getElementById('contact-telephone'); c.value = ''; c.focus(); return true; })()")
            try t.type("06 12")
            try t.click("#contact-enregistrer")
            _ = try t.until("document.getElementById('contact-erreur').textContent !== ''")
            let refused = try t.evaluate("document.getElementById('contact-erreur').textContent", as: String.self)
            _ = try t.evaluate("(() => { const c = document.getElementById('contact-telephone'); c.value = ''; c.focus(); return true; })()")
            try t.type("065 84 33 03")
            try t.click("#contact-enregistrer")
            _ = try t.until("document.getElementById('contact-renvoyer')")
            return [refused, try t.evaluate("document.getElementById('message').textContent", as: String.self),
                    try t.evaluate("document.getElementById('contact-renvoyer').textContent", as: String.self)]
        }
        #expect(edited[0].hasPrefix("Téléphone : le numéro « 06 12 » a 4 chiffres") && edited[0].contains("« 077 12 34 56 »"), "\(edited)")
        #expect(edited[1] == "Contact de Éléonore NZE enregistré.")
        #expect(edited[2] == "Renvoyer 4 relance(s) en échec")
        #expect(try rig.store.contribuable(rig.who)?.telephone == "065 84 33 03")
        try Self.save(try await tab.run { t in try t.screenshot() }, "modifier-le-contact.png")

        // « … puis renvoyer »: asked first, then the three SMS go to the new number (the
        // e-mail one has no channel in this rig and stays failed).
        let (question, resent) = try await tab.run { t in
            try t.click("#contact-renvoyer")
            let question = try t.dialog()
            try t.answer(accept: true)
            _ = try t.until("document.querySelector('#contact-echecs [role=status]')")
            return (question, try t.evaluate("document.querySelector('#contact-echecs [role=status]').textContent", as: String.self))
        }
        #expect(question.type == "confirm" && question.message == "Renvoyer maintenant 4 relance(s) en échec de Éléonore NZE avec le nouveau contact ?")
        #expect(resent == "3 renvoyée(s), 1 encore en échec.")
        #expect(rig.sandbox.received.map(\.to) == Array(repeating: "24165843303", count: 3), "\(rig.sandbox.received.map(\.to))")
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }

    /// Hostile names, numbers, e-mails and addresses are text in the « Contribuables »
    /// results and the contact form, as in the list.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func hostileTaxpayerDataIsTextInTheSearchAndTheContactForm() async throws {
        let rig = try APIRig()
        let ids = try Self.hostile.map { payload in
            try rig.store.add(Contribuable(nom: "PIEGE \(payload)", prenom: payload, telephone: payload, email: payload, adresse: payload))
        }
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        struct Seen: Decodable { let names: [String]; let cells: [String]; let form: [[String]]; let title: String; let handlers: Int; let foreign: [String] }
        let seen = try await tab.run { t in
            try t.open(base + "/#contribuables")
            _ = try t.until("document.activeElement && document.activeElement.id === 'c-recherche'")
            try t.type("piege")
            _ = try t.until("document.querySelectorAll('#c-lignes tr[data-id]').length === \(Self.hostile.count)")
            var form: [[String]] = []
            for id in ids {
                try t.click("#c-lignes button[data-modifier-contact='\(id)']")
                _ = try t.until("document.getElementById('d-contact').open && document.getElementById('contact-qui').textContent.endsWith('n° \(id)')")
                form.append(try t.evaluate("['telephone', 'email', 'adresse'].map(k => document.getElementById('contact-' + k).value)", as: [String].self))
                try t.click("#contact-fermer")
                _ = try t.until("!document.getElementById('d-contact').open")
            }
            return try t.evaluate("""
                ({ names: [...document.querySelectorAll('#c-lignes bdi.nom')].map(e => e.textContent),
                   cells: [...document.querySelectorAll('#c-lignes td bdi')].map(e => e.textContent), form: \(String(decoding: try JSONSerialization.data(withJSONObject: form), as: UTF8.self)),
                   title: document.title,
                   handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length,
                   foreign: [...document.querySelectorAll('script:not([src]), img, iframe, object, embed, b, #c-lignes a, #c-lignes svg')].map(e => e.outerHTML.slice(0, 80)) })
                """, as: Seen.self)
        }
        #expect(Set(seen.names) == Set(Self.hostile.map { "\($0) PIEGE \($0)" }))
        #expect(Self.hostile.allSatisfy { p in seen.cells.filter { $0 == p }.count == 3 }, "phone, e-mail and address of each, as text")
        #expect(seen.form == Self.hostile.map { [$0, $0, $0] })
        #expect(seen.title == "Relances — Mairie de Libreville" && seen.handlers == 0 && seen.foreign.isEmpty, "\(seen.foreign)")
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }

    /// The first finished file Chromium wrote in `folder` (it writes `.crdownload` first).
    static func waitForFile(in folder: URL, ending ext: String = "csv", seconds: Double = 20) throws -> URL {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            if let done = files.first(where: { $0.pathExtension == ext }) { return done }
            usleep(50_000)
        }
        throw DevToolsPage.Failure.timeout("no file downloaded in \(folder.path)")
    }
}
