extension RelancesPage {
    /// The dashboard, the CSV export and the taxpayers' contact details, served as
    /// `/tableau.js`, apart from the list's script. The same rules: everything inside one
    /// function, data only ever as text nodes and attribute values; the charts are SVG
    /// built with `createElementNS`, with patterns and labels beside the colours and
    /// their figures in a table too.
    static let dashboardScript = "(() => {\n\"use strict\";\n" + scriptCommon + dashboardBody

    static let dashboardBody = #"""
const SVG = "http://www.w3.org/2000/svg";
const STATUTS = [["envoyee", "Envoyées"], ["en_attente", "En attente"], ["envoi_en_cours", "Envoi en cours"], ["echec", "Échecs"], ["annulee", "Annulées"]];
const TYPES = [["sms", "SMS"], ["email", "E-mail"], ["courrier", "Courrier"], ["appel", "Appel"], ["visite", "Visite"]];
// Each series a colour AND a pattern, so the chart reads in grey or for the colour-blind.
const MOTIFS = ["plein", "hachures", "points", "croisillons", "lignes"];
const COULEURS = { par_statut: ["#15803d", "#b45309", "#1d4ed8", "#b91c1c", "#6b7280"], par_type: ["#1d4ed8", "#7c3aed", "#92400e", "#0f766e", "#be185d"] };

function svg(tag, attributs, ...enfants) {
  const e = document.createElementNS(SVG, tag);
  for (const [nom, valeur] of Object.entries(attributs || {})) {
    if (valeur == null) continue;
    if (/^on/i.test(nom)) throw new Error("attribut refusé : " + nom);
    e.setAttribute(nom, String(valeur));
  }
  for (const x of enfants) if (x != null) e.append(x instanceof Node ? x : String(x));
  return e;
}
function message(t, genre) { const m = $("message"); if (!m) return; m.textContent = t; m.className = genre || "info"; }
function identifiant(v) { const n = Number(v); if (!Number.isSafeInteger(n) || n < 0) throw new Error("Identifiant invalide"); return n; }
function nombre(n) { return Number(n).toLocaleString("fr-FR"); }
function jourCourt(j) { const [, m, d] = String(j).split("-"); return d + "/" + m; }
function jourLong(j) { const [a, m, d] = String(j).split("-"); return d + "/" + m + "/" + a; }
// Over a year, one bar a week (seven days summed, named by their first; the oldest
// days left over make a shorter first one): a bar a day would be a hair wide.
function parSemaine(series) {
  const semaines = [], reste = series.length % 7;
  const debuts = reste ? [0] : [];
  for (let i = reste; i < series.length; i += 7) debuts.push(i);
  for (const [k, i] of debuts.entries()) {
    const s = { jour: series[i].jour, total: 0, par_statut: {}, par_type: {} };
    for (const j of series.slice(i, debuts[k + 1] ?? series.length)) {
      s.total += j.total;
      for (const cle of ["par_statut", "par_type"]) for (const [k, n] of Object.entries(j[cle] || {})) s[cle][k] = (s[cle][k] || 0) + n;
    }
    semaines.push(s);
  }
  return semaines;
}
function nomMois(m) { const [a, n] = String(m).split("-"); return new Date(Date.UTC(Number(a), Number(n) - 1, 1)).toLocaleDateString("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" }); }

// The list's script asks for the token; this one uses what the tab holds.
async function api(chemin, options) {
  const r = await requete(chemin, options);
  const corps = await r.json().catch(() => null);
  if (!r.ok) throw new Error(corps && typeof corps.detail === "string" ? corps.detail : "Erreur " + r.status);
  return corps;
}

// MARK: views

const VUES = [["liste", "Relances"], ["tableau", "Tableau de bord"], ["contribuables", "Contribuables"]];
const main = document.querySelector("main");
const nav = el("nav", { class: "vues", "aria-label": "Vues" },
  ...VUES.map(([v, libelle]) => el("a", { href: "#" + v, "data-vue": v }, libelle)));
