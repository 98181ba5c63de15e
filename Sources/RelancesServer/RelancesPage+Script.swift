extension RelancesPage {
    /// The page's script, served as `/relances.js`. Everything lives inside one function:
    /// nothing (functions, state, the token) is reachable as a global. Data from the API
    /// only ever becomes text nodes or attribute values (`el`, `donnee`); never HTML.
    static let script = #"""
(() => {
"use strict";
const PAR_PAGE = 20;
const CLE_JETON = "relances-jeton";
let page = 0, total = 0, minuteur = null;
const choisis = new Map();   // id → name of the taxpayers chosen in the manual dialog
let trouves = new Map();     // id → name of the last search's results
const $ = id => document.getElementById(id);
const LIBELLES = { en_attente: "En attente", envoi_en_cours: "Envoi en cours", envoyee: "Envoyée", echec: "Échec", annulee: "Annulée" };
const CANAUX = { sms: "SMS", email: "E-mail", courrier: "Courrier", appel: "Appel", visite: "Visite" };

// An element built from parts: attributes set one by one (names are this script's own),
// children appended as nodes or as text. No string ever becomes markup.
function el(tag, attributs, ...enfants) {
  const e = document.createElement(tag);
  for (const [nom, valeur] of Object.entries(attributs || {})) {
    if (valeur == null || valeur === false) continue;
    if (/^on/i.test(nom)) throw new Error("attribut refusé : " + nom);
    e.setAttribute(nom, String(valeur));
  }
  for (const x of enfants) if (x != null && x !== false) e.append(x instanceof Node ? x : String(x));
  return e;
}
// A value that came from outside, shown as text and isolated from the text around it
// (an RTL override in a name does not turn the rest of the row around).
function donnee(s) { return el("bdi", null, s == null ? "" : String(s)); }
function nomDe(c) { return (((c && c.prenom) || "") + " " + ((c && c.nom) || "")).trim(); }
function montant(s) { const n = Number(s); return isNaN(n) ? String(s) : n.toLocaleString("fr-FR", { minimumFractionDigits: 0, maximumFractionDigits: 2 }) + " FCFA"; }
function dateHeure(iso) { if (!iso) return "–"; const d = new Date(iso); return d.toLocaleDateString("fr-FR") + " " + d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }); }
function jour(iso) { return iso ? new Date(iso).toLocaleDateString("fr-FR") : "–"; }
function message(t, genre) { const m = $("message"); m.textContent = t; m.className = genre || "info"; }
function identifiant(v) { const n = Number(v); if (!Number.isSafeInteger(n) || n < 0) throw new Error("Identifiant invalide"); return n; }

// The token lives in this tab's session storage (gone when the tab closes), asked for
// once: requests that got 401 together share one question, and a refusal is not asked
// again for the same token.
localStorage.removeItem(CLE_JETON);   // where earlier versions kept it, beyond the session
let question = null;
function jetonApres401(utilise) {
  const actuel = sessionStorage.getItem(CLE_JETON);
  if (actuel !== utilise) return actuel;
  if (!question || question.pour !== utilise) {
    const saisi = (prompt("Cette page demande le jeton d'accès à l'API des relances :") || "").trim();
    if (saisi) sessionStorage.setItem(CLE_JETON, saisi);
    question = { pour: utilise, reponse: saisi || null };
  }
  return question.reponse;
}

async function api(chemin, options = {}, deuxieme = false) {
  const enTetes = Object.assign({}, options.headers || {});
  if (options.body != null) enTetes["Content-Type"] = "application/json";
  const jeton = sessionStorage.getItem(CLE_JETON);
  if (jeton) enTetes["Authorization"] = "Bearer " + jeton;
  const r = await fetch(chemin, Object.assign({}, options, { headers: enTetes, credentials: "same-origin" }));
  if (r.status === 401 && !deuxieme && jetonApres401(jeton)) return api(chemin, options, true);
  const corps = r.status === 204 ? null : await r.json().catch(() => null);
  if (!r.ok) {
    const detail = corps && corps.detail ? (typeof corps.detail === "string" ? corps.detail : JSON.stringify(corps.detail)) : ("Erreur " + r.status);
    throw new Error(r.status === 401 ? detail + " (rechargez la page pour saisir le jeton)" : detail);
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
  $("stat-total").textContent = String(s.total_relances);
  $("stat-envoyees").textContent = String(s.relances_envoyees);
  $("stat-attente").textContent = String(s.relances_en_attente);
  $("stat-echecs").textContent = String(s.relances_echec);
  $("stat-taux").textContent = Number(s.taux_reponse).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " %";
}

// When the relance goes out: a date an operator chose (the scheduler sends it then),
// or none (it waits for someone to press Envoyer).
function planification(x) {
  if (x.programmee === true) return el("span", { class: "pilule programmee", title: "Envoyée automatiquement à cette date" }, "Programmée le " + dateHeure(x.date_planifiee));
  if (x.programmee === false && x.statut === "en_attente") return el("span", { class: "petit-texte" }, "Non programmée");
  return dateHeure(x.date_planifiee);
}
function acteur(x) { return x.acteur ? String(x.acteur) : (x.utilisateur_id != null ? "utilisateur " + x.utilisateur_id : null); }

function ligne(x) {
  const c = x.contribuable || {};
  const statut = Object.prototype.hasOwnProperty.call(LIBELLES, x.statut) ? x.statut : "inconnu";
  const envoyable = x.statut === "en_attente" || x.statut === "echec";
  const qui = acteur(x);
  return el("tr", { "data-id": identifiant(x.id), "data-statut": statut, title: qui ? "Dernière action : " + qui : null },
    el("td", null, el("div", { class: "qui" }, el("div", { class: "initiale" }, donnee((c.nom || "?").charAt(0))),
      el("div", null, el("bdi", { class: "nom" }, nomDe(c)), el("div", { class: "petit-texte" }, donnee(c.telephone))))),
    el("td", null, CANAUX[x.type_relance] || donnee(x.type_relance), el("div", { class: "petit-texte" }, donnee(x.canal_envoi))),
    el("td", null, montant(x.montant_due), el("div", { class: "petit-texte" }, "échéance " + jour(x.date_echeance))),
    el("td", null, planification(x)),
    el("td", null, el("span", { class: "pilule " + statut }, LIBELLES[statut] || donnee(x.statut)),
      x.statut === "echec" && x.notes ? el("div", { class: "note-echec" }, donnee(x.notes)) : null),
    el("td", { class: "actions" }, el("button", { class: "petit", type: "button", "data-detail": identifiant(x.id) }, "Détail"),
      envoyable ? el("button", { class: "petit", type: "button", "data-envoyer": identifiant(x.id) }, "Envoyer") : null));
}

async function chargerListe() {
  $("relances").setAttribute("aria-busy", "true");
  try {
    const q = filtres();
    q.set("skip", page * PAR_PAGE); q.set("limit", PAR_PAGE);
    const r = await api("/api/relances?" + q);
    total = r.total;
    const lignes = r.items.map(ligne);
    $("lignes").replaceChildren(...(lignes.length ? lignes : [el("tr", null, el("td", { colspan: 6, class: "petit-texte" }, "Aucune relance."))]));
    const fin = Math.min(total, (page + 1) * PAR_PAGE);
    $("page-info").textContent = total ? `${page * PAR_PAGE + 1}–${fin} sur ${total}` : "";
    $("b-prec").disabled = page === 0;
    $("b-suiv").disabled = fin >= total;
  } finally { $("relances").setAttribute("aria-busy", "false"); }
}

async function rafraichir() {
  try { await Promise.all([chargerStatistiques(), chargerListe()]); }
  catch (e) { message(e.message, "erreur"); }
}

async function envoyer(id) {
  if (!confirm("Envoyer cette relance maintenant ?")) return;
  try {
    const r = await api(`/api/relances/${identifiant(id)}/envoyer`, { method: "PATCH" });
    message(r.statut === "envoyee" ? "Relance envoyée. " + (r.notes || "") : "Échec de l'envoi : " + (r.notes || ""), r.statut === "envoyee" ? "info" : "erreur");
  } catch (e) { message(e.message, "erreur"); }
  await rafraichir();
}

async function detail(id) {
  try {
    const x = await api(`/api/relances/${identifiant(id)}`);
    const c = x.contribuable || {};
    const champs = [
      ["Contribuable", nomDe(c)], ["Téléphone", c.telephone], ["E-mail", c.email],
      ["Type", CANAUX[x.type_relance] || x.type_relance], ["Canal", x.canal_envoi],
      ["Montant dû", montant(x.montant_due)], ["Échéance", jour(x.date_echeance)],
      ["Statut", LIBELLES[x.statut] || x.statut], ["Planification", planification(x)],
      ["Envoyée le", x.date_envoi ? dateHeure(x.date_envoi) : null], ["Message", x.message], ["Notes", x.notes],
      ["Dernière action par", acteur(x)],
    ];
    $("detail-champs").replaceChildren(...champs.filter(([, v]) => v != null && v !== "")
      .flatMap(([libelle, v]) => [el("dt", null, libelle), el("dd", null, v instanceof Node ? v : donnee(v))]));
    $("d-detail").showModal();
  } catch (e) { message(e.message, "erreur"); }
}

// The first confirmation says what the run would do: the server's pre-flight, which
// writes and sends nothing. Dialog text is plain text: data in it cannot run.
function resumePreflight(p) {
  const lignes = [`${p.relances_a_creer} relance(s) ${p.type_relance} seraient créées` + (p.canal ? ` (canal ${p.canal})` : " (envoi à la main)") + "."];
  if (p.destinataires_invalides) lignes.push(`${p.destinataires_invalides} seraient refusée(s) par le canal (destinataire invalide).`);
  if (p.sans_adresse) lignes.push(`${p.sans_adresse} dette(s) en retard sans adresse pour ce type : aucune relance.`);
  if (p.sms) lignes.push(`SMS : ${p.sms.segments} segment(s) (${p.sms.gsm7} GSM-7, ${p.sms.ucs2} UCS-2)` + (p.sms.budget ? `, ${p.sms.hors_budget} au-delà de ${p.sms.budget} segment(s)` : "") + ".");
  if (p.cout_estime != null) lignes.push(`Coût estimé : ${Number(p.cout_estime).toFixed(2)} FCFA.`);
  if (p.exemples && p.exemples.length) lignes.push("", "Premier message :", String(p.exemples[0].message));
  return lignes.join("\n");
}

async function genererAutomatique() {
  const parametres = { jours_retard_min: 7, type_relance: ["sms", "email", "courrier"].includes($("f-type").value) ? $("f-type").value : "sms", limite: 50 };
  let apercu = "";
  try {
    const p = await api("/api/relances/generer-automatique", { method: "POST", body: JSON.stringify(Object.assign({ preflight: true }, parametres)) });
    apercu = "\n\n" + resumePreflight(p);
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
  } catch (e) { message(e.message, "erreur"); }
  $("b-generer").disabled = false;
  page = 0;
  await rafraichir();
}

async function rechercher() {
  const terme = $("m-recherche").value.trim();
  if (terme.length < 2) { $("m-resultats").replaceChildren(); return; }
  $("m-resultats").setAttribute("aria-busy", "true");
  try {
    const liste = await api(`/api/contribuables/?search=${encodeURIComponent(terme)}&limit=20&actif=true`);
    trouves = new Map(liste.map(c => [String(identifiant(c.id)), nomDe(c)]));
    const lignes = liste.map(c => el("div", { role: "option", "data-id": identifiant(c.id) },
      el("bdi", { class: "nom" }, nomDe(c)), " ", el("span", { class: "petit-texte" }, donnee(c.telephone))));
    $("m-resultats").replaceChildren(...(lignes.length ? lignes : [el("div", { class: "petit-texte" }, "Aucun contribuable trouvé.")]));
  } catch (e) { message(e.message, "erreur"); }
  finally { $("m-resultats").setAttribute("aria-busy", "false"); }
}
function afficherChoisis() { $("m-choisis").replaceChildren(...[...choisis.values()].map(n => el("span", null, donnee(n)))); }

async function creerManuelles(ev) {
  ev.preventDefault();
  if (!choisis.size) { alert("Choisissez au moins un contribuable."); return; }
  const corps = { type_relance: $("m-type").value, message: $("m-texte").value,
                  contribuables: [...choisis.keys()].map(id => ({ contribuable_id: identifiant(id) })) };
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

$("b-filtrer").addEventListener("click", () => { page = 0; rafraichir(); });
$("b-prec").addEventListener("click", () => { if (page > 0) { page--; chargerListe().catch(e => message(e.message, "erreur")); } });
$("b-suiv").addEventListener("click", () => { page++; chargerListe().catch(e => message(e.message, "erreur")); });
$("b-generer").addEventListener("click", genererAutomatique);
$("lignes").addEventListener("click", ev => {
  const bouton = ev.target.closest("button");
  if (!bouton) return;
  if (bouton.dataset.envoyer) envoyer(bouton.dataset.envoyer);
  else if (bouton.dataset.detail) detail(bouton.dataset.detail);
});
$("b-manuelle").addEventListener("click", () => $("d-manuelle").showModal());
$("m-recherche").addEventListener("input", () => { clearTimeout(minuteur); minuteur = setTimeout(rechercher, 250); });
$("m-resultats").addEventListener("click", ev => {
  const choix = ev.target.closest("[data-id]");
  if (choix && trouves.has(choix.dataset.id)) { choisis.set(choix.dataset.id, trouves.get(choix.dataset.id)); afficherChoisis(); }
});
$("m-creer").addEventListener("click", creerManuelles);

rafraichir();
})();
"""#
}
