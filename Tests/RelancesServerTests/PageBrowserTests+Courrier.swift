import Channels
import Foundation
import Gateway
import Relances
import RelancesServer
import Testing

/// A printed letter, from the page: its detail offers the PDF the letters channel wrote,
/// fetched with the token. Part of the one serialized browser suite.
extension PageBrowserTests {
    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func aPrintedLetterIsDownloadedFromItsDetail() async throws {
        let token = "jeton-du-guichet-courriers"
        let rig = try LettersRig(token: token)
        defer { rig.close() }
        let (folder, letters, store, dispatcher, log) = (rig.folder, rig.letters, rig.store, rig.dispatcher, rig.log)
        let who = try store.add(Contribuable(nom: "NZÉ", prenom: "Éléonore", adresse: "BP 12, Libreville"))
        let id = try store.create(NewRelance(contribuableID: who, type: .courrier, montantDue: Montant("45000")!, datePlanifiee: Date(),
                                             message: "Rappel : votre taxe de marché")).id
        let sent = await RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: log).send(id)
        guard case .done(let relance) = sent else { Issue.record("not sent: \(sent)"); return }
        #expect(relance.notes?.hasPrefix("Lettre prête à imprimer : courriers-") == true, "\(relance.notes ?? "")")
        await letters.close()   // the run ends: its PDF is written
        let pdfs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("pdf").path).filter { $0.hasSuffix(".pdf") }
        let written = try #require(pdfs.first)

        let downloads = folder.appendingPathComponent("telechargements")
        try FileManager.default.createDirectory(at: downloads, withIntermediateDirectories: true)
        let tab = try await DevToolsPage.start()
        defer { tab.close() }
        let base = rig.api.base
        let said = try await tab.run { t in
            try t.call("Browser.setDownloadBehavior", ["behavior": "allow", "downloadPath": downloads.path], inSession: false)
            try t.call("Page.navigate", ["url": base + "/"])
            _ = try t.dialog()
            try t.answer(accept: true, text: token)
            _ = try t.until(Self.ready)
            try t.click("button[data-detail='\(id)']")
            _ = try t.until("document.querySelector('#detail-actions button[data-lettre]')")
            let label = try t.evaluate("document.querySelector('#detail-actions button[data-lettre]').textContent", as: String.self)
            try t.click("#detail-actions button[data-lettre]")
            _ = try t.until("document.getElementById('message').textContent.startsWith('Lettres téléchargées')")
            return (label, try t.evaluate("document.getElementById('message').textContent", as: String.self))
        }
        #expect(said.0 == "Télécharger la lettre (PDF, page 1)")
        #expect(said.1 == "Lettres téléchargées : \(written) (celle-ci est en page 1).")
        let file = try await tab.run { _ in try Self.waitForFile(in: downloads, ending: "pdf") }
        #expect(file.lastPathComponent == written)
        #expect(try Data(contentsOf: file) == Data(contentsOf: folder.appendingPathComponent("pdf/\(written)")))
        #expect(tab.problems.isEmpty, "\(tab.problems)")
    }
}