document.querySelector("header").after(nav);
const tableau = el("section", { id: "tableau", class: "vue", "aria-labelledby": "tableau-titre" });
const contribuables = el("section", { id: "contribuables", class: "vue", "aria-labelledby": "contribuables-titre" });
main.append(tableau, contribuables);

function afficherVue() {
  const vue = (location.hash || "#liste").slice(1);
  const connue = VUES.some(([v]) => v === vue) ? vue : "liste";
  main.dataset.vue = connue;
  for (const a of nav.querySelectorAll("a")) {
    if (a.dataset.vue === connue) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  if (connue === "tableau") chargerTableau();
  if (connue === "contribuables") $("c-recherche").focus();
}
window.addEventListener("hashchange", afficherVue);

// MARK: dashboard

tableau.append(
  el("div", { class: "entete-vue" }, el("h2", { id: "tableau-titre" }, "Tableau de bord"),
    el("label", null, "Période", el("select", { id: "t-jours" }, el("option", { value: "30" }, "30 derniers jours"), el("option", { value: "90" }, "90 derniers jours"), el("option", { value: "365" }, "12 derniers mois")))),
  el("p", { class: "petit-texte", id: "t-periode" }),
  el("figure", { class: "graphique" }, el("figcaption", { id: "t-titre-statuts" }, "Relances par jour, selon le statut"), el("div", { id: "t-statuts", "aria-busy": "true" })),
  el("figure", { class: "graphique" }, el("figcaption", { id: "t-titre-canaux" }, "Relances par jour, selon le canal"), el("div", { id: "t-canaux", "aria-busy": "true" })),
  el("h3", null, "Motifs d'échec, du plus fréquent au moins fréquent"), el("div", { id: "t-motifs" }),
  el("h3", null, "SMS envoyés par mois"), el("div", { id: "t-sms" }));
$("t-jours").addEventListener("change", chargerTableau);

// Patterns: one per series, drawn over its colour.
function motifs(prefixe, couleurs = COULEURS.par_statut) {
  const defs = svg("defs");
  MOTIFS.forEach((m, i) => {
    const p = svg("pattern", { id: prefixe + "-" + m, width: 6, height: 6, patternUnits: "userSpaceOnUse" },
      svg("rect", { width: 6, height: 6, fill: couleurs[i] }));
    if (m === "hachures") p.append(svg("path", { d: "M0,6 L6,0", stroke: "white", "stroke-width": 1.5 }));
    if (m === "points") p.append(svg("circle", { cx: 3, cy: 3, r: 1.3, fill: "white" }));
    if (m === "croisillons") p.append(svg("path", { d: "M0,0 L6,6 M6,0 L0,6", stroke: "white", "stroke-width": 1 }));
    if (m === "lignes") p.append(svg("path", { d: "M0,3 L6,3", stroke: "white", "stroke-width": 1.5 }));
    defs.append(p);
  });
  return defs;
}

let numeroGraphique = 0;
// A stacked bar per day, a legend with each series' pattern and name, the figures as
// text (axis, totals above the bars) and in a table after it. Drawn at the width it
// has, so its text stays legible on a phone.
function histogramme(series, cle, categories, titre, largeurDispo, hebdo) {
  const prefixe = "m" + (++numeroGraphique);
  const couleurs = COULEURS[cle];
  const L = Math.max(300, Math.round(largeurDispo || 900)), H = 220, G = 36, D = 8, HAUT = 20, BAS = 26;
  const max = Math.max(1, ...series.map(j => j.total));
  const pas = (L - G - D) / series.length;
  const largeur = Math.max(1, pas * 0.75);
  const y = v => HAUT + (H - HAUT - BAS) * (1 - v / max);
  const graphique = svg("svg", { viewBox: `0 0 ${L} ${H}`, role: "img", "aria-label": titre, class: "histogramme" },
    svg("title", null, titre), motifs(prefixe, couleurs));
  graphique.append(svg("line", { x1: G, y1: y(0), x2: L - D, y2: y(0), stroke: "#6b7280" }));
  for (const v of max >= 4 ? [0, Math.round(max / 2), max] : [0, max]) {
    graphique.append(svg("line", { x1: G, y1: y(v), x2: L - D, y2: y(v), stroke: "#e3e7ee" }),
      svg("text", { x: G - 6, y: y(v) + 4, "text-anchor": "end", class: "axe" }, nombre(v)));
  }
  // A label every few bars, as many as fit; the last day (today) always, the regular
  // one just before it left out when the two would touch.
  const tousLes = Math.ceil(series.length / Math.max(1, Math.floor((L - G - D) / 48)));
  const nommes = new Set(series.map((_, i) => i).filter(i => i % tousLes === 0));
  const avant = (series.length - 1) - ((series.length - 1) % tousLes);
  if (avant > 0 && avant !== series.length - 1 && (series.length - 1 - avant) < tousLes * 0.75) nommes.delete(avant);
  nommes.add(series.length - 1);
  series.forEach((j, i) => {
    const x = G + i * pas + (pas - largeur) / 2;
    let bas = 0;
    const groupe = svg("g", { class: "jour", "data-jour": j.jour });
    const detail = [];
    categories.forEach(([c, libelle], k) => {
      const n = (j[cle] || {})[c] || 0;
      if (!n) return;
      detail.push(libelle + " : " + nombre(n));
      groupe.append(svg("rect", { class: "barre-" + c, x, y: y(bas + n), width: largeur, height: Math.max(1, y(bas) - y(bas + n)),
        fill: `url(#${prefixe}-${MOTIFS[k]})`, stroke: "white", "stroke-width": 0.5 }));
      bas += n;
    });
    groupe.prepend(svg("title", null, (hebdo ? "Semaine du " : "") + jourCourt(j.jour) + " — " + (detail.length ? detail.join(" ; ") : "aucune relance")));
    if (j.total && largeur >= 12) groupe.append(svg("text", { x: x + largeur / 2, y: y(j.total) - 4, "text-anchor": "middle", class: "total" }, nombre(j.total)));
    const dernier = i === series.length - 1;
    // The last day's label ends at the chart's edge rather than past it.
    if (nommes.has(i)) groupe.append(svg("text", { x: dernier ? L - D : x + largeur / 2, y: H - BAS + 17,
      "text-anchor": dernier ? "end" : "middle", class: "axe" }, jourCourt(j.jour)));
    graphique.append(groupe);
  });
  const legende = el("ul", { class: "legende" }, ...categories.map(([c, libelle], k) => el("li", null,
    svg("svg", { width: 16, height: 16, "aria-hidden": "true" }, motifs(prefixe + "l" + k, couleurs),
      svg("rect", { width: 16, height: 16, fill: `url(#${prefixe}l${k}-${MOTIFS[k]})` })),
    " " + libelle)));
  const lignes = series.filter(j => j.total).map(j => el("tr", null, el("th", { scope: "row" }, jourCourt(j.jour)),
    ...categories.map(([c]) => el("td", null, nombre((j[cle] || {})[c] || 0))), el("td", null, nombre(j.total))));
  const table = el("details", { class: "chiffres" }, el("summary", null, "Voir les chiffres en tableau"),
    el("table", null, el("caption", null, titre),
      el("thead", null, el("tr", null, el("th", { scope: "col" }, hebdo ? "Semaine du" : "Jour"), ...categories.map(([, l]) => el("th", { scope: "col" }, l)), el("th", { scope: "col" }, "Total"))),
      el("tbody", null, ...(lignes.length ? lignes : [el("tr", null, el("td", { colspan: categories.length + 2 }, "Aucune relance sur la période."))]))));
  return [graphique, legende, table];
}

// Failure reasons: a horizontal bar each, named and counted in text, and what to do.
function motifsEchec(liste, largeurDispo) {
  if (!liste.length) return [el("p", { class: "petit-texte" }, "Aucun échec sur la période.")];
  // Each reason named on its line, its bar under it with the count at its end: the
  // same at any width.
  const L = Math.max(300, Math.round(largeurDispo || 900)), LIGNE = 40;
  const max = Math.max(...liste.map(m => m.nombre));
  const graphique = svg("svg", { viewBox: `0 0 ${L} ${liste.length * LIGNE}`, role: "img", "aria-label": "Échecs par motif", class: "barres-motifs" },
    svg("title", null, "Échecs par motif"), motifs("mo"));
  liste.forEach((m, i) => {
    const w = Math.max(2, (L - 50) * m.nombre / max);
    graphique.append(svg("g", { class: "motif" },
      svg("text", { x: 0, y: i * LIGNE + 14 }, m.libelle),
      svg("rect", { x: 0, y: i * LIGNE + 19, width: w, height: 14, fill: "url(#mo-croisillons)" }),
      svg("text", { x: w + 6, y: i * LIGNE + 31 }, nombre(m.nombre))));
  });
  const table = el("table", { class: "motifs" }, el("thead", null, el("tr", null, el("th", { scope: "col" }, "Motif"), el("th", { scope: "col" }, "Nombre"), el("th", { scope: "col" }, "Que faire"))),
    el("tbody", null, ...liste.map(m => el("tr", { "data-motif": m.code }, el("td", null, m.libelle), el("td", null, nombre(m.nombre)), el("td", null, m.conseil)))));
  return [graphique, table];
}

function smsParMois(mois) {
  if (!mois.length) return [el("p", { class: "petit-texte" }, "Aucun SMS envoyé sur la période.")];
  const tarif = mois.some(m => m.cout_estime != null);
  return [el("table", { class: "sms" },
    el("thead", null, el("tr", null, el("th", { scope: "col" }, "Mois"), el("th", { scope: "col" }, "SMS envoyés"), el("th", { scope: "col" }, "Segments (SMS facturés)"), el("th", { scope: "col" }, "Coût estimé"))),
    el("tbody", null, ...mois.map(m => el("tr", null, el("th", { scope: "row" }, nomMois(m.mois)), el("td", null, nombre(m.sms)), el("td", null, nombre(m.segments)),
      el("td", null, m.cout_estime == null ? "–" : Number(m.cout_estime).toLocaleString("fr-FR", { maximumFractionDigits: 2 }) + " FCFA"))))),
    tarif ? el("p", { class: "petit-texte" }, "Un message long compte pour plusieurs SMS ; coût estimé au tarif du fournisseur configuré.")
          : el("p", { class: "petit-texte" }, "Coût non estimé : le tarif du SMS n'est pas renseigné dans la configuration (à demander au service informatique).")];
}

async function chargerTableau() {
  for (const id of ["t-statuts", "t-canaux"]) $(id).setAttribute("aria-busy", "true");
  try {
    const d = await api("/api/relances/statistiques/quotidiennes?jours=" + encodeURIComponent($("t-jours").value));
    $("t-periode").textContent = `Du ${jourLong(d.date_debut)} au ${jourLong(d.date_fin)} (${d.jours} jours), selon la date planifiée de chaque relance.`;
    dernier = d;
    dessiner();
  } catch (e) { message(e.message, "erreur"); }
  finally { for (const id of ["t-statuts", "t-canaux"]) $(id).setAttribute("aria-busy", "false"); }
}
let dernier = null, largeurDessinee = 0;
function dessiner() {
  const d = dernier, largeur = $("t-statuts").clientWidth;
  if (!d || !largeur) return;
  largeurDessinee = largeur;
  const hebdo = d.series.length > 120;
  const series = hebdo ? parSemaine(d.series) : d.series;
  const unite = hebdo ? "Relances par semaine" : "Relances par jour";
  $("t-titre-statuts").textContent = unite + ", selon le statut";
  $("t-titre-canaux").textContent = unite + ", selon le canal";
  $("t-statuts").replaceChildren(...histogramme(series, "par_statut", STATUTS, unite + ", selon le statut", largeur, hebdo));
  $("t-canaux").replaceChildren(...histogramme(series, "par_type", TYPES, unite + ", selon le canal", largeur, hebdo));
  $("t-motifs").replaceChildren(...motifsEchec(d.motifs_echec, $("t-motifs").clientWidth));
  $("t-sms").replaceChildren(...smsParMois(d.sms_par_mois));
}
// A phone turned, a window resized: drawn again at the new width.
let minuteurTaille = null;
window.addEventListener("resize", () => {
  clearTimeout(minuteurTaille);
  minuteurTaille = setTimeout(() => { if (main.dataset.vue === "tableau" && $("t-statuts").clientWidth !== largeurDessinee) dessiner(); }, 150);
});

// MARK: export

// The list's filters as they are on screen, the same names as the list's request.
function filtresAffiches() {
  const q = new URLSearchParams();
  for (const [id, nom] of [["f-type", "type_relance"], ["f-statut", "statut"], ["f-debut", "date_debut"], ["f-fin", "date_fin"], ["f-recherche", "recherche"]]) {
    const champ = $(id);
    if (champ && champ.value.trim()) q.set(nom, champ.value.trim());
  }
  return q;
}
const boutonExport = el("button", { id: "b-exporter", type: "button" }, "Exporter (CSV)");
const apres = $("b-filtrer");
if (apres) apres.after(boutonExport); else document.querySelector(".barre")?.append(boutonExport);
boutonExport.addEventListener("click", async () => {
  boutonExport.disabled = true;
  try {
    const nom = await telecharger("/api/relances/export.csv?" + filtresAffiches(), "relances.csv");
    message(`Export téléchargé : ${nom} (les filtres affichés sont appliqués).`);
  } catch (e) { message(e.message, "erreur"); }
  finally { boutonExport.disabled = false; }
});

// MARK: taxpayers and their contact details

contribuables.append(
  el("h2", { id: "contribuables-titre" }, "Contribuables"),
  el("label", { class: "champ" }, "Rechercher par nom ou téléphone (accents et espaces sans importance)",
    el("input", { id: "c-recherche", type: "search", autocomplete: "off", placeholder: "ex. Nzé ou 077 12 34 56" })),
  el("table", { id: "c-resultats", class: "resultats-contribuables" },
    el("thead", null, el("tr", null, ...["Contribuable", "Téléphone", "E-mail", "Adresse", "Réf.", ""].map(t => el("th", { scope: "col" }, t)))),
    el("tbody", { id: "c-lignes" }, el("tr", null, el("td", { colspan: 6, class: "petit-texte" }, "Tapez au moins deux lettres ou chiffres.")))));

let minuteur = null;
async function rechercherContribuables() {
  const terme = $("c-recherche").value.trim();
  if (terme.length < 2) return;
  try {
    const liste = await api(`/api/contribuables/?search=${encodeURIComponent(terme)}&limit=50`);
    const lignes = liste.map(c => el("tr", { "data-id": identifiant(c.id) },
      el("td", null, el("bdi", { class: "nom" }, nomDe(c)), c.actif === false ? el("div", { class: "petit-texte" }, "inactif") : null),
      el("td", { "data-libelle": "Téléphone" }, c.telephone ? donnee(c.telephone) : el("span", { class: "petit-texte" }, "aucun téléphone")),
      el("td", { "data-libelle": "E-mail" }, c.email ? donnee(c.email) : el("span", { class: "petit-texte" }, "–")),
      el("td", { "data-libelle": "Adresse" }, c.adresse ? donnee(c.adresse) : el("span", { class: "petit-texte" }, "–")),
      el("td", { "data-libelle": "Réf." }, "n° " + identifiant(c.id)),
      el("td", null, el("button", { type: "button", class: "petit", "data-modifier-contact": identifiant(c.id) }, "Modifier le contact"))));
    $("c-lignes").replaceChildren(...(lignes.length ? lignes : [el("tr", null, el("td", { colspan: 6, class: "petit-texte" }, "Aucun contribuable trouvé."))]));
  } catch (e) { message(e.message, "erreur"); }
}
$("c-recherche").addEventListener("input", () => { clearTimeout(minuteur); minuteur = setTimeout(rechercherContribuables, 250); });

const dialogue = el("dialog", { id: "d-contact", "aria-labelledby": "contact-titre" },
  el("form", { id: "form-contact", novalidate: true },
    el("h2", { id: "contact-titre" }, "Modifier le contact"),
    el("p", { id: "contact-qui", class: "petit-texte" }),
    el("label", { class: "champ" }, "Téléphone", el("input", { id: "contact-telephone", type: "tel", autocomplete: "off", placeholder: "ex. 077 12 34 56" })),
    el("label", { class: "champ" }, "E-mail", el("input", { id: "contact-email", type: "text", inputmode: "email", autocomplete: "off" })),
    el("label", { class: "champ" }, "Adresse (quartier)", el("textarea", { id: "contact-adresse", rows: 2 })),
    el("p", { id: "contact-erreur", role: "alert", class: "erreur-champ" }),
    el("div", { id: "contact-echecs" }),
    el("div", { class: "ligne" }, el("span", { class: "espace" }), el("button", { id: "contact-fermer", type: "button" }, "Fermer"),
      el("button", { id: "contact-enregistrer", class: "principal", type: "submit" }, "Enregistrer"))));
document.body.append(dialogue);
let enCours = null;
const CHAMPS = ["telephone", "email", "adresse"];
// The server names the field it refuses as the request did (« telephone : … »); the form's label says it better.
const LIBELLES_CHAMPS = { telephone: "Téléphone", email: "E-mail", adresse: "Adresse" };
function champLisible(t) { return String(t).replace(/^(telephone|email|adresse) :/, (_, k) => LIBELLES_CHAMPS[k] + " :"); }

// Read afresh from the server (another agent may have changed it): the form starts
// from what is stored, and only what the operator changes is sent.
async function ouvrirContact(id) {
  try {
    const c = await api(`/api/contribuables/${identifiant(id)}`);
    enCours = c;
    $("contact-qui").textContent = nomDe(c) + " — réf. n° " + identifiant(c.id);
    for (const k of CHAMPS) $("contact-" + k).value = c[k] || "";
    $("contact-erreur").textContent = "";
    $("contact-echecs").replaceChildren();
    dialogue.showModal();
    $("contact-telephone").focus();
  } catch (e) { message(e.message, "erreur"); }
}
$("contact-fermer").addEventListener("click", () => dialogue.close());
// Any element with `data-modifier-contact` (a row of the list, the detail) opens the form.
document.addEventListener("click", ev => {
  const cible = ev.target.closest && ev.target.closest("[data-modifier-contact]");
  if (cible) { ev.preventDefault(); ouvrirContact(cible.getAttribute("data-modifier-contact")); }
});

$("form-contact").addEventListener("submit", async ev => {
  ev.preventDefault();
  const corps = {};
  for (const k of CHAMPS) { const v = $("contact-" + k).value.trim(); if (v !== (enCours[k] || "")) corps[k] = v; }
  $("contact-erreur").textContent = "";
  if (!Object.keys(corps).length) { $("contact-erreur").textContent = "Rien n'a changé."; return; }
  try {
    const c = await api(`/api/contribuables/${identifiant(enCours.id)}`, { method: "PUT", body: JSON.stringify(corps) });
    enCours = c;
    $("contact-qui").textContent = nomDe(c) + " — contact enregistré.";
    message(`Contact de ${nomDe(c)} enregistré.`);
    if ($("c-recherche").value.trim().length >= 2) rechercherContribuables();
    await proposerRenvoi(c);
  } catch (e) { $("contact-erreur").textContent = champLisible(e.message); }
});

// « Corriger le téléphone, puis renvoyer »: the taxpayer's failed relances, sent again on demand.
async function proposerRenvoi(c) {
  const r = await api(`/api/relances?contribuable_id=${identifiant(c.id)}&statut=echec&limit=50`);
  if (!r.items.length) { $("contact-echecs").replaceChildren(el("p", { class: "petit-texte" }, "Aucune relance en échec pour ce contribuable.")); return; }
  const bouton = el("button", { type: "button", id: "contact-renvoyer", class: "principal" }, `Renvoyer ${r.items.length} relance(s) en échec`);
  bouton.addEventListener("click", async () => {
    if (!confirm(`Renvoyer maintenant ${r.items.length} relance(s) en échec de ${nomDe(c)} avec le nouveau contact ?`)) return;
    bouton.disabled = true;
    let envoyees = 0, echecs = 0;
    for (const x of r.items) {
      try { const y = await api(`/api/relances/${identifiant(x.id)}/envoyer`, { method: "PATCH" }); if (y.statut === "envoyee") envoyees++; else echecs++; }
      catch (e) { echecs++; }
    }
    $("contact-echecs").replaceChildren(el("p", { role: "status" }, `${envoyees} renvoyée(s), ${echecs} encore en échec.`));
  });
  $("contact-echecs").replaceChildren(el("p", null, `${r.items.length} relance(s) de ce contribuable sont en échec.`), bouton);
}

afficherVue();
})();
"""#

    /// The dashboard's and contact form's styles, served as `/tableau.css`.
    static let dashboardStyle = #"""
