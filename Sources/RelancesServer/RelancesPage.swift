import Foundation
import HTTP

/// The Relances page, served from the binary in French: the HTML at `/`, its script at
/// `/relances.js` and its stylesheet at `/relances.css`. What an operator does in a day:
/// statistics cards, filters (a search by name or phone, « Réinitialiser »), a table of
/// 20 per page (cards on a phone), a relance's detail with its attempts, ledger entries
/// and the taxpayer's other relances; sending, sending again, scheduling, marking a call
/// or a visit done, recording a reply, cancelling with a reason; automatic generation
/// (type, days late, how many) with its two confirmations and summary; manual relances
/// for several taxpayers (a phone, an amount and a message each, a planned date, notes,
/// a summary before creating). It asks for the API token once, and says in French what
/// is wrong when the server does not answer or refuses the token.
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
<header><h1>Relances des contribuables</h1><span class="petit-texte sous-titre">Mairie de Libreville — service des taxes</span><button id="b-aide" type="button" class="aide" aria-haspopup="dialog">Aide</button></header>
<main>
  <div id="message" role="status"></div>
  <section class="cartes">
    <div class="carte"><div class="libelle">Total relances</div><div class="valeur" id="stat-total">–</div></div>
    <div class="carte envoyees"><div class="libelle">Envoyées</div><div class="valeur" id="stat-envoyees">–</div></div>
    <div class="carte attente"><div class="libelle">En attente</div><div class="valeur" id="stat-attente">–</div></div>
    <div class="carte echecs"><div class="libelle">Échecs</div><div class="valeur" id="stat-echecs">–</div></div>
    <div class="carte"><div class="libelle">Taux de réponse</div><div class="valeur" id="stat-taux">–</div></div>
  </section>
  <form class="barre" id="form-filtres" role="search">
    <label class="large">Rechercher (nom ou téléphone)<input type="search" id="f-recherche" autocomplete="off" placeholder="ex. Nzé ou 077 12 34 56"></label>
    <label>Type<select id="f-type"><option value="">Tous</option><option value="sms">SMS</option><option value="email">E-mail</option><option value="courrier">Courrier</option><option value="appel">Appel</option><option value="visite">Visite</option></select></label>
    <label>Statut<select id="f-statut"><option value="">Tous</option><option value="en_attente">En attente</option><option value="envoyee">Envoyée</option><option value="echec">Échec</option><option value="annulee">Annulée</option></select></label>
    <label>Date début<input type="date" id="f-debut"></label>
    <label>Date fin<input type="date" id="f-fin"></label>
    <div class="boutons"><button id="b-filtrer" type="submit">Filtrer</button><button id="b-reinitialiser" type="button">Réinitialiser</button></div>
    <span class="espace"></span>
    <div class="boutons"><button id="b-envoyer-attente" type="button">Envoyer les relances en attente</button><button id="b-manuelle" type="button">Nouvelle relance manuelle</button>
    <button id="b-generer" type="button" class="principal">Générer relances automatiques</button></div>
  </form>
  <div class="tableau">
  <table id="relances" aria-busy="true">
    <thead><tr><th>Contribuable</th><th>Canal</th><th>Montant dû</th><th>Planifiée</th><th>Statut</th><th>Actions</th></tr></thead>
    <tbody id="lignes"><tr><td colspan="6" class="petit-texte">Chargement…</td></tr></tbody>
  </table>
  </div>
  <div class="pagination"><span id="page-info"></span><button id="b-prec" class="petit">Précédent</button><button id="b-suiv" class="petit">Suivant</button></div>
