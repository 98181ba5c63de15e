import Foundation
import Gateway
import HTTP
import Relances
import Testing

/// The office's page, served from another origin, calls the API as a browser does: a
/// preflight for its headers (`Authorization`, `Content-Type`, `Cache-Control`,
/// `Pragma`, `X-Requested-With`, `Idempotency-Key`), then the request with its JWT.
/// Before, the preflight refused those headers and the page got "Failed to fetch".
@Suite struct CrossOriginBrowserTests {
    /// A page on its own loopback port whose script does what the office's page does,
    /// against the API named in its query, and writes the outcome into the DOM.
    static func pageServer() throws -> HTTPServer {
        let router = HTTPRouter()
        router.get("/page") { _ in
            .text("""
                <!doctype html><html><body><p id="resultat">en attente</p><script>
                const q = new URLSearchParams(location.search);
                fetch(q.get("api") + "/api/relances/generer-automatique", {
                  method: "POST",
                  headers: {"Authorization": "Bearer " + q.get("jwt"), "Content-Type": "application/json", "Cache-Control": "no-cache",
                            "Pragma": "no-cache", "X-Requested-With": "XMLHttpRequest", "Idempotency-Key": "generation-1"},
                  body: JSON.stringify({type_relance: "sms", limite: 5, envoyer_automatiquement: true})
                }).then(r => r.json().then(j => {
                  document.getElementById("resultat").textContent =
                    "statut=" + r.status + " n=" + j.length + " acteur=" + (j[0] && j[0].acteur) + " etat=" + (j[0] && j[0].statut);
                })).catch(e => { document.getElementById("resultat").textContent = "erreur=" + e; });
                </script></body></html>
                """, contentType: "text/html; charset=utf-8")
        }
        let server = HTTPServer(configuration: HTTPServerConfiguration(), router: router)
        try server.start()
        return server
    }

    @Test(.enabled("chromium cannot start on this machine") { await Chromium.canStart() })
    func theOfficesPageOnAnotherOriginGeneratesAndSendsWithItsJWT() async throws {
        let pages = try Self.pageServer()
        defer { pages.beginShutdown(grace: 1) }
        let origin = "http://127.0.0.1:\(pages.port)"
        let secret = "le-secret-partage-du-back-office"
        let allowed = try APIRig(tokens: ["guichet:0123456789abcdef-token"], cors: [origin]) { $0.jwtSecret = Secret(secret) }
        let other = try APIRig(tokens: ["guichet:0123456789abcdef-token"], cors: ["https://backoffice.mairie.ga"]) { $0.jwtSecret = Secret(secret) }
        let jwt = TestJWT.make(TestJWT.claims(sub: "42", exp: Date().addingTimeInterval(3600)), secret: secret)
        let chromium = try #require(Chromium.path)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom"]

        let page = "\(origin)/page?jwt=\(jwt)&api="
        let dom = try await offPool { try Chromium.run(chromium, flags + [page + allowed.base], timeout: 90) }
        #expect(dom.contains("statut=200 n=1 acteur=42 etat=envoyee"), "\(dom)")
        #expect(try allowed.store.list(RelanceFilter()).items.first?.acteur == "42")
        #expect(allowed.sandbox.received.count == 1)

        // From an origin the server does not list, the browser is refused and nothing is done.
        let refused = try await offPool { try Chromium.run(chromium, flags + [page + other.base], timeout: 90) }
        #expect(refused.contains("erreur=TypeError"), "\(refused)")
        #expect(try other.store.list(RelanceFilter()).total == 0)
        #expect(other.sandbox.received.isEmpty)
    }
}