nav.vues { display:flex; gap:4px; padding:0 24px; background:#173b6b; flex-wrap:wrap; }
nav.vues a { color:#dbe6f5; text-decoration:none; padding:10px 14px; border-bottom:3px solid transparent; }
nav.vues a[aria-current="page"] { color:white; border-bottom-color:white; font-weight:600; }
main > .vue { display:none; }
main[data-vue="tableau"] > :not(#tableau):not(#message), main[data-vue="contribuables"] > :not(#contribuables):not(#message) { display:none; }
main[data-vue="tableau"] > #tableau, main[data-vue="contribuables"] > #contribuables { display:block; }
.vue { background:white; border:1px solid var(--bord, #e3e7ee); border-radius:10px; padding:14px 16px; }
.vue h2 { margin:0 0 8px; font-size:18px; } .vue h3 { font-size:15px; margin:18px 0 8px; }
.entete-vue { display:flex; flex-wrap:wrap; gap:12px; align-items:end; justify-content:space-between; }
.entete-vue label, label.champ { font-size:12px; color:#6b7280; display:flex; flex-direction:column; gap:4px; }
figure.graphique { margin:12px 0; } figure.graphique figcaption { font-weight:600; margin-bottom:6px; }
svg.histogramme, svg.barres-motifs { width:100%; height:auto; display:block; }
svg text { font-size:12px; fill:#1f2937; } svg text.axe { fill:#6b7280; font-size:11px; } svg text.total { font-size:10px; }
ul.legende { list-style:none; display:flex; flex-wrap:wrap; gap:6px 16px; padding:0; margin:6px 0; font-size:13px; }
ul.legende li { display:flex; align-items:center; gap:4px; } ul.legende svg { border:1px solid #9ca3af; }
details.chiffres { margin-top:6px; font-size:13px; } details.chiffres table { margin-top:6px; }
.vue table { width:100%; border-collapse:collapse; } .vue td, .vue th { overflow-wrap:anywhere; }
.resultats-contribuables { margin-top:10px; }
#d-contact { width:min(520px, 95vw); max-height:95vh; }
.erreur-champ { color:#991b1b; margin:0; min-height:1em; font-size:14px; }
@media (max-width: 600px) {
  nav.vues { padding:0 8px; gap:0; flex-wrap:nowrap; }
  .vue { padding:12px 10px; }
  .vue table thead { display:none; } .vue table tr { display:block; border-bottom:1px solid #e3e7ee; padding:6px 0; }
  .vue table td, .vue table th[scope="row"] { display:block; border:0; padding:2px 8px; }
  nav.vues a { padding:10px 7px; font-size:15px; }
}
"""#
}
