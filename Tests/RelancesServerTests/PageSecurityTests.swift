import Foundation
import Relances
import Testing

/// What the page lets run: only its own script and style, and taxpayers' data only
/// ever as text, whatever it holds (shown in Chromium: `PageBrowserTests` below).
@Suite struct PageSecurityTests {
    @Test func theServedPageHasAStrictPolicyAndNoInlineScript() async throws {
        let rig = try APIRig()
        let (status, _, page) = try await rig.call("GET", "/")
        #expect(status == 200)
        let policy = try #require(page.headers["Content-Security-Policy"])
        var directives: [String: [String]] = [:]
        for part in policy.split(separator: ";") {
            let words = part.split(separator: " ").map(String.init)
            if let name = words.first { directives[name] = Array(words.dropFirst()) }
        }
        let scripts = try #require(directives["script-src"] ?? directives["default-src"])
        #expect(scripts == ["'self'"], "\(policy)")
        #expect(directives["style-src"].map { !$0.contains("'unsafe-inline'") } ?? true, "\(policy)")
        #expect(directives["default-src"] != nil && directives["object-src"] == ["'none'"] && directives["base-uri"] == ["'none'"])
        #expect(directives["frame-ancestors"] == ["'none'"])
        #expect(directives["require-trusted-types-for"] == ["'script'"])
        #expect(page.headers["X-Content-Type-Options"] == "nosniff")
        #expect(page.headers["Referrer-Policy"] == "no-referrer")

        // No inline script, handler or style in the HTML; the list's script and the
        // dashboard's, by their addresses.
        let html = String(decoding: page.body, as: UTF8.self)
        let scriptTags = html.components(separatedBy: "<script").dropFirst()
        #expect(scriptTags.map { String($0.prefix { $0 != ">" }) } == [#" src="/relances.js" defer"#, #" src="/tableau.js" defer"#])
        #expect(html.range(of: #"\son[a-z]+\s*="#, options: [.regularExpression, .caseInsensitive]) == nil)
        #expect(html.range(of: #"\sstyle\s*="#, options: [.regularExpression, .caseInsensitive]) == nil && !html.contains("<style"))
        #expect(!html.contains("test-generer") && !html.contains("javascript:"))

        // The script and stylesheet, with their types (nosniff refuses a wrong one); the
        // script writes no HTML from strings and no test door is left in it.
        let (jsStatus, _, js) = try await rig.call("GET", "/relances.js")
        #expect(jsStatus == 200 && js.headers["Content-Type"] == "text/javascript; charset=utf-8" && js.headers["X-Content-Type-Options"] == "nosniff")
        let source = String(decoding: js.body, as: UTF8.self)
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage.setItem", "test-generer", "window.confirm ="] {
            #expect(!source.contains(sink), "relances.js uses \(sink)")
        }
        let (cssStatus, _, css) = try await rig.call("GET", "/relances.css")
        #expect(cssStatus == 200 && css.headers["Content-Type"] == "text/css; charset=utf-8")
        let (dashStatus, _, dash) = try await rig.call("GET", "/tableau.js")
        #expect(dashStatus == 200 && dash.headers["Content-Type"] == "text/javascript; charset=utf-8" && dash.headers["Content-Security-Policy"] == policy)
        let dashSource = String(decoding: dash.body, as: UTF8.self)
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage.setItem", "style="] {
            #expect(!dashSource.contains(sink), "tableau.js uses \(sink)")
        }
        let (dashCSSStatus, _, dashCSS) = try await rig.call("GET", "/tableau.css")
        #expect(dashCSSStatus == 200 && dashCSS.headers["Content-Type"] == "text/css; charset=utf-8")
    }

}

