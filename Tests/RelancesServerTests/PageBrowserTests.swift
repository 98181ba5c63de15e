import Foundation
import Relances
import Synchronization
import Testing
import TestKit

/// Chromium, if this machine can start it (Debian's `chromium`, installed by .ci/run).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    private static let known = Mutex<Bool?>(nil)

    /// Whether chromium starts here, found once by starting it, on a thread of its own:
    /// that takes seconds (more on a fresh machine), and a test's condition is evaluated
    /// on the cooperative pool, which every async test needs meanwhile. (A `static let`
    /// checked by `.enabled(if:)` held both threads of a 2-core pool for 20 s, and the
    /// suites beside it timed out.)
    static func canStart() async -> Bool {
        if let answer = known.withLock({ $0 }) { return answer }
        guard let path else {
            print("page browser test skipped: no chromium binary (apt-get install chromium)")
            return false
        }
        let ok = ((try? await offPool { try run(path, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "about:blank"], timeout: 60) })?
            .contains("<html") ?? false)
        if !ok { print("page browser test skipped: \(path) cannot start here") }
        known.withLock { $0 = ok }
        return ok
    }

    /// Runs chromium headless and answers its standard output; kills it after `timeout`.
    static func run(_ path: String, _ arguments: [String], timeout: Double) throws -> String {
        let process = try Spawned(path, arguments, output: .pipe, error: .null)
        let deadline = Date().addingTimeInterval(timeout)
        let data = Mutex(Data())
        // A thread: reading the pipe to its end blocks until the browser exits.
        let reader = Thread { data.withLock { $0 = process.output?.readDataToEndOfFile() ?? Data() } }
        reader.start()
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate() }
        while !reader.isFinished { usleep(10_000) }
        return String(decoding: data.withLock { $0 }, as: UTF8.self)
    }
}

