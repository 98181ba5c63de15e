import Foundation
import HTTP

/// The Relances page, served from the binary in French: the HTML at `/`, its script at
/// `/relances.js` and its stylesheet at `/relances.css`. It does what the office's page
/// does: statistics cards (with failures), filters, a table of 20 per page with coloured
/// statuses, the notes of failures and the scheduled ones marked, a relance's detail
/// (with who last acted on it), sending a pending relance after a confirmation,
/// automatic generation with its two confirmations and summary, manual relances for
/// several taxpayers; it asks for the API token once when the API answers 401.
///
/// Taxpayers' names, numbers, messages and notes come from outside: the script builds
/// every element with `createElement`/`textContent`/`setAttribute`, never HTML from
/// strings, and the policy below lets only the page's own script and style run, refuses
/// inline scripts and handlers, and makes any HTML-from-string sink throw (Trusted Types).
enum RelancesPage {
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
        "form-action 'self'", "base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'",
        "require-trusted-types-for 'script'", "trusted-types 'none'",
    ].joined(separator: "; ")

    static let response = resource(html, type: "text/html; charset=utf-8")
    static let scriptResponse = resource(script, type: "text/javascript; charset=utf-8")
    static let styleResponse = resource(style, type: "text/css; charset=utf-8")
    static let dashboardScriptResponse = resource(dashboardScript, type: "text/javascript; charset=utf-8")
    static let dashboardStyleResponse = resource(dashboardStyle, type: "text/css; charset=utf-8")

    /// Registers the page and its resources on the router.
    static func register(on router: HTTPRouter) {
        router.get("/") { _ in response }
        router.get("/index.html") { _ in response }
        router.get("/relances.js") { _ in scriptResponse }
        router.get("/relances.css") { _ in styleResponse }
        router.get("/tableau.js") { _ in dashboardScriptResponse }
        router.get("/tableau.css") { _ in dashboardStyleResponse }
    }

    private static func resource(_ body: String, type: String) -> HTTPResponse {
        var r = HTTPResponse.text(body, contentType: type)
        r.headers["Cache-Control"] = "no-cache"
        r.headers["Content-Security-Policy"] = contentSecurityPolicy
        // A browser must not guess another type (a stored text run as script), nor tell
        // other sites which page (and which filters) an agent had open.
        r.headers["X-Content-Type-Options"] = "nosniff"
        r.headers["Referrer-Policy"] = "no-referrer"
        r.headers["X-Frame-Options"] = "DENY"
        r.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        r.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        return r
    }

    static let html = #"""
<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relances — Mairie de Libreville</title>
<link rel="stylesheet" href="/relances.css">
<link rel="stylesheet" href="/tableau.css">
<script src="/relances.js" defer></script>
<script src="/tableau.js" defer></script>
</head>
<body>
<header><h1>Relances des contribuables</h1><span class="petit-texte sous-titre">Mairie de Libreville — service des taxes</span></header>
<main>
  <div id="message" role="status"></div>
  <section class="cartes">
    <div class="carte"><div class="libelle">Total relances</div><div class="valeur" id="stat-total">–</div></div>
    <div class="carte envoyees"><div class="libelle">Envoyées</div><div class="valeur" id="stat-envoyees">–</div></div>
    <div class="carte attente"><div class="libelle">En attente</div><div class="valeur" id="stat-attente">–</div></div>
    <div class="carte echecs"><div class="libelle">Échecs</div><div class="valeur" id="stat-echecs">–</div></div>
    <div class="carte"><div class="libelle">Taux de réponse</div><div class="valeur" id="stat-taux">–</div></div>
  </section>
  <section class="barre">
    <label>Type<select id="f-type"><option value="">Tous</option><option value="sms">SMS</option><option value="email">E-mail</option><option value="courrier">Courrier</option><option value="appel">Appel</option><option value="visite">Visite</option></select></label>
    <label>Statut<select id="f-statut"><option value="">Tous</option><option value="en_attente">En attente</option><option value="envoyee">Envoyée</option><option value="echec">Échec</option><option value="annulee">Annulée</option></select></label>
    <label>Date début<input type="date" id="f-debut"></label>
    <label>Date fin<input type="date" id="f-fin"></label>
    <button id="b-filtrer">Filtrer</button>
    <span class="espace"></span>
    <button id="b-manuelle">Nouvelle relance manuelle</button>
    <button id="b-generer" class="principal">Générer relances automatiques</button>
  </section>
  <table id="relances" aria-busy="true">
    <thead><tr><th>Contribuable</th><th>Canal</th><th>Montant dû</th><th>Planifiée</th><th>Statut</th><th></th></tr></thead>
    <tbody id="lignes"><tr><td colspan="6" class="petit-texte">Chargement…</td></tr></tbody>
  </table>
  <div class="pagination"><span id="page-info"></span><button id="b-prec" class="petit">Précédent</button><button id="b-suiv" class="petit">Suivant</button></div>
</main>
<dialog id="d-manuelle">
  <form method="dialog" id="form-manuelle">
    <h2>Relances manuelles</h2>
    <label>Rechercher un contribuable (nom ou téléphone)<input id="m-recherche" autocomplete="off" placeholder="ex. Nzé ou 0661…"></label>
    <div class="resultats" id="m-resultats" role="listbox" aria-busy="false"></div>
    <div class="choisis" id="m-choisis"></div>
    <div class="ligne">
      <label>Type<select id="m-type"><option value="sms">SMS</option><option value="email">E-mail</option><option value="courrier">Courrier</option><option value="appel">Appel</option><option value="visite">Visite</option></select></label>
      <label>Montant dû (FCFA)<input id="m-montant" inputmode="decimal" placeholder="5000"></label>
      <label>Échéance<input type="date" id="m-echeance"></label>
    </div>
    <label>Message<textarea id="m-texte" rows="3">Rappel : Vous avez une taxe à payer à la Mairie de Libreville.</textarea></label>
    <div class="ligne"><span class="espace"></span><button value="annuler">Annuler</button><button id="m-creer" class="principal" value="creer">Créer</button></div>
  </form>
</dialog>
<dialog id="d-detail">
  <form method="dialog">
    <h2>Détail de la relance</h2>
    <dl class="detail" id="detail-champs"></dl>
    <div class="ligne"><span class="espace"></span><button value="fermer" id="detail-fermer">Fermer</button></div>
  </form>
</dialog>
</body>
</html>
"""#
}
