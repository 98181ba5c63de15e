extension RelancesPage {
    /// What both page scripts (`/relances.js`, `/tableau.js`) start with, each inside its
    /// own function: the token's key, building elements from parts (never markup),
    /// data as isolated text, and API requests and downloads that carry the token.
    static let scriptCommon = #"""
const CLE_JETON = "relances-jeton";
const $ = id => document.getElementById(id);

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

// A request with the tab's token (a JSON body typed as such); no answer at all (the
// browser's « Failed to fetch ») becomes `muet`, in French.
async function appel(chemin, options, muet) {
  const enTetes = Object.assign({}, options.headers || {});
  if (options.body != null) enTetes["Content-Type"] = "application/json";
  const jeton = sessionStorage.getItem(CLE_JETON);
  if (jeton) enTetes["Authorization"] = "Bearer " + jeton;
  try { return await fetch(chemin, Object.assign({}, options, { headers: enTetes, credentials: "same-origin" })); }
  catch (e) { throw new Error(muet); }
}

async function requete(chemin, options = {}) {
  const r = await appel(chemin, options, "Le serveur des relances ne répond pas : vérifiez la connexion, puis réessayez.");
  if (r.status === 401) throw new Error("Jeton d'accès refusé : rechargez la page pour le saisir à nouveau.");
  return r;
}

// A file from the API (the CSV export, a PDF of letters), fetched with the token (a
// plain link would carry none) and saved under the server's name, else `nom`.
// Answers the name it was saved under.
async function telecharger(chemin, nom) {
  const r = await requete(chemin);
  if (!r.ok) { const c = await r.json().catch(() => null); throw new Error(c && typeof c.detail === "string" ? c.detail : "Erreur " + r.status); }
  const fichier = (/filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "") || [])[1] || nom;
  const adresse = URL.createObjectURL(await r.blob());
  const lien = el("a", { href: adresse, download: fichier, hidden: true });
  document.body.append(lien);
  lien.click();
  lien.remove();
  setTimeout(() => URL.revokeObjectURL(adresse), 60000);
  return fichier;
}

"""#
}
