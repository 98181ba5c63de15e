import Foundation
import Relances
import Testing

/// The « Aide » panel, in the serialized browser suite: opened from the header's button
/// with the mouse and with the keyboard, the guide's statuses and each failure reason's
/// advice (the dashboard's own texts), closed with Échap, on a phone's screen.
extension PageBrowserTests {
    /// The statuses as the page names them (its pills), each explained in the guide.
    static let statusesShown = ["En attente", "Programmée", "Envoi en cours", "Envoyée", "Échec", "Annulée", "Effectuée", "Réponse reçue"]
    /// Words of the code and the provider's, never said to the office's staff.
    static let internalNames = ["ventis", "Ventis", "GSM", "UCS", "envoi_en_cours", "en_attente", "API", "Keycloak", "PATCH", "JSON"]

    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func theAidePanelOpensByMouseAndKeyboardAndSaysWhatToDoForEachStatusAndFailure() async throws {
        let rig = try APIRig()
        let tab = try await DevToolsPage.start(width: 500, height: 844)
        defer { tab.close() }
        let base = rig.base
        struct Guide: Decodable {
            let open: Bool; let focused: String; let heading: String; let statuses: [String]; let meanings: [String]
            let reasons: [String]; let advice: [String]; let text: String; let fits: Bool; let noSideScroll: Bool; let inside: Bool
        }
        let read = """
            ({ open: document.getElementById('d-aide').open, focused: document.activeElement.id,
               heading: document.getElementById('aide-titre').textContent,
               statuses: [...document.querySelectorAll('#aide-statuts dt')].map(e => e.textContent),
               meanings: [...document.querySelectorAll('#aide-statuts dd')].map(e => e.textContent),
               reasons: [...document.querySelectorAll('#aide-motifs dt')].map(e => e.textContent),
               advice: [...document.querySelectorAll('#aide-motifs dd')].map(e => e.textContent.replace(/\\u00a0/g, ' ')),
               text: document.getElementById('d-aide').innerText.replace(/\\u00a0/g, ' '), fits: \(Self.fits("d-aide")), noSideScroll: \(Self.noSideScroll),
               inside: (d => d.scrollWidth <= d.clientWidth)(document.getElementById('d-aide')) })
            """
        // A phone's width: the panel fits the screen and scrolls only down.
        let (byMouse, closed) = try await tab.run { t in
            try t.call("Emulation.setDeviceMetricsOverride", ["width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": false])
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            try t.mouseClick("#b-aide")
            _ = try t.until("document.getElementById('d-aide').open")
            let guide = try t.evaluate(read, as: Guide.self)
            try Self.save(try t.screenshot(), "aide-390.png")
            try t.press("Escape")
            let closed = try t.until("!document.getElementById('d-aide').open")
            return (guide, closed)
        }
        #expect(byMouse.open && byMouse.focused == "aide-fermer" && byMouse.heading.hasPrefix("Aide"))
        #expect(byMouse.statuses == Self.statusesShown, "\(byMouse.statuses)")
        #expect(byMouse.meanings.count == Self.statusesShown.count && byMouse.meanings.allSatisfy { $0.count > 30 })
        // The failure reasons and what to do, word for word the dashboard's (FailureReason).
        #expect(byMouse.reasons == FailureReason.allCases.map(\.libelle), "\(byMouse.reasons)")
        #expect(byMouse.advice == FailureReason.allCases.map(\.conseil), "\(byMouse.advice)")
        for step in ["« Modifier le contact »", "« Renvoyer »", "« Envoyer les relances en attente »", "répondez « Annuler »", "« Programmer »",
                     "« Date d'envoi prévue »"] {
            #expect(byMouse.text.contains(step), "the guide does not say \(step)")
        }
        for word in Self.internalNames { #expect(!byMouse.text.contains(word), "the guide says « \(word) »") }
        #expect(byMouse.fits && byMouse.noSideScroll && byMouse.inside, "\(byMouse.fits) \(byMouse.noSideScroll) \(byMouse.inside)")
        #expect(closed)

        // The keyboard: Tab from the page's top reaches « Aide » first, Entrée opens it,
        // « Fermer » closes it and gives the focus back to the button.
        struct Keys: Decodable { let focused: String; let open: Bool; let statuses: Int; let back: String }
        let keys = try await tab.run { t in
            try t.open(base + "/")
            _ = try t.until(Self.ready)
            try t.press("Tab")
            _ = try t.until("document.activeElement && document.activeElement.id === 'b-aide'")
            let focused = try t.evaluate("document.activeElement.id", as: String.self)
            try t.press("Enter")
            _ = try t.until("document.getElementById('d-aide').open")
            let statuses = try t.evaluate("document.querySelectorAll('#aide-statuts dt').length", as: Int.self)
            try t.press("Enter")   // on « Fermer », which has the focus
            _ = try t.until("!document.getElementById('d-aide').open")
            return Keys(focused: focused, open: true, statuses: statuses, back: try t.evaluate("document.activeElement.id", as: String.self))
        }
        #expect(keys.focused == "b-aide" && keys.statuses == Self.statusesShown.count && keys.back == "b-aide", "\(keys)")
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }
}
