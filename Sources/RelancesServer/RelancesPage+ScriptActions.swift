extension RelancesPage {
    /// What an operator does to one relance (send, send again, schedule, mark a call or
    /// a visit done, record the taxpayer's reply, cancel with a reason) and its detail:
    /// its fields, its attempts and ledger entries, and the taxpayer's other relances.
    static let scriptActions = #"""
let enDetail = null;     // the relance the detail shows
let tourDetail = 0;      // a detail's answers that arrive after a newer one's, or after it was closed, are dropped

async function apres(travail, reussi) {
  try { const r = await travail(); message(reussi(r), r && r.statut === "echec" ? "erreur" : "info"); }
  catch (e) { message(e.message, "erreur"); }
  const montree = enDetail && enDetail.id;
  await rafraichir();
  if (montree != null && enDetail && enDetail.id === montree && $("d-detail").open) await detail(montree);
}

async function envoyer(id) {
  if (!confirm("Envoyer cette relance maintenant ?")) return;
  await apres(() => api(`/api/relances/${identifiant(id)}/envoyer`, { method: "PATCH" }),
    r => r.statut === "envoyee" ? "Relance envoyée. " + (r.notes || "") : "Échec de l'envoi : " + (r.notes || ""));
}

async function renvoyer(x) {
  if (!confirm(`Renvoyer cette relance à ${nomDe(x.contribuable)} ?\n\nElle a déjà été envoyée le ${dateHeure(x.date_envoi)} : le contribuable la recevra une seconde fois.`)) return;
  await apres(() => api(`/api/relances/${identifiant(x.id)}/envoyer`, { method: "PATCH", body: JSON.stringify({ renvoyer: true }) }),
    r => r.statut === "envoyee" ? "Relance renvoyée. " + (r.notes || "") : "Échec du renvoi : " + (r.notes || ""));
}

async function programmer(x) {
  const demain = new Date(Date.now() + 86400000); demain.setHours(8, 0, 0, 0);
  const r = await demander({ titre: "Programmer l'envoi", valider: "Programmer",
    texte: "La relance partira automatiquement à cette date et cette heure.",
    date: { libelle: "Date et heure d'envoi", requis: true, valeur: localDepuisDate(demain) } });
  if (!r) return;
  const iso = isoDepuisLocal(r.date);
  await apres(() => api(`/api/relances/${identifiant(x.id)}/programmer`, { method: "PATCH", body: JSON.stringify({ date_planifiee: iso }) }),
    () => "Relance programmée pour le " + dateHeure(iso) + ".");
}

async function marquerEffectuee(x) {
  const quoi = x.type_relance === "visite" ? "la visite" : "l'appel";
  const r = await demander({ titre: "Marquer effectuée", valider: "Marquer effectuée",
    texte: ["Dites comment s'est passé" + (x.type_relance === "visite" ? "e " : " ") + quoi + " auprès de ", donnee(nomDe(x.contribuable)), "."],
    note: { libelle: "Compte rendu", requis: true, manque: "Écrivez un compte rendu, par exemple « Appel passé, promet de payer lundi »." } });
  if (!r) return;
  await apres(() => api(`/api/relances/${identifiant(x.id)}/effectuee`, { method: "PATCH", body: JSON.stringify({ notes: r.note }) }),
    () => (x.type_relance === "visite" ? "Visite" : "Appel") + " marqué" + (x.type_relance === "visite" ? "e" : "") + " effectué" + (x.type_relance === "visite" ? "e." : "."));
}

// The taxpayer answered (paid, called back, came in): counted in « Taux de réponse ».
async function reponseRecue(x) {
  const aujourdhui = localDepuisDate(new Date()).slice(0, 10);
  const r = await demander({ titre: "Réponse du contribuable", valider: "Enregistrer la réponse",
    texte: ["Le contribuable ", donnee(nomDe(x.contribuable)), " a répondu à cette relance."],
    date: { libelle: "Date de la réponse", type: "date", requis: true, valeur: aujourdhui },
    note: { libelle: "Ce qu'il a répondu (facultatif)" } });
  if (!r) return;
  const corps = { reponse_recue: true, date_reponse: r.date };
  if (r.note) corps.notes = (x.notes ? x.notes + "\n" : "") + "Réponse : " + r.note;
  await apres(() => api(`/api/relances/${identifiant(x.id)}`, { method: "PUT", body: JSON.stringify(corps) }),
    () => "Réponse enregistrée.");
}

async function annuler(x) {
  const r = await demander({ titre: "Annuler la relance", valider: "Annuler la relance",
    texte: "Elle ne partira pas. La raison reste dans ses notes.",
    note: { libelle: "Raison de l'annulation", requis: true, manque: "Indiquez la raison de l'annulation, par exemple « A payé au guichet »." } });
  if (!r) return;
  await apres(() => api(`/api/relances/${identifiant(x.id)}`, { method: "PUT", body: JSON.stringify({ statut: "annulee", notes: r.note }) }),
    () => "Relance annulée.");
}

// What can be done to a relance in its state, as its detail offers it.
function actionsPossibles(x) {
  const a = [];
  const envoyable = ENVOYABLES.includes(x.type_relance);
  if (enCours(x) && envoyable) a.push(["envoyer", "Envoyer"], ["programmer", "Programmer"]);
  if (enCours(x) && !envoyable) a.push(["effectuee", "Marquer effectuée"]);
  if (x.statut === "envoyee" && envoyable) a.push(["renvoyer", "Renvoyer"]);
  if (x.statut === "envoyee" && !x.reponse_recue) a.push(["reponse", "Réponse reçue"]);
  if (enCours(x)) a.push(["annuler", "Annuler la relance"]);
  return a;
}
function agir(quoi, x) {
  if (quoi === "envoyer") return envoyer(x.id);
  if (quoi === "renvoyer") return renvoyer(x);
  if (quoi === "programmer") return programmer(x);
  if (quoi === "effectuee") return marquerEffectuee(x);
  if (quoi === "reponse") return reponseRecue(x);
  if (quoi === "annuler") return annuler(x);
}

const RESULTATS = { remis: "Confié au service d'envoi, résultat pas encore connu", failed: "Échec" };
// The channels' error codes, as an operator would say them (the detail line keeps the provider's words).
const RAISONS = { invalid_recipient: "numéro ou adresse invalide", refused: "refusé par le service d'envoi", unexpected_answer: "réponse incompréhensible du service",
  authentication: "identifiants du service refusés", endpoint_not_found: "adresse du service introuvable", timeout: "pas de réponse à temps",
  connection: "service injoignable", provider_unavailable: "service indisponible", rejected: "rejeté par le service", storage: "écriture impossible",
  cancelled: "interrompu" };
function raison(code) { return RAISONS[code] || String(code); }
function resultat(texte, canal) {
  const t = String(texte || "");
  if (t === "sent") return canal === "manuel" ? "Effectuée" : "Remis au service d'envoi";
  if (t.startsWith("failed")) return "Échec" + (t.includes(":") ? " (" + raison(t.slice(t.indexOf(":") + 1)) + ")" : "");
  return RESULTATS[t] || t;
}
function canalLisible(c) { return c === "manuel" ? "à la main" : String(c || ""); }

function afficherJournal(j) {
  const blocs = [];
  if (!j.tentatives.length && !j.registre.length) blocs.push(el("p", null, "Aucun envoi pour l'instant."));
  if (j.tentatives.length) blocs.push(el("h4", null, "Tentatives"), el("ol", { class: "journal", id: "detail-tentatives" }, ...j.tentatives.map(t =>
    el("li", null, el("strong", null, resultat(t.resultat, t.canal)), " — ", dateHeure(t.fin), " · ", canalLisible(t.canal),
      t.fournisseur_id ? el("span", null, " · réf. ", donnee(t.fournisseur_id)) : null,
      t.code_erreur ? el("span", null, " · ", donnee(raison(t.code_erreur))) : null,
      t.detail ? el("div", { class: "petit-texte" }, donnee(t.detail)) : null))));
  if (j.registre.length) blocs.push(el("h4", null, "Registre des envois (preuve)"), el("ol", { class: "journal", id: "detail-registre" }, ...j.registre.map(e =>
    el("li", null, "n° " + e.seq + " — " + dateHeure(e.date) + " · " + canalLisible(e.canal) + " · à ", donnee(e.destinataire), " · ",
      resultat(e.resultat, e.canal), e.fournisseur_id ? el("span", null, " · réf. ", donnee(e.fournisseur_id)) : null,
      el("div", { class: "petit-texte empreinte" }, "empreinte " + String(e.hash).slice(0, 16) + "…")))));
  $("detail-journal").replaceChildren(...blocs);
}

function afficherHistorique(liste, id) {
  if (!liste.length) { $("detail-historique").replaceChildren("Aucune autre relance."); return; }
  $("detail-historique").replaceChildren(el("ul", { class: "journal", id: "detail-historique-liste" }, ...liste.map(x => {
    const statut = Object.prototype.hasOwnProperty.call(LIBELLES, x.statut) ? x.statut : "inconnu";
    return el("li", { "data-id": identifiant(x.id) }, jour(x.date_planifiee) + " · " + (CANAUX[x.type_relance] || x.type_relance) + " · " + montant(x.montant_due) + " · ",
      el("span", { class: "pilule " + statut }, libelleStatut(x) || donnee(x.statut)),
      x.reponse_recue ? " · réponse reçue" : null,
      x.id === id ? el("span", { class: "petit-texte" }, " (cette relance)")
        : el("button", { type: "button", class: "petit lien", "data-ouvrir": identifiant(x.id) }, "Voir"));
  })));
}

// A printed letter's file and page, from the note the letters channel wrote
// (« Lettre prête à imprimer : courriers-….pdf, page N »); null for anything else.
function lettreDe(x) {
  if (x.type_relance !== "courrier" || x.statut !== "envoyee") return null;
  const m = /Lettre prête à imprimer : (courriers-[A-Za-z0-9._-]+\.pdf), page (\d+)/.exec(x.notes || "");
  return m ? { fichier: m[1], page: m[2] } : null;
}

// The letters' PDF of the run, saved under its name.
async function telechargerLettre(bouton) {
  bouton.disabled = true;
  try {
    const fichier = await telecharger("/api/courriers/" + encodeURIComponent(bouton.dataset.lettre), bouton.dataset.lettre);
    message(`Lettres téléchargées : ${fichier} (celle-ci est en page ${bouton.dataset.page}).`);
  } catch (e) { message(e.message, "erreur"); }
  finally { bouton.disabled = false; }
}

async function detail(id) {
  const moi = ++tourDetail, etaitOuvert = $("d-detail").open;
  const actuel = () => moi === tourDetail && !(etaitOuvert && !$("d-detail").open);
  try {
    const x = await api(`/api/relances/${identifiant(id)}`);
    if (!actuel()) return;
    enDetail = x;
    const c = x.contribuable || {};
    const champs = [
      ["Contribuable", nomDe(c)], ["Téléphone", c.telephone], ["E-mail", c.email],
      ["Type", CANAUX[x.type_relance] || x.type_relance], ["Canal", x.canal_envoi],
      ["Montant dû", montant(x.montant_due)], ["Échéance", jour(x.date_echeance)],
      ["Statut", libelleStatut(x) || x.statut], ["Planification", planification(x)],
      ["Envoyée le", x.date_envoi ? dateHeure(x.date_envoi) : null],
      ["Réponse", x.reponse_recue ? "Reçue" + (x.date_reponse ? " le " + jour(x.date_reponse) : "") : null],
      ["Message", x.message], ["Notes", x.notes],
      ["Créée le", dateHeure(x.created_at)], ["Modifiée le", dateHeure(x.updated_at)],
      ["Dernière action par", acteur(x)],
    ];
    $("detail-champs").replaceChildren(...champs.filter(([, v]) => v != null && v !== "")
      .flatMap(([libelle, v]) => [el("dt", null, libelle), el("dd", null, v instanceof Node ? v : donnee(v))]));
    const lettre = lettreDe(x);
    $("detail-actions").replaceChildren(...actionsPossibles(x).map(([quoi, libelle]) =>
      el("button", { type: "button", class: quoi === "annuler" ? "danger" : null, "data-action": quoi }, libelle)),
      ...(lettre ? [el("button", { type: "button", "data-lettre": lettre.fichier, "data-page": lettre.page }, `Télécharger la lettre (PDF, page ${lettre.page})`)] : []),
      el("button", { type: "button", "data-modifier-contact": identifiant(x.contribuable_id) }, "Modifier le contact"));
    $("detail-journal").replaceChildren("Chargement…");
    $("detail-historique").replaceChildren("Chargement…");
    if (!$("d-detail").open) $("d-detail").showModal();
    const siActuel = f => r => { if (actuel()) f(r); };
    await Promise.all([
      api(`/api/relances/${identifiant(x.id)}/journal`).then(siActuel(afficherJournal), siActuel(e => $("detail-journal").replaceChildren(e.message))),
      api(`/api/relances/contribuable/${identifiant(x.contribuable_id)}/historique?limit=20`).then(siActuel(l => afficherHistorique(l, x.id)),
        siActuel(e => $("detail-historique").replaceChildren(e.message))),
    ]);
  } catch (e) { if (actuel()) message(e.message, "erreur"); }
}
"""#

    /// Wires the buttons and fields, then loads the statistics and the list.
    static let scriptStart = #"""
$("form-filtres").addEventListener("submit", ev => { ev.preventDefault(); page = 0; rafraichir(); });
$("f-recherche").addEventListener("input", () => { clearTimeout(minuteurFiltre); minuteurFiltre = setTimeout(() => { page = 0; rafraichir(); }, 400); });
$("b-reinitialiser").addEventListener("click", reinitialiser);
$("b-prec").addEventListener("click", () => { if (page > 0) { page--; chargerListe().catch(e => message(e.message, "erreur")); } });
$("b-suiv").addEventListener("click", () => { page++; chargerListe().catch(e => message(e.message, "erreur")); });
$("b-generer").addEventListener("click", ouvrirGeneration);
$("form-generer").addEventListener("submit", genererAutomatique);
$("g-annuler").addEventListener("click", () => $("d-generer").close());
for (const id of ["g-jours", "g-limite"]) $(id).addEventListener("input", () => $(id).setCustomValidity(""));
$("lignes").addEventListener("click", ev => {
  const bouton = ev.target.closest("button");
  if (!bouton) return;
  const x = affichees.get(bouton.dataset.effectuee || bouton.dataset.reponse || "");
  if (bouton.dataset.envoyer) envoyer(bouton.dataset.envoyer);
  else if (bouton.dataset.detail) detail(bouton.dataset.detail);
  else if (bouton.dataset.effectuee && x) marquerEffectuee(x);
  else if (bouton.dataset.reponse && x) reponseRecue(x);
});
$("detail-actions").addEventListener("click", ev => {
  const b = ev.target.closest("button[data-action]");
  if (b && enDetail) agir(b.dataset.action, enDetail);
  const l = ev.target.closest("button[data-lettre]");
  if (l) telechargerLettre(l);
});
$("detail-historique").addEventListener("click", ev => {
  const b = ev.target.closest("button[data-ouvrir]");
  if (b) detail(b.dataset.ouvrir);
});
$("a-annuler").addEventListener("click", () => $("d-action").close());
for (const id of ["a-note", "a-date"]) $(id).addEventListener("input", () => { $("a-erreur").textContent = ""; });
brancherManuelle();

rafraichir();
"""#
}