/// The page in headless Chromium driven over the DevTools protocol: the real buttons
/// clicked, the real `confirm`/`prompt` dialogs read and answered. One browser at a
/// time: several at once starve the rest of the suite on a small machine.
@Suite(.serialized) struct PageBrowserTests {
    static let ready = "document.getElementById('relances').getAttribute('aria-busy') === 'false'"

    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func generatingAsksTwiceAnnulerSendsNothingAndYesToBothSends() async throws {
        let rig = try APIRig()
        try DemoData.populate(rig.store, contribuables: 60)
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base

        // Before: the page loads, shows the cards and an empty table. Opened by a link
        // that once generated and sent without asking: nothing happens without a click.
        let before = try await tab.run { t in
            try t.open(base + "/#test-generer")
            _ = try t.until(Self.ready)
            return try t.evaluate("[document.getElementById('stat-total').textContent, document.getElementById('lignes').textContent]", as: [String].self)
        }
        #expect(before == ["0", "Aucune relance."])
        #expect(try rig.store.statistics(from: nil, to: nil).totalRelances == 0 && rig.sandbox.received.isEmpty)

        // « Annuler » at the first question: only the pre-flight (which writes nothing)
        // was asked of the server; nothing created, nothing sent.
        let mark = tab.eventCount
        let first = try await tab.run { t in
            try t.click("#b-generer")
            try t.click("#g-continuer")
            let question = try t.dialog()
            try t.answer(accept: false)
            // The click's handler has returned once the page answers again.
            _ = try t.until(Self.ready)
            return question
        }
        #expect(first.type == "confirm")
        #expect(first.message.hasPrefix("Générer les relances automatiques pour les contribuables en retard ?"))
        #expect(first.message.contains("relance(s) SMS seraient créées."))
        let generations = tab.requests(after: mark).filter { $0.url.hasPrefix("/api/relances/generer-automatique") }
        #expect(generations.count == 1 && generations.allSatisfy { $0.method == "POST" && $0.body.contains(#""preflight":true"#) })
        #expect(try rig.store.statistics(from: nil, to: nil).totalRelances == 0)
        #expect(rig.sandbox.received.isEmpty)

        // Yes to both: generated and sent, the summary shown; the first question's
        // pre-flight figures were the run's.
        let (question, second, summary) = try await tab.run { t in
            try t.click("#b-generer")
            try t.click("#g-continuer")
            let question = try t.dialog()
            try t.answer(accept: true)
            let second = try t.dialog()
            try t.answer(accept: true)
            _ = try t.until("/générée/.test(document.getElementById('message').textContent) && \(Self.ready)", seconds: 60)
            return (question, second, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(second.type == "confirm")
        #expect(second.message == "Envoyer automatiquement les relances générées maintenant ?\n\nOK : envoyer tout de suite.\nAnnuler : les laisser en attente.")
        let figures = Self.numbers(in: summary, #"(\d+) relance\(s\) générée\(s\), (\d+) envoyée\(s\), (\d+) échec\(s\)"#)
        #expect(figures.count == 3 && figures[0] > 0 && figures[1] > 0 && figures[1] + figures[2] == figures[0], "\(summary)")
        #expect(Self.numbers(in: question.message, #"(\d+) relance\(s\) SMS seraient créées"#) == [figures.first ?? -1])
        #expect((Self.numbers(in: question.message, #"(\d+) seraient refusée\(s\)"#).first ?? 0) == figures.last)
        // Counted again now that everything has arrived: a request the « Annuler » had
        // let through late would show here. Two pre-flights, one generation.
        #expect(tab.requests(after: mark).filter { $0.url.hasPrefix("/api/relances/generer-automatique") }.map { $0.body.contains(#""preflight":true"#) }
                == [true, true, false])
        let sentRows = try await tab.run { t in try t.evaluate("document.querySelectorAll('#lignes .pilule.envoyee').length", as: Int.self) }
        #expect(sentRows > 0)
        let stats = try rig.store.statistics(from: nil, to: nil)
        #expect(stats.relancesEnvoyees == figures[1])
        #expect(rig.sandbox.received.count >= figures[1])
        #expect(tab.problems.isEmpty, "\(tab.problems)")

        // Under the build folder: outside every target (SwiftPM would warn) and out of git.
        let output = APIRig.packageRoot.appendingPathComponent(".build/test-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let shot = output.appendingPathComponent("relances-page.png")
        try await tab.run { t in try t.screenshot() }.write(to: shot)
        #expect(try Data(contentsOf: shot).starts(with: [0x89, 0x50, 0x4E, 0x47]))
        print("page screenshot: \(shot.path)")
    }

    /// « Générer seulement » (yes, then « Annuler ») creates and sends nothing; a row's
    /// « Envoyer » asks first, and « Annuler » there sends nothing either.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func generateOnlyKeepsThemPendingAndEnvoyerAsksFirst() async throws {
        let rig = try APIRig()
        try DemoData.populate(rig.store, contribuables: 30)
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let summary = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            try t.click("#b-generer")
            try t.click("#g-continuer")
            _ = try t.dialog()
            try t.answer(accept: true)
            let second = try t.dialog()
            guard second.message.hasPrefix("Envoyer automatiquement") else { return "second question: \(second.message)" }
            try t.answer(accept: false)
            _ = try t.until("/générée/.test(document.getElementById('message').textContent) && \(Self.ready)", seconds: 60)
            return try t.evaluate("document.getElementById('message').textContent", as: String.self)
        }
        let figures = Self.numbers(in: summary, #"(\d+) relance\(s\) générée\(s\), (\d+) envoyée\(s\)"#)
        #expect(figures.count == 2 && figures[0] > 0 && figures[1] == 0, "\(summary)")
        #expect(try rig.store.statistics(from: nil, to: nil).relancesEnvoyees == 0)
        #expect(rig.sandbox.received.isEmpty)

        // A row's « Envoyer »: « Annuler » sends nothing, OK sends that one.
        let mark = tab.eventCount
        let (id, question) = try await tab.run { t in
            let id = try t.evaluate("document.querySelector('#lignes button[data-envoyer]').dataset.envoyer", as: String.self)
            try t.click("#lignes button[data-envoyer='\(id)']")
            let question = try t.dialog()
            try t.answer(accept: false)
            _ = try t.until(Self.ready)
            return (Int64(id) ?? 0, question)
        }
        #expect(question.type == "confirm" && question.message == "Envoyer cette relance maintenant ?")
        #expect(!tab.requests(after: mark).contains { $0.method == "PATCH" })
        #expect(try rig.store.relance(id)?.statut == .enAttente)
        #expect(rig.sandbox.received.isEmpty)
        try await tab.run { t in
            try t.click("#lignes button[data-envoyer='\(id)']")
            _ = try t.dialog()
            try t.answer(accept: true)
            _ = try t.until("/Relance envoyée|Échec de l'envoi/.test(document.getElementById('message').textContent)", seconds: 60)
        }
        #expect(tab.requests(after: mark).filter { $0.method == "PATCH" }.map(\.url) == ["/api/relances/\(id)/envoyer"])
        #expect(try rig.store.relance(id)?.statut != .enAttente)
    }

    /// The token is asked for once (requests refused together share the question), kept
    /// in the tab's session storage, and in no global the page's script exposes.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func theTokenIsAskedOnceAndKeptInSessionStorageOnly() async throws {
        let token = "jeton-de-la-page-0123456789"
        let rig = try APIRig(tokens: [token])
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        let question = try await tab.run { t in
            try t.call("Page.navigate", ["url": base + "/"])
            let question = try t.dialog()
            try t.answer(accept: true, text: token)
            _ = try t.until(Self.ready)
            return question
        }
        #expect(question.type == "prompt" && question.message == "Cette page demande le jeton d'accès à l'API des relances :")
        struct Seen: Decodable { let total: String; let message: String; let session: String?; let local: String?; let globals: [String] }
        let token2 = DevToolsPage.quoted(token)
        let seen = try await tab.run { t in
            try t.evaluate("""
                ({ total: document.getElementById('stat-total').textContent, message: document.getElementById('message').textContent,
                   session: sessionStorage.getItem('relances-jeton'), local: localStorage.getItem('relances-jeton'),
                   globals: Object.getOwnPropertyNames(window).filter(k => { try { const v = window[k];
                     return (typeof v === 'string' && v.includes(\(token2))) || ['api', 'rafraichir', 'genererAutomatique', 'jetonApres401'].includes(k); }
                     catch (e) { return false; } }) })
                """, as: Seen.self)
        }
        #expect(seen.total == "0" && seen.message == "")
        #expect(seen.session == token && seen.local == nil)
        #expect(seen.globals.isEmpty, "\(seen.globals)")
        #expect(tab.events("Page.javascriptDialogOpening").count == 1)
        // Reloaded in the same tab: the session still has it, nothing asked.
        try await tab.run { t in try t.open(base + "/"); _ = try t.until(Self.ready) }
        #expect(tab.events("Page.javascriptDialogOpening").count == 1)
    }

    /// A relance an operator scheduled is marked « Programmée le … »; who last acted on
    /// one shows in its row's tooltip and its detail. The two fields (`programmee`,
    /// `acteur`) are added to the API's answers in the tab, as the API contract has them.
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func scheduledRelancesAreMarkedAndTheActorShown() async throws {
        let rig = try APIRig()
        let other = try rig.store.add(Contribuable(nom: "MBA", prenom: "Jean", telephone: "077 12 34 56"))
        let created = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "5000", "message": "Rappel", "contribuables": [{"contribuable_id": \(rig.who)}, {"contribuable_id": \(other)}]}
            """)
        let ids = (created.1 as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        try #require(ids.count == 2, "\(created.1 ?? "")")
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.base
        struct Row: Decodable { let id: String; let planifiee: String; let title: String? }
        struct Shown: Decodable { let rows: [Row]; let detail: [String] }
        let shown = try await tab.run { t in
            try t.call("Page.addScriptToEvaluateOnNewDocument", ["source": """
                const fetchReel = window.fetch;
                window.fetch = async (...a) => { const r = await fetchReel(...a);
                  if (!/^\\/api\\/relances(\\/\\d+)?$/.test(new URL(r.url).pathname)) return r;
                  const corps = await r.json();
                  for (const x of corps.items || [corps]) Object.assign(x, x.id === \(ids[0]) ? { programmee: true, acteur: "agent.mbadinga" } : { programmee: false, acteur: null });
                  return new Response(JSON.stringify(corps), { status: r.status, headers: r.headers }); };
                """])
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            let rows = try t.evaluate("[...document.querySelectorAll('#lignes tr')].map(tr => ({ id: tr.dataset.id, planifiee: tr.children[3].textContent, title: tr.getAttribute('title') }))", as: [Row].self)
            try t.click("#lignes button[data-detail='\(ids[0])']")
            _ = try t.until("document.getElementById('d-detail').open")
            let detail = try t.evaluate("[...document.querySelectorAll('#detail-champs dt, #detail-champs dd')].map(e => e.textContent)", as: [String].self)
            return Shown(rows: rows, detail: detail)
        }
        let scheduled = shown.rows.first { $0.id == String(ids[0]) }
        let unscheduled = shown.rows.first { $0.id == String(ids[1]) }
        #expect(scheduled?.planifiee.hasPrefix("Programmée le ") == true, "\(shown.rows)")
        #expect(scheduled?.title == "Dernière action : agent.mbadinga")
        #expect(unscheduled?.planifiee == "Non programmée" && unscheduled?.title == nil, "\(shown.rows)")
        let pairs = Dictionary(stride(from: 0, to: shown.detail.count - 1, by: 2).map { (shown.detail[$0], shown.detail[$0 + 1]) }) { a, _ in a }
        #expect(pairs["Dernière action par"] == "agent.mbadinga", "\(shown.detail)")
        #expect(pairs["Planification"]?.hasPrefix("Programmée le ") == true)
        #expect(pairs["Contribuable"] == "Éléonore NZE")
    }

    /// The numbers a regular expression's groups caught in `text`.
    static func numbers(in text: String, _ pattern: String) -> [Int] {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return [] }
        return (1..<m.numberOfRanges).compactMap { Range(m.range(at: $0), in: text).flatMap { Int(text[$0]) } }
    }
}

/// Runs blocking work on a thread of its own, so Swift's cooperative pool (which the
/// server's handlers use) stays free.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
