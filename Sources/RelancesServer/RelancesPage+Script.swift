extension RelancesPage {
    /// The page's script, served as `/relances.js`: one function, so nothing (functions,
    /// state, the token) is reachable as a global. Data from the API only ever becomes
    /// text nodes or attribute values (`el`, `donnee`); never HTML. Its parts, in order:
    /// the tools and the API calls (here), the list, sending the pending ones, the manual
    /// relances' dialog, the actions on one relance and its detail, the « Aide » panel,
    /// and what the page does at start.
    static let script = "(() => {\n\"use strict\";\n" + scriptCommon + scriptTools + scriptList + scriptPending + scriptManual + scriptActions + scriptAide + scriptStart + "})();\n"

    static let scriptTools = #"""
const PAR_PAGE = 20;
const LIBELLES = { en_attente: "En attente", envoi_en_cours: "Envoi en cours", envoyee: "Envoyée", echec: "Échec", annulee: "Annulée" };
const CANAUX = { sms: "SMS", email: "E-mail", courrier: "Courrier", appel: "Appel", visite: "Visite" };
// What a channel sends; an `appel` or a `visite` is done by a person, then marked done.
const ENVOYABLES = ["sms", "email", "courrier"];
// A status as the page names it: a call or a visit « sent » is one a person did.
function libelleStatut(x) {
  if (x.statut === "envoyee" && !ENVOYABLES.includes(x.type_relance)) return "Effectuée";
  return Object.prototype.hasOwnProperty.call(LIBELLES, x.statut) ? LIBELLES[x.statut] : null;
}

function montant(s) { const n = Number(s); return isNaN(n) ? String(s) : n.toLocaleString("fr-FR", { minimumFractionDigits: 0, maximumFractionDigits: 2 }) + " FCFA"; }
function dateHeure(iso) { if (!iso) return "–"; const d = new Date(iso); return d.toLocaleDateString("fr-FR") + " " + d.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" }); }
function jour(iso) { return iso ? new Date(iso).toLocaleDateString("fr-FR") : "–"; }
function message(t, genre) { const m = $("message"); m.textContent = t; m.className = genre || "info"; m.setAttribute("role", genre === "erreur" ? "alert" : "status"); }
function effacerMessage() { $("message").textContent = ""; $("message").className = ""; }
function identifiant(v) { const n = Number(v); if (!Number.isSafeInteger(n) || n < 0) throw new Error("Identifiant invalide"); return n; }
// An amount as typed (« 45 000 », « 4500,50 »): the API's decimal text, or null.
function montantSaisi(s) {
  const t = String(s || "").replace(/[\s\u00a0\u202f]/g, "").replace(/fcfa$/i, "").replace(",", ".");
  return /^\d+(\.\d{1,2})?$/.test(t) && Number(t) > 0 ? t : null;
}
// A local date and time from an `<input type="datetime-local">` as the API's ISO UTC.
function isoDepuisLocal(v) { const d = new Date(v); return isNaN(d) ? null : d.toISOString().replace(/\.\d{3}Z$/, "Z"); }
function localDepuisDate(d) { const p = n => String(n).padStart(2, "0"); return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`; }

// SMS, as the server counts them (SMSText): 160 characters in one SMS, 153 per part of
// a longer one; a character outside the SMS alphabet (’, «, ê, an emoji…) makes the
// whole message 70, then 67 per part. Told in an operator's words.
const SMS_SIMPLES = new Set([..."@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"]);
const SMS_DOUBLES = new Set([..."^{}\\[~]|€\f"]);
function caracteres(t) {
  return typeof Intl !== "undefined" && Intl.Segmenter ? [...new Intl.Segmenter("fr", { granularity: "grapheme" }).segment(t)].map(s => s.segment) : [...t];
}
function parties(tailles, seul, multi) {
  const somme = tailles.reduce((a, b) => a + b, 0);
  if (somme <= seul) return 1;
  let n = 1, pris = 0;
  for (const t of tailles) { if (pris + t > multi) { n++; pris = 0; } pris += t; }
  return n;
}
function compterSMS(texte) {
  const morceaux = caracteres(texte), tailles = [], speciaux = [];
  for (const c of morceaux) {
    if (SMS_SIMPLES.has(c)) tailles.push(1);
    else if (SMS_DOUBLES.has(c) || c === "\r\n") tailles.push(2);
    else if (!speciaux.includes(c)) speciaux.push(c);
  }
  if (!speciaux.length) return { caracteres: morceaux.length, sms: parties(tailles, 160, 153), speciaux };
  return { caracteres: morceaux.length, sms: parties(morceaux.map(c => c.length), 70, 67), speciaux };
}
function texteCompteur(texte, type) {
  if (!texte.trim()) return "Message vide : le texte habituel de ce type de relance sera utilisé.";
  const n = compterSMS(texte);
  const base = `${n.caracteres} caractère${n.caracteres > 1 ? "s" : ""}`;
  if (type !== "sms") return base + ".";
  let t = `${base} · ${n.sms} SMS`;
  if (n.speciaux.length) t += ` (à cause de ${n.speciaux.slice(0, 5).map(c => "« " + c + " »").join(" ")}, 70 caractères par SMS au lieu de 160)`;
  return t;
}

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

// What went wrong, said so an operator knows what to do: the browser's own words
// (« Failed to fetch ») mean nothing to them.
const SERVEUR_MUET = "Le serveur des relances ne répond pas. Vérifiez que le service est démarré et que le réseau fonctionne, puis réessayez (bouton « Filtrer »).";
function erreurLisible(statut, corps) {
  const detail = corps && corps.detail ? (typeof corps.detail === "string" ? corps.detail
    : [].concat(corps.detail).map(d => (d && d.msg) || JSON.stringify(d)).join(" ; ")) : null;
  if (statut === 401) return "Jeton d'accès refusé par le serveur. Rechargez la page et saisissez le jeton que le responsable informatique vous a donné.";
  if (statut === 403) return "Accès refusé par le serveur" + (detail ? " : " + detail : "") + ".";
  if (statut === 502 || statut === 503 || statut === 504) return SERVEUR_MUET;
  if (detail) return detail;
  if (statut >= 500) return `Le serveur a rencontré une erreur (${statut}). Réessayez dans un instant ; si cela continue, prévenez le responsable informatique.`;
  return `Le serveur a refusé la demande (erreur ${statut}).`;
}

async function api(chemin, options = {}, deuxieme = false) {
  const jeton = sessionStorage.getItem(CLE_JETON);
  const r = await appel(chemin, options, SERVEUR_MUET);
  if (r.status === 401 && !deuxieme && jetonApres401(jeton)) return api(chemin, options, true);
  const corps = r.status === 204 ? null : await r.json().catch(() => null);
  if (r.status === 401 && !sessionStorage.getItem(CLE_JETON)) throw new Error("Cette page a besoin du jeton d'accès à l'API des relances. Rechargez la page pour le saisir.");
  if (!r.ok) throw new Error(erreurLisible(r.status, corps));
  return corps;
}

// A small dialog asking for what one action needs (a date, a note), answered with
// { date, note }, or null when the operator went back.
function demander(o) {
  return new Promise(fin => {
    const d = $("d-action"), form = $("form-action");
    $("a-titre").textContent = o.titre;
    $("a-texte").replaceChildren(...[].concat(o.texte || []));
    $("a-champ-date").hidden = !o.date;
    $("a-champ-note").hidden = !o.note;
    if (o.date) { $("a-libelle-date").textContent = o.date.libelle; $("a-date").type = o.date.type || "datetime-local"; $("a-date").value = o.date.valeur || ""; }
    if (o.note) { $("a-libelle-note").textContent = o.note.libelle; $("a-note").value = ""; }
    $("a-valider").textContent = o.valider;
    $("a-erreur").textContent = "";
    const soumis = ev => {
      ev.preventDefault();
      const r = { date: $("a-date").value, note: $("a-note").value.trim() };
      if (o.date && o.date.requis && !r.date) { $("a-erreur").textContent = "Indiquez la date."; $("a-date").focus(); return; }
      if (o.note && o.note.requis && !r.note) { $("a-erreur").textContent = o.note.manque; $("a-note").focus(); return; }
      fini(); d.close(); fin(r);
    };
    const ferme = () => { fini(); fin(null); };
    function fini() { form.removeEventListener("submit", soumis); d.removeEventListener("close", ferme); }
    form.addEventListener("submit", soumis);
    d.addEventListener("close", ferme);
    d.showModal();
    (o.note ? $("a-note") : o.date ? $("a-date") : $("a-valider")).focus();
  });
}
"""#
}
