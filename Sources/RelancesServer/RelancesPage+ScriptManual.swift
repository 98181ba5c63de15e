extension RelancesPage {
    /// The manual relances' dialog: a taxpayer search pickable with the keyboard (a
    /// combobox and its listbox), per taxpayer a phone, an amount and a message, removing
    /// one, the planned date, internal notes, an SMS counter, and a summary before creating.
    static let scriptManual = #"""
const choisis = new Map();   // id → { c: the taxpayer, telephone, montant, message } chosen in the manual dialog
let trouves = new Map();     // id → the taxpayer, from the last search
let actif = -1, minuteur = null;

function options() { return [...$("m-resultats").querySelectorAll("[role=option]")]; }
function activer(i) {
  const liste = options();
  actif = liste.length ? (i + liste.length) % liste.length : -1;
  liste.forEach((o, j) => o.classList.toggle("actif", j === actif));
  if (actif >= 0) { $("m-recherche").setAttribute("aria-activedescendant", liste[actif].id); liste[actif].scrollIntoView({ block: "nearest" }); }
  else $("m-recherche").removeAttribute("aria-activedescendant");
}

// Namesakes told apart: phone, e-mail and address beside the name; no phone said so.
function option(c) {
  const id = identifiant(c.id);
  const details = [c.telephone ? donnee(c.telephone) : "sans téléphone", c.email ? donnee(c.email) : null, c.adresse ? donnee(c.adresse) : null]
    .filter(Boolean).flatMap((d, i) => i ? [" · ", d] : [d]);
  return el("div", { role: "option", id: "m-option-" + id, "data-id": id, tabindex: "-1", "aria-selected": choisis.has(String(id)) ? "true" : "false" },
    el("bdi", { class: "nom" }, nomDe(c)), " ", el("span", { class: "petit-texte" }, ...details));
}

async function rechercher() {
  const terme = $("m-recherche").value.trim();
  if (terme.length < 2) { $("m-resultats").replaceChildren(); $("m-recherche").setAttribute("aria-expanded", "false"); activer(-1); return; }
  $("m-resultats").setAttribute("aria-busy", "true");
  try {
    const liste = await api(`/api/contribuables/?search=${encodeURIComponent(terme)}&limit=20&actif=true`);
    if ($("m-recherche").value.trim() !== terme) return;   // typed on since: a newer search answers
    trouves = new Map(liste.map(c => [String(identifiant(c.id)), c]));
    const lignes = liste.map(option);
    $("m-resultats").replaceChildren(...(lignes.length ? lignes : [el("div", { class: "petit-texte" }, "Aucun contribuable trouvé.")]));
    $("m-recherche").setAttribute("aria-expanded", lignes.length ? "true" : "false");
    activer(lignes.length ? 0 : -1);
  } catch (e) { $("m-resultats").replaceChildren(el("div", { class: "petit-texte", role: "alert" }, e.message)); }
  finally { $("m-resultats").setAttribute("aria-busy", "false"); }
}

function choisir(id) {
  if (!trouves.has(id)) return;
  if (!choisis.has(id)) choisis.set(id, { c: trouves.get(id), telephone: "", montant: "", message: "" });
  const o = $("m-option-" + id);
  if (o) o.setAttribute("aria-selected", "true");
  afficherChoisis();
}

function retirer(id) {
  choisis.delete(id);
  const o = $("m-option-" + id);
  if (o) o.setAttribute("aria-selected", "false");
  afficherChoisis();
  $("m-recherche").focus();
}

function champ(libelle, controle) { return el("label", { class: controle.dataset.champ === "telephone" ? "champ-telephone" : null }, libelle, controle); }

// Each chosen taxpayer with what can differ for them: a phone for this relance (SMS and
// calls), an amount, a message; and « Retirer ».
function afficherChoisis() {
  const type = $("m-type").value, parTelephone = type === "sms" || type === "appel";
  $("m-nombre").textContent = choisis.size ? `(${choisis.size})` : "";
  $("m-choisis").replaceChildren(...[...choisis].map(([id, x]) => {
    const nom = nomDe(x.c);
    const tel = el("input", { "data-champ": "telephone", "data-id": id, inputmode: "tel", autocomplete: "off", placeholder: x.c.telephone || "aucun numéro" });
    tel.value = x.telephone;
    const mont = el("input", { "data-champ": "montant", "data-id": id, inputmode: "decimal", placeholder: $("m-montant").value || "montant" });
    mont.value = x.montant;
    const texte = el("textarea", { "data-champ": "message", "data-id": id, rows: 2, maxlength: 2000, placeholder: "Sinon, le message commun ci-dessous" });
    texte.value = x.message;
    return el("li", { class: "choisi", "data-id": id },
      el("div", { class: "entete-choisi" }, el("bdi", { class: "nom" }, nom), " ",
        el("span", { class: "petit-texte" }, x.c.telephone ? donnee(x.c.telephone) : "sans téléphone"), el("span", { class: "espace" }),
        el("button", { type: "button", class: "petit", "data-retirer": id, "aria-label": "Retirer " + nom }, "Retirer")),
      el("div", { class: "ligne" }, parTelephone ? champ("Téléphone pour cette relance", tel) : null, champ("Montant dû (FCFA)", mont)),
      champ("Message pour ce contribuable", texte),
      el("div", { class: "compteur petit-texte", "aria-live": "polite" }, x.message ? texteCompteur(x.message, type) : ""));
  }));
}

function ouvrirManuelle() {
  $("m-saisie").hidden = false; $("m-verification").hidden = true; $("m-erreur").textContent = "";
  $("d-manuelle").showModal();
  $("m-recherche").focus();
  compteurCommun();
}
function fermerManuelle() { $("d-manuelle").close(); }
// « Annuler » (or Échap) discards the draft: the next dialog starts empty, nothing half-chosen left to send.
function viderManuelle() {
  choisis.clear(); afficherChoisis();
  for (const id of ["m-recherche", "m-notes", "m-planifiee", "m-montant", "m-echeance"]) $(id).value = "";
  $("m-texte").value = $("m-texte").defaultValue;
  $("m-resultats").replaceChildren(); activer(-1); $("m-erreur").textContent = "";
}
function compteurCommun() { $("m-compteur").textContent = texteCompteur($("m-texte").value, $("m-type").value); }

// What will be created, one taxpayer a line, before anything is sent to the server;
// null (and the reason shown) when something is missing.
function corpsManuel() {
  const erreur = t => { $("m-erreur").textContent = t; return null; };
  if (!choisis.size) return erreur("Choisissez au moins un contribuable.");
  const commun = $("m-montant").value.trim() ? montantSaisi($("m-montant").value) : null;
  if ($("m-montant").value.trim() && !commun) return erreur("Montant dû pour tous : un nombre de FCFA, par exemple 45 000.");
  const corps = { type_relance: $("m-type").value, message: $("m-texte").value, contribuables: [] };
  if (commun) corps.montant_due = commun;
  if ($("m-echeance").value) corps.date_echeance = $("m-echeance").value;
  if ($("m-planifiee").value) {
    const iso = isoDepuisLocal($("m-planifiee").value);
    if (!iso) return erreur("Date d'envoi prévue invalide.");
    if (new Date(iso) < new Date(Date.now() - 60000)) return erreur("La date d'envoi prévue est passée : choisissez une date à venir, ou laissez-la vide.");
    corps.date_planifiee = iso;
  }
  if ($("m-notes").value.trim()) corps.notes = $("m-notes").value.trim();
  for (const [id, x] of choisis) {
    const item = { contribuable_id: identifiant(id) };
    if (x.montant.trim()) {
      item.montant_due = montantSaisi(x.montant);
      if (!item.montant_due) return erreur(`Montant dû de ${nomDe(x.c)} : un nombre de FCFA, par exemple 45 000.`);
    } else if (!commun) return erreur(`Indiquez le montant dû de ${nomDe(x.c)}, ou un montant pour tous.`);
    if (x.telephone.trim() && (corps.type_relance === "sms" || corps.type_relance === "appel")) item.telephone_override = x.telephone.trim();
    if (x.message.trim()) item.message = x.message;
    corps.contribuables.push(item);
  }
  return corps;
}

function verifier() {
  $("m-erreur").textContent = "";
  const corps = corpsManuel();
  if (!corps) return;
  const type = CANAUX[corps.type_relance];
  const n = corps.contribuables.length;
  const lignes = corps.contribuables.map(item => {
    const x = choisis.get(String(item.contribuable_id));
    const texte = item.message || corps.message;
    const parts = [montant(item.montant_due || corps.montant_due)];
    if (item.telephone_override) parts.push("au " + item.telephone_override + " (au lieu du numéro habituel)");
    if (corps.type_relance === "sms" && texte.trim()) parts.push(compterSMS(texte).sms + " SMS");
    if (item.message) parts.push("message personnalisé");
    return el("li", null, el("bdi", { class: "nom" }, nomDe(x.c)), " — ", parts.join(" · "));
  });
  $("m-resume").replaceChildren(...[
    el("p", { id: "m-resume-total" }, `${n} relance${n > 1 ? "s" : ""} ${type} ${n > 1 ? "seront créées" : "sera créée"}.`),
    el("p", null, corps.date_planifiee ? `Envoi automatique le ${dateHeure(corps.date_planifiee)}.`
      : "Pas de date d'envoi : elles attendront qu'on clique « Envoyer »."),
    corps.date_echeance ? el("p", null, "Échéance : " + jour(corps.date_echeance) + ".") : null,
    el("ul", { class: "resume-liste" }, ...lignes),
    el("p", { class: "petit-texte" }, "Message commun : ", corps.message.trim() ? donnee(corps.message) : "le texte habituel de ce type de relance"),
    corps.notes ? el("p", { class: "petit-texte" }, "Notes internes : ", donnee(corps.notes)) : null].filter(Boolean));
  $("m-saisie").hidden = true; $("m-verification").hidden = false;
  $("m-creer").focus();
}

async function creerManuelles() {
  const corps = corpsManuel();
  if (!corps) { $("m-saisie").hidden = false; $("m-verification").hidden = true; return; }
  $("m-creer").disabled = true;
  try {
    const r = await api("/api/relances/manuelles", { method: "POST", body: JSON.stringify(corps) });
    const programmees = r.filter(x => x.programmee).length;
    message(`${r.length} relance(s) manuelle(s) créée(s)` + (programmees ? `, programmée(s) pour le ${dateHeure(corps.date_planifiee)}.` : ", en attente d'envoi."));
    fermerManuelle();
    viderManuelle();
    page = 0;
    await rafraichir();
  } catch (e) {
    $("m-erreur").textContent = e.message;
    $("m-saisie").hidden = false; $("m-verification").hidden = true;
  } finally { $("m-creer").disabled = false; }
}

function brancherManuelle() {
  $("b-manuelle").addEventListener("click", ouvrirManuelle);
  $("m-annuler").addEventListener("click", () => { viderManuelle(); fermerManuelle(); });
  $("d-manuelle").addEventListener("cancel", viderManuelle);
  $("m-verifier").addEventListener("click", verifier);
  $("m-modifier").addEventListener("click", () => { $("m-saisie").hidden = false; $("m-verification").hidden = true; $("m-recherche").focus(); });
  $("m-creer").addEventListener("click", creerManuelles);
  $("form-manuelle").addEventListener("submit", ev => ev.preventDefault());
  $("m-recherche").addEventListener("input", () => { clearTimeout(minuteur); minuteur = setTimeout(rechercher, 250); });
  $("m-recherche").addEventListener("keydown", ev => {
    if (ev.key === "ArrowDown") { ev.preventDefault(); activer(actif + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); activer(actif - 1); }
    else if (ev.key === "Escape" && options().length) {
      // Closes the list, not the dialog (the taxpayers chosen stay).
      ev.preventDefault();
      $("m-resultats").replaceChildren(); $("m-recherche").setAttribute("aria-expanded", "false"); activer(-1);
    }
    else if (ev.key === "Enter") {
      ev.preventDefault();
      const o = options()[actif];
      if (o) choisir(o.dataset.id);
    }
  });
  $("m-resultats").addEventListener("click", ev => {
    const o = ev.target.closest("[role=option]");
    if (o) { activer(options().indexOf(o)); choisir(o.dataset.id); }
  });
  $("m-resultats").addEventListener("keydown", ev => {
    const o = ev.target.closest("[role=option]");
    if (o && (ev.key === "Enter" || ev.key === " ")) { ev.preventDefault(); choisir(o.dataset.id); }
  });
  $("m-choisis").addEventListener("click", ev => {
    const b = ev.target.closest("button[data-retirer]");
    if (b) retirer(b.dataset.retirer);
  });
  $("m-choisis").addEventListener("input", ev => {
    const c = ev.target.dataset.champ, x = choisis.get(ev.target.dataset.id);
    if (!c || !x) return;
    x[c] = ev.target.value;
    if (c === "message") ev.target.closest("li").querySelector(".compteur").textContent = x.message ? texteCompteur(x.message, $("m-type").value) : "";
  });
  $("m-texte").addEventListener("input", compteurCommun);
  $("m-type").addEventListener("change", () => { compteurCommun(); afficherChoisis(); });
  $("m-montant").addEventListener("input", () => { for (const i of $("m-choisis").querySelectorAll("input[data-champ=montant]")) i.placeholder = $("m-montant").value || "montant"; });
}
"""#
}
