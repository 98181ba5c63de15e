import HTTP

/// The Relances page: one self-contained HTML/JS/CSS document in French, served from
/// the binary. It does what the office's page does: statistics cards (with failures),
/// filters, a table of 20 per page with coloured statuses and the notes of failures,
/// sending a pending relance after a confirmation, automatic generation with its two
/// confirmations and summary, manual relances for several taxpayers, and it asks for
/// the API token once when the API answers 401.
enum RelancesPage {
    static let response: HTTPResponse = {
        var r = HTTPResponse.text(html, contentType: "text/html; charset=utf-8")
        r.headers["Cache-Control"] = "no-cache"
        r.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"
        r.headers["X-Content-Type-Options"] = "nosniff"
        return r
    }()

    static let html = #"""
<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Relances — Mairie de Libreville</title>
<style>
:root { --bleu:#1f4e8c; --gris:#6b7280; --fond:#f4f6fa; --bord:#e3e7ee; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, "Segoe UI", Roboto, sans-serif; background:var(--fond); color:#1f2937; }
header { background:var(--bleu); color:white; padding:14px 24px; display:flex; align-items:center; justify-content:space-between; }
header h1 { font-size:20px; margin:0; font-weight:600; }
main { padding:20px 24px; max-width:1300px; margin:0 auto; }
.cartes { display:grid; grid-template-columns:repeat(5, 1fr); gap:14px; margin-bottom:18px; }
.carte { background:white; border:1px solid var(--bord); border-radius:10px; padding:14px 16px; }
.carte .libelle { color:var(--gris); font-size:13px; }
.carte .valeur { font-size:26px; font-weight:700; margin-top:4px; }
.carte.envoyees .valeur { color:#15803d; } .carte.attente .valeur { color:#b45309; } .carte.echecs .valeur { color:#b91c1c; }
.barre { display:flex; flex-wrap:wrap; gap:10px; align-items:end; background:white; border:1px solid var(--bord); border-radius:10px; padding:12px 14px; margin-bottom:14px; }
.barre label { font-size:12px; color:var(--gris); display:flex; flex-direction:column; gap:4px; }
select, input, textarea { font:inherit; padding:6px 8px; border:1px solid #cbd2dc; border-radius:6px; background:white; }
button { font:inherit; border:0; border-radius:6px; padding:8px 12px; cursor:pointer; background:#e5e9f0; }
button.principal { background:var(--bleu); color:white; }
button.petit { padding:4px 10px; font-size:13px; }
button:disabled { opacity:.5; cursor:default; }
.espace { flex:1; }
table { width:100%; border-collapse:collapse; background:white; border:1px solid var(--bord); border-radius:10px; overflow:hidden; }
th, td { text-align:left; padding:10px 12px; border-bottom:1px solid var(--bord); font-size:14px; vertical-align:top; }
th { background:#f8fafc; color:var(--gris); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.qui { display:flex; gap:10px; align-items:center; }
.initiale { width:32px; height:32px; border-radius:50%; background:#dbe6f5; color:var(--bleu); display:flex; align-items:center; justify-content:center; font-weight:700; }
.petit-texte { color:var(--gris); font-size:12px; }
.pilule { display:inline-block; padding:3px 10px; border-radius:999px; font-size:12px; font-weight:600; }
.pilule.en_attente { background:#fef3c7; color:#92400e; } .pilule.envoyee { background:#dcfce7; color:#166534; }
.pilule.echec { background:#fee2e2; color:#991b1b; } .pilule.annulee { background:#e5e7eb; color:#374151; }
.pilule.envoi_en_cours { background:#dbeafe; color:#1e40af; }
.note-echec { color:#991b1b; font-size:12px; margin-top:4px; max-width:320px; }
.pagination { display:flex; gap:10px; align-items:center; justify-content:flex-end; margin-top:10px; color:var(--gris); font-size:14px; }
#message { margin-bottom:12px; padding:10px 14px; border-radius:8px; display:none; }
#message.info { display:block; background:#e0f2fe; color:#075985; } #message.erreur { display:block; background:#fee2e2; color:#991b1b; }
dialog { border:0; border-radius:12px; padding:0; width:min(640px, 95vw); box-shadow:0 20px 60px rgba(0,0,0,.25); }
dialog form { padding:18px 20px; display:flex; flex-direction:column; gap:10px; }
dialog h2 { margin:0 0 4px; font-size:18px; }
.resultats { max-height:160px; overflow:auto; border:1px solid var(--bord); border-radius:6px; }
.resultats div { padding:6px 10px; cursor:pointer; } .resultats div:hover { background:#f1f5f9; }
.choisis span { display:inline-block; background:#e0e7ff; border-radius:999px; padding:2px 10px; margin:2px; font-size:13px; }
.ligne { display:flex; gap:10px; } .ligne > * { flex:1; }
@media (max-width: 900px) { .cartes { grid-template-columns:repeat(2, 1fr); } }
</style>
</head>
<body>
<header><h1>Relances des contribuables</h1><span class="petit-texte" style="color:#dbe6f5">Mairie de Libreville — service des taxes</span></header>
<main>
  <div id="message"></div>
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
  <table>
    <thead><tr><th>Contribuable</th><th>Canal</th><th>Montant dû</th><th>Planifiée</th><th>Statut</th><th></th></tr></thead>
    <tbody id="lignes"><tr><td colspan="6" class="petit-texte">Chargement…</td></tr></tbody>
  </table>
  <div class="pagination"><span id="page-info"></span><button id="b-prec" class="petit">Précédent</button><button id="b-suiv" class="petit">Suivant</button></div>
</main>
<dialog id="d-manuelle">
  <form method="dialog" id="form-manuelle">
    <h2>Relances manuelles</h2>
    <label>Rechercher un contribuable (nom ou téléphone)<input id="m-recherche" autocomplete="off" placeholder="ex. Nzé ou 0661…"></label>
    <div class="resultats" id="m-resultats"></div>
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
<script>
"use strict";
const PAR_PAGE = 20;
let page = 0, total = 0, choisis = new Map();
const $ = id => document.getElementById(id);
const LIBELLES = { en_attente: "En attente", envoi_en_cours: "Envoi en cours", envoyee: "Envoyée", echec: "Échec", annulee: "Annulée" };
const CANAUX = { sms: "SMS", email: "E-mail", courrier: "Courrier", appel: "Appel", visite: "Visite" };

function texte(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
function montant(s) { const n = Number(s); return isNaN(n) ? s : n.toLocaleString("fr-FR", { minimumFractionDigits: 0, maximumFractionDigits: 2 }) + " FCFA"; }
function dateHeure(iso) { if (!iso) return "–"; const d = new Date(iso); return d.toLocaleDateString("fr-FR") + " " + d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }); }
function jour(iso) { return iso ? new Date(iso).toLocaleDateString("fr-FR") : "–"; }
function message(t, genre) { const m = $("message"); m.textContent = t; m.className = genre || "info"; }

async function api(chemin, options = {}, dejaDemande = false) {
  const enTetes = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
  const jeton = localStorage.getItem("relances-jeton");
  if (jeton) enTetes["Authorization"] = "Bearer " + jeton;
  const r = await fetch(chemin, Object.assign({}, options, { headers: enTetes }));
  if (r.status === 401 && !dejaDemande) {
    const saisi = prompt("Cette page demande le jeton d'accès à l'API des relances :");
    if (saisi) { localStorage.setItem("relances-jeton", saisi.trim()); return api(chemin, options, true); }
  }
  const corps = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const detail = corps && corps.detail ? (typeof corps.detail === "string" ? corps.detail : JSON.stringify(corps.detail)) : ("Erreur " + r.status);
    throw new Error(detail);
  }
  return corps;
}

function filtres() {
  const q = new URLSearchParams();
  if ($("f-type").value) q.set("type_relance", $("f-type").value);
  if ($("f-statut").value) q.set("statut", $("f-statut").value);
  if ($("f-debut").value) q.set("date_debut", $("f-debut").value);
  if ($("f-fin").value) q.set("date_fin", $("f-fin").value);
  return q;
}

async function chargerStatistiques() {
  const q = new URLSearchParams();
  if ($("f-debut").value) q.set("date_debut", $("f-debut").value);
  if ($("f-fin").value) q.set("date_fin", $("f-fin").value);
  const s = await api("/api/relances/statistiques?" + q);
  $("stat-total").textContent = s.total_relances;
  $("stat-envoyees").textContent = s.relances_envoyees;
  $("stat-attente").textContent = s.relances_en_attente;
  $("stat-echecs").textContent = s.relances_echec;
  $("stat-taux").textContent = s.taux_reponse.toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " %";
}

async function chargerListe() {
  const q = filtres();
  q.set("skip", page * PAR_PAGE); q.set("limit", PAR_PAGE);
  const r = await api("/api/relances?" + q);
  total = r.total;
  const lignes = r.items.map(x => {
    const c = x.contribuable || {};
    const nom = ((c.prenom || "") + " " + (c.nom || "")).trim();
    const envoyable = x.statut === "en_attente" || x.statut === "echec";
    const note = x.statut === "echec" && x.notes ? `<div class="note-echec">${texte(x.notes)}</div>` : "";
    return `<tr data-id="${x.id}" data-statut="${x.statut}">
      <td><div class="qui"><div class="initiale">${texte((c.nom || "?").charAt(0))}</div><div>${texte(nom)}<div class="petit-texte">${texte(c.telephone || "")}</div></div></div></td>
      <td>${texte(CANAUX[x.type_relance] || x.type_relance)}<div class="petit-texte">${texte(x.canal_envoi || "")}</div></td>
      <td>${texte(montant(x.montant_due))}<div class="petit-texte">échéance ${texte(jour(x.date_echeance))}</div></td>
      <td>${texte(dateHeure(x.date_planifiee))}</td>
      <td><span class="pilule ${texte(x.statut)}">${texte(LIBELLES[x.statut] || x.statut)}</span>${note}</td>
      <td>${envoyable ? `<button class="petit" data-envoyer="${x.id}">Envoyer</button>` : ""}</td></tr>`;
  });
  $("lignes").innerHTML = lignes.join("") || `<tr><td colspan="6" class="petit-texte">Aucune relance.</td></tr>`;
  const fin = Math.min(total, (page + 1) * PAR_PAGE);
  $("page-info").textContent = total ? `${page * PAR_PAGE + 1}–${fin} sur ${total}` : "";
  $("b-prec").disabled = page === 0;
  $("b-suiv").disabled = fin >= total;
}

async function rafraichir() {
  try { await Promise.all([chargerStatistiques(), chargerListe()]); }
  catch (e) { message(e.message, "erreur"); }
}

async function envoyer(id) {
  if (!confirm("Envoyer cette relance maintenant ?")) return;
  try {
    const r = await api(`/api/relances/${id}/envoyer`, { method: "PATCH" });
    message(r.statut === "envoyee" ? "Relance envoyée. " + (r.notes || "") : "Échec de l'envoi : " + (r.notes || ""), r.statut === "envoyee" ? "info" : "erreur");
  } catch (e) { message(e.message, "erreur"); }
  await rafraichir();
}

// The first confirmation says what the run would do: the server's pre-flight, which
// writes and sends nothing.
function resumePreflight(p) {
  const lignes = [`${p.relances_a_creer} relance(s) ${p.type_relance} seraient créées` + (p.canal ? ` (canal ${p.canal})` : " (envoi à la main)") + "."];
  if (p.destinataires_invalides) lignes.push(`${p.destinataires_invalides} seraient refusée(s) par le canal (destinataire invalide).`);
  if (p.sans_adresse) lignes.push(`${p.sans_adresse} dette(s) en retard sans adresse pour ce type : aucune relance.`);
  if (p.sms) lignes.push(`SMS : ${p.sms.segments} segment(s) (${p.sms.gsm7} GSM-7, ${p.sms.ucs2} UCS-2)` + (p.sms.budget ? `, ${p.sms.hors_budget} au-delà de ${p.sms.budget} segment(s)` : "") + ".");
  if (p.cout_estime != null) lignes.push(`Coût estimé : ${p.cout_estime.toFixed(2)} FCFA.`);
  if (p.exemples && p.exemples.length) lignes.push("", "Premier message :", p.exemples[0].message);
  return lignes.join("\n");
}

async function genererAutomatique() {
  const parametres = { jours_retard_min: 7, type_relance: $("f-type").value && ["sms","email","courrier"].includes($("f-type").value) ? $("f-type").value : "sms", limite: 50 };
  let apercu = "";
  try {
    const p = await api("/api/relances/generer-automatique", { method: "POST", body: JSON.stringify(Object.assign({ preflight: true }, parametres)) });
    apercu = "\n\n" + resumePreflight(p);
    document.body.dataset.preflight = `${p.relances_a_creer}/${p.envoyables}/${p.destinataires_invalides}`;
  } catch (e) { apercu = "\n\n(Aperçu indisponible : " + e.message + ")"; }
  if (!confirm("Générer les relances automatiques pour les contribuables en retard ?" + apercu)) return;
  const envoyerMaintenant = confirm("Envoyer automatiquement les relances générées maintenant ?\n\nOK : envoyer tout de suite.\nAnnuler : les laisser en attente.");
  $("b-generer").disabled = true;
  message("Génération en cours…");
  try {
    const creees = await api("/api/relances/generer-automatique", { method: "POST",
      body: JSON.stringify(Object.assign({ envoyer_automatiquement: envoyerMaintenant }, parametres)) });
    const envoyees = creees.filter(r => r.statut === "envoyee").length;
    const echecs = creees.filter(r => r.statut === "echec").length;
    message(`${creees.length} relance(s) générée(s), ${envoyees} envoyée(s), ${echecs} échec(s).`, echecs ? "erreur" : "info");
    document.body.dataset.resume = `${creees.length}/${envoyees}/${echecs}`;
  } catch (e) { message(e.message, "erreur"); }
  $("b-generer").disabled = false;
  page = 0;
  await rafraichir();
}

let minuteur = null;
async function rechercher() {
  const terme = $("m-recherche").value.trim();
  if (terme.length < 2) { $("m-resultats").innerHTML = ""; return; }
  try {
    const trouves = await api(`/api/contribuables/?search=${encodeURIComponent(terme)}&limit=20&actif=true`);
    $("m-resultats").innerHTML = trouves.map(c => `<div data-id="${c.id}" data-nom="${texte(c.prenom + " " + c.nom)}">${texte(c.prenom + " " + c.nom)} <span class="petit-texte">${texte(c.telephone || "")}</span></div>`).join("")
      || `<div class="petit-texte">Aucun contribuable trouvé.</div>`;
  } catch (e) { message(e.message, "erreur"); }
}
function afficherChoisis() { $("m-choisis").innerHTML = [...choisis.values()].map(n => `<span>${texte(n)}</span>`).join(""); }

async function creerManuelles(ev) {
  ev.preventDefault();
  if (!choisis.size) { alert("Choisissez au moins un contribuable."); return; }
  const corps = { type_relance: $("m-type").value, message: $("m-texte").value,
                  contribuables: [...choisis.keys()].map(id => ({ contribuable_id: Number(id) })) };
  if ($("m-montant").value.trim()) corps.montant_due = $("m-montant").value.trim().replace(",", ".");
  if ($("m-echeance").value) corps.date_echeance = $("m-echeance").value;
  try {
    const r = await api("/api/relances/manuelles", { method: "POST", body: JSON.stringify(corps) });
    message(`${r.length} relance(s) manuelle(s) créée(s).`);
    $("d-manuelle").close();
    choisis.clear(); afficherChoisis();
    await rafraichir();
  } catch (e) { alert(e.message); }
}

$("b-filtrer").onclick = () => { page = 0; rafraichir(); };
$("b-prec").onclick = () => { if (page > 0) { page--; chargerListe(); } };
$("b-suiv").onclick = () => { page++; chargerListe(); };
$("b-generer").onclick = genererAutomatique;
$("lignes").onclick = ev => { const id = ev.target.dataset.envoyer; if (id) envoyer(id); };
$("b-manuelle").onclick = () => $("d-manuelle").showModal();
$("m-recherche").oninput = () => { clearTimeout(minuteur); minuteur = setTimeout(rechercher, 250); };
$("m-resultats").onclick = ev => { const el = ev.target.closest("[data-id]"); if (el) { choisis.set(el.dataset.id, el.dataset.nom); afficherChoisis(); } };
$("m-creer").onclick = creerManuelles;

// For the browser test: #test-generer answers yes to both confirmations (keeping the
// first question in data-question) and runs the same function as the button.
(async () => {
  await rafraichir();
  if (location.hash === "#test-generer") {
    window.confirm = q => { if (!document.body.dataset.question) document.body.dataset.question = q; return true; };
    await genererAutomatique();
  }
  document.body.dataset.pret = "oui";
})();
</script>
</body>
</html>
"""#
}