/// In the browser suite, so that one Chromium runs at a time.
extension PageBrowserTests {
    /// What hostile taxpayer data tries: break out of an attribute with either quote,
    /// open a script or an element with a handler, a `javascript:` address, close the
    /// cell it sits in, a template literal, an RTL override, sheer length. Every payload
    /// that could run would set the page's title.
    static let hostile: [String] = [
        #"Jean"><img src=x onerror="document.title='XSS-1'">"#,
        #"Marie' onmouseover='document.title="XSS-2"' x='"#,
        #"Paul" onmouseover="document.title='XSS-3'" data-x=""#,
        "<script>document.title='XSS-4'</script>",
        "javascript:document.title='XSS-5'",
        "<svg onload=document.title='XSS-6'>",
        "\u{202E}elôbmO naeJ\u{202C} 077 12 34 56",
        #"<a href="javascript:document.title='XSS-7'">clic</a>"#,
        "</bdi></td></tr><tr><td><img src=x onerror=document.title='XSS-8'>",
        "${document.title='XSS-9'}`",
        "&lt;img src=x onerror=document.title='XSS-10'&gt;",
        String(repeating: "Nzé-Ondo ", count: 300) + "<b>fin</b>",
    ]

    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func hostileTaxpayerDataIsShownAsTextInEveryView() async throws {
        let rig = try APIRig()
        // Through the store (the import's path) and the API (the manual relances'), with
        // the hostile text as name, number, e-mail, message and note.
        var ids: [Int64] = []
        for (i, payload) in Self.hostile.enumerated() {
            let who = try rig.store.add(Contribuable(nom: "PIEGE \(payload)", prenom: payload, telephone: payload, email: "\(i)\(payload)@exemple.ga"))
            let (status, body, _) = try await rig.call("POST", "/api/relances/manuelles", json: String(decoding: try JSONSerialization.data(withJSONObject: [
                "type_relance": "sms", "montant_due": "5000", "message": String(payload.prefix(600)),
                "contribuables": [["contribuable_id": who, "notes": payload]],
            ]), as: UTF8.self))
            let id = (body as? [[String: Any]])?.first?["id"] as? Int
            try #require(status == 201 && id != nil, "\(status) \(body ?? "")")
            ids.append(Int64(id!))
        }
        // A failed send's note is shown in the list itself.
        for (id, payload) in zip(ids, Self.hostile).prefix(6) {
            try rig.store.finish(id, outcome: .failed(note: payload), now: Date())
        }
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let title = "Relances — Mairie de Libreville"
        let ready = PageBrowserTests.ready
        // Anything an injected handler could have left, and every element that should not be there.
        let damageProbe = """
            ({ title: document.title,
               handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name)),
               elements: [...document.querySelectorAll('script:not([src="/relances.js"]):not([src="/tableau.js"]), img, svg, a:not(nav.vues > a), iframe, object, embed, b')].map(e => e.outerHTML.slice(0, 80)) })
            """
        struct Damage: Decodable, Equatable { let title: String; let handlers: [String]; let elements: [String] }
        let clean = Damage(title: title, handlers: [], elements: [])
        struct Texts: Decodable { let names: [String]; let phones: [String]; let notes: [String] }

        // The list: every row hovered, as a person reading it would.
        let (list, afterList) = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(ready)
            let count = try t.evaluate("document.querySelectorAll('#lignes tr').length", as: Int.self)
            for row in 1...max(count, 1) { try t.hover("#lignes tr:nth-child(\(row)) td") }
            let texts = try t.evaluate("""
                ({ names: [...document.querySelectorAll('#lignes bdi.nom')].map(e => e.textContent),
                   phones: [...document.querySelectorAll('#lignes .qui .petit-texte bdi')].map(e => e.textContent),
                   notes: [...document.querySelectorAll('#lignes .note-echec')].map(e => e.textContent) })
                """, as: Texts.self)
            return (texts, try t.evaluate(damageProbe, as: Damage.self))
        }
        let output = APIRig.packageRoot.appendingPathComponent(".build/test-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try await tab.run { t in try t.screenshot() }.write(to: output.appendingPathComponent("relances-page-hostile.png"))
        let names = Self.hostile.map { "\($0) PIEGE \($0)" }
        #expect(Set(list.names) == Set(names))
        #expect(Set(list.phones) == Set(Self.hostile))
        #expect(Set(list.notes) == Set(Self.hostile.prefix(6)))
        #expect(afterList == clean)

        // The manual dialog's search results, each hovered and chosen.
        let (results, chosen, afterSearch) = try await tab.run { t in
            try t.click("#b-manuelle")
            _ = try t.evaluate("document.getElementById('m-recherche').focus()")
            try t.type("PIEGE")
            _ = try t.until("document.querySelectorAll('#m-resultats [data-id]').length >= \(Self.hostile.count)")
            for row in 1...max(1, try t.evaluate("document.querySelectorAll('#m-resultats > *').length", as: Int.self)) {
                try t.hover("#m-resultats > :nth-child(\(row))")
                try t.click("#m-resultats > :nth-child(\(row))")
            }
            let results = try t.evaluate("[...document.querySelectorAll('#m-resultats [data-id] bdi.nom')].map(e => e.textContent)", as: [String].self)
            let chosen = try t.evaluate("[...document.querySelectorAll('#m-choisis bdi.nom')].map(e => e.textContent)", as: [String].self)
            let damage = try t.evaluate(damageProbe, as: Damage.self)
            try t.click("#form-manuelle button[value=annuler]")
            return (results, chosen, damage)
        }
        #expect(Set(results) == Set(names))
        #expect(Set(chosen) == Set(names))
        #expect(afterSearch == clean)

        // Each relance's detail.
        for (id, payload) in zip(ids, Self.hostile) {
            let (fields, afterDetail) = try await tab.run { t in
                try t.click("#lignes button[data-detail='\(id)']")
                _ = try t.until("document.getElementById('d-detail').open")
                let fields = try t.evaluate("[...document.querySelectorAll('#detail-champs dd')].map(e => e.textContent)", as: [String].self)
                let damage = try t.evaluate(damageProbe, as: Damage.self)
                try t.click("#detail-fermer")
                _ = try t.until("!document.getElementById('d-detail').open")
                return (fields, damage)
            }
            #expect(fields.contains("\(payload) PIEGE \(payload)") && fields.contains(payload) && fields.contains(String(payload.prefix(600))),
                    "\(fields)")
            #expect(afterDetail == clean)
        }
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }
}
