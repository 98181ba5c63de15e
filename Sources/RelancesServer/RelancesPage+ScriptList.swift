extension RelancesPage {
    /// The statistics cards, the filters (with the search by name or phone and
    /// « Réinitialiser »), the table and its pages, and automatic generation.
    static let scriptList = #"""
let page = 0, total = 0, tour = 0, minuteurFiltre = null;
const affichees = new Map();   // id → the relance as its row shows it

function filtres() {
  const q = new URLSearchParams();
  if ($("f-recherche").value.trim()) q.set("recherche", $("f-recherche").value.trim());
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
function enCours(x) { return x.statut === "en_attente" || x.statut === "echec"; }

// The one thing a row offers beside « Détail »: what the relance waits for. The other
// actions (programmer, renvoyer, annuler) are in its detail.
function actionPrincipale(x) {
  const id = identifiant(x.id);
  if (enCours(x) && ENVOYABLES.includes(x.type_relance)) return el("button", { class: "petit", type: "button", "data-envoyer": id }, "Envoyer");
  if (enCours(x)) return el("button", { class: "petit", type: "button", "data-effectuee": id }, "Marquer effectuée");
  if (x.statut === "envoyee" && !x.reponse_recue) return el("button", { class: "petit", type: "button", "data-reponse": id }, "Réponse reçue");
  return null;
}

function ligne(x) {
  const c = x.contribuable || {};
  const statut = Object.prototype.hasOwnProperty.call(LIBELLES, x.statut) ? x.statut : "inconnu";
  const qui = acteur(x);
  return el("tr", { "data-id": identifiant(x.id), "data-statut": statut, title: qui ? "Dernière action : " + qui : null },
    el("td", { "data-libelle": "Contribuable" }, el("div", { class: "qui" }, el("div", { class: "initiale", "aria-hidden": "true" }, donnee((c.nom || "?").charAt(0))),
      el("div", null, el("bdi", { class: "nom" }, nomDe(c)), el("div", { class: "petit-texte" }, donnee(c.telephone))))),
    el("td", { "data-libelle": "Canal" }, CANAUX[x.type_relance] || donnee(x.type_relance), el("div", { class: "petit-texte" }, donnee(x.canal_envoi))),
    el("td", { "data-libelle": "Montant dû" }, montant(x.montant_due), el("div", { class: "petit-texte" }, "échéance " + jour(x.date_echeance))),
    el("td", { "data-libelle": "Planifiée" }, planification(x)),
    el("td", { "data-libelle": "Statut" }, el("span", { class: "pilule " + statut }, libelleStatut(x) || donnee(x.statut)),
      x.reponse_recue ? el("div", { class: "pilule reponse" }, "Réponse reçue" + (x.date_reponse ? " le " + jour(x.date_reponse) : "")) : null,
      (x.statut === "echec" || x.statut === "annulee") && x.notes ? el("div", { class: "note-echec" }, donnee(x.notes)) : null),
    el("td", { class: "actions", "data-libelle": "Actions" }, el("button", { class: "petit", type: "button", "data-detail": identifiant(x.id) }, "Détail"),
      actionPrincipale(x)));
}

async function chargerListe() {
  const moi = ++tour;   // an answer that arrives after a newer request's is dropped
  $("relances").setAttribute("aria-busy", "true");
  try {
    const q = filtres();
    q.set("skip", page * PAR_PAGE); q.set("limit", PAR_PAGE);
    const r = await api("/api/relances?" + q);
    if (moi !== tour) return;
    total = r.total;
    affichees.clear();
    for (const x of r.items) affichees.set(String(x.id), x);
    const lignes = r.items.map(ligne);
    const vide = filtres().toString() ? "Aucune relance ne correspond à ces filtres." : "Aucune relance.";
    $("lignes").replaceChildren(...(lignes.length ? lignes : [el("tr", null, el("td", { colspan: 6, class: "petit-texte" }, vide))]));
    const fin = Math.min(total, (page + 1) * PAR_PAGE);
    $("page-info").textContent = total ? `${page * PAR_PAGE + 1}–${fin} sur ${total}` : "";
    $("b-prec").disabled = page === 0;
    $("b-suiv").disabled = fin >= total;
  } catch (e) {
    if (moi === tour) $("lignes").replaceChildren(el("tr", null, el("td", { colspan: 6, class: "petit-texte" }, e.message)));
    throw e;
  } finally { if (moi === tour) $("relances").setAttribute("aria-busy", "false"); }
}

async function rafraichir() {
  const resultats = await Promise.allSettled([chargerStatistiques(), chargerListe()]);
  const echec = resultats.find(r => r.status === "rejected");
  if (echec) message(echec.reason.message, "erreur");
  else if ($("message").textContent === SERVEUR_MUET) effacerMessage();   // the server is back
}

function reinitialiser() {
  for (const id of ["f-recherche", "f-type", "f-statut", "f-debut", "f-fin"]) $(id).value = "";
  page = 0;
  rafraichir();
}

// The first confirmation says what the run would do: the server's pre-flight, which
// writes and sends nothing. Dialog text is plain text: data in it cannot run.
function resumePreflight(p) {
  const lignes = [`${p.relances_a_creer} relance(s) ${CANAUX[p.type_relance] || p.type_relance} seraient créées` + (p.canal ? "." : ", sans service d'envoi pour ce type : elles resteraient en attente.")];
  if (p.destinataires_invalides) lignes.push(`${p.destinataires_invalides} seraient refusée(s) à l'envoi (numéro ou adresse invalide).`);
  if (p.sans_adresse) lignes.push(`${p.sans_adresse} dette(s) en retard sans adresse pour ce type : aucune relance.`);
  if (p.sms) lignes.push(`En tout ${p.sms.segments} SMS facturé(s)` + (p.sms.ucs2 ? `, dont ${p.sms.ucs2} message(s) avec des caractères spéciaux (70 caractères par SMS)` : "")
    + (p.sms.budget ? `, ${p.sms.hors_budget} message(s) de plus de ${p.sms.budget} SMS` : "") + ".");
  if (p.cout_estime != null) lignes.push(`Coût estimé : ${Number(p.cout_estime).toFixed(2)} FCFA.`);
  if (p.exemples && p.exemples.length) lignes.push("", "Premier message :", String(p.exemples[0].message));
  return lignes.join("\n");
}

// The generation dialog asks for the type, the days late and how many; then the two
// questions (the pre-flight summary, then « envoyer maintenant ? ») as before.
function ouvrirGeneration() {
  $("g-type").value = ENVOYABLES.includes($("f-type").value) ? $("f-type").value : "sms";
  $("d-generer").showModal();
}
function entier(champ, min, max) {
  const n = Number($(champ).value);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

async function genererAutomatique(ev) {
  ev.preventDefault();
  const jours = entier("g-jours", 0, 36500), limite = entier("g-limite", 1, 500);
  if (jours == null) { $("g-jours").setCustomValidity("Un nombre de jours entre 0 et 36 500."); $("g-jours").reportValidity(); return; }
  if (limite == null) { $("g-limite").setCustomValidity("Un nombre entre 1 et 500."); $("g-limite").reportValidity(); return; }
  $("d-generer").close();
  // A debt not yet due is reminded only when the operator ticks it.
  const parametres = { jours_retard_min: jours, type_relance: $("g-type").value, limite, inclure_echeances_a_venir: $("g-a-venir").checked };
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
"""#
}