</main>
<dialog id="d-manuelle" aria-labelledby="m-titre">
  <form method="dialog" id="form-manuelle">
    <h2 id="m-titre">Relances manuelles</h2>
    <div id="m-saisie" class="etape">
      <label for="m-recherche">Rechercher un contribuable (nom ou téléphone)</label>
      <input id="m-recherche" autocomplete="off" placeholder="ex. Nzé ou 0661…" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="m-resultats">
      <div class="petit-texte" id="m-aide">Flèches haut et bas pour parcourir, Entrée pour ajouter.</div>
      <div class="resultats" id="m-resultats" role="listbox" aria-label="Contribuables trouvés" aria-multiselectable="true" aria-busy="false" tabindex="-1"></div>
      <h3 class="sous-titre-dialogue">Contribuables choisis <span id="m-nombre" class="petit-texte"></span></h3>
      <ul class="choisis" id="m-choisis"></ul>
      <div class="ligne">
        <label>Type<select id="m-type"><option value="sms">SMS</option><option value="email">E-mail</option><option value="courrier">Courrier</option><option value="appel">Appel</option><option value="visite">Visite</option></select></label>
        <label>Montant dû (FCFA), pour tous<input id="m-montant" inputmode="decimal" placeholder="5000"></label>
      </div>
      <div class="ligne">
        <label>Échéance<input type="date" id="m-echeance"></label>
        <label>Date d'envoi prévue<input type="datetime-local" id="m-planifiee"></label>
      </div>
      <div class="petit-texte">Sans date d'envoi, la relance attend qu'on clique « Envoyer ». Avec une date, elle part automatiquement à cette date.</div>
      <label for="m-texte">Message</label>
      <textarea id="m-texte" rows="4" maxlength="2000" aria-describedby="m-compteur">Rappel : Vous avez une taxe à payer à la Mairie de Libreville.</textarea>
      <div class="compteur petit-texte" id="m-compteur" aria-live="polite"></div>
      <label>Notes internes (non envoyées au contribuable)<textarea id="m-notes" rows="2" maxlength="2000"></textarea></label>
      <div id="m-erreur" class="erreur-champ" role="alert"></div>
      <div class="ligne boutons-dialogue"><span class="espace"></span><button value="annuler" type="button" id="m-annuler">Annuler</button><button id="m-verifier" class="principal" type="button">Vérifier</button></div>
    </div>
    <div id="m-verification" class="etape" hidden>
      <h3 class="sous-titre-dialogue">Avant de créer</h3>
      <div id="m-resume"></div>
      <div class="ligne boutons-dialogue"><span class="espace"></span><button type="button" id="m-modifier">Modifier</button><button id="m-creer" class="principal" value="creer" type="button">Créer les relances</button></div>
    </div>
  </form>
</dialog>
<dialog id="d-generer" aria-labelledby="g-titre">
  <form method="dialog" id="form-generer" novalidate>
    <h2 id="g-titre">Générer les relances automatiques</h2>
    <div class="petit-texte">Une relance par dette en retard, pour les contribuables choisis selon ces critères. Un aperçu vous est montré avant toute création.</div>
    <label>Type de relance<select id="g-type"><option value="sms">SMS</option><option value="email">E-mail</option><option value="courrier">Courrier</option></select></label>
    <div class="ligne">
      <label>Jours de retard, au moins<input type="number" id="g-jours" min="0" max="36500" value="7" required></label>
      <label>Nombre de relances, au plus<input type="number" id="g-limite" min="1" max="500" value="50" required></label>
    </div>
    <label class="case"><input type="checkbox" id="g-a-venir"> Inclure les échéances à venir (des dettes pas encore dues)</label>
    <div class="ligne boutons-dialogue"><span class="espace"></span><button value="annuler" type="button" id="g-annuler">Annuler</button><button id="g-continuer" class="principal" type="submit" value="continuer">Voir l'aperçu</button></div>
  </form>
</dialog>
<dialog id="d-action" aria-labelledby="a-titre">
  <form method="dialog" id="form-action">
    <h2 id="a-titre"></h2>
    <div id="a-texte" class="petit-texte"></div>
    <label id="a-champ-date" hidden><span id="a-libelle-date"></span><input id="a-date" type="datetime-local"></label>
    <label id="a-champ-note" hidden><span id="a-libelle-note"></span><textarea id="a-note" rows="3" maxlength="2000"></textarea></label>
    <div id="a-erreur" class="erreur-champ" role="alert"></div>
    <div class="ligne boutons-dialogue"><span class="espace"></span><button type="button" id="a-annuler">Retour</button><button id="a-valider" class="principal" type="submit" value="valider"></button></div>
  </form>
</dialog>
<dialog id="d-detail" aria-labelledby="detail-titre">
  <form method="dialog">
    <h2 id="detail-titre">Détail de la relance</h2>
    <dl class="detail" id="detail-champs"></dl>
    <div class="actions-detail" id="detail-actions"></div>
    <h3 class="sous-titre-dialogue">Journal des envois</h3>
    <div id="detail-journal" class="petit-texte">Chargement…</div>
    <h3 class="sous-titre-dialogue">Historique du contribuable</h3>
    <div id="detail-historique" class="petit-texte">Chargement…</div>
    <div class="ligne boutons-dialogue"><span class="espace"></span><button value="fermer" id="detail-fermer">Fermer</button></div>
  </form>
</dialog>
<dialog id="d-aide" aria-labelledby="aide-titre">
  <form method="dialog" class="aide">
    <div class="entete-aide"><h2 id="aide-titre">Aide : utiliser la page des relances</h2><button type="button" id="aide-fermer">Fermer</button></div>
    <div id="aide-contenu"></div>
  </form>
</dialog>
</body>
</html>
"""#
}
