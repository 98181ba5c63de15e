extension RelancesPage {
    /// « Envoyer les relances en attente », part of `/relances.js`: what « generate now,
    /// send later » needs in the page. The pending relances the filters on screen select
    /// are counted, the count asked about, then each is sent as « Envoyer » sends one
    /// (`PATCH /api/relances/{id}/envoyer`), one after the other. Left out and said so:
    /// those programmed for a date (the scheduler sends them then) and calls or visits
    /// (a person does them).
    static let scriptPending = #"""
const PAR_LOT = 1000;   // the list's largest page
async function relancesEnAttente() {
  const q = filtres();
  q.set("statut", "en_attente");
  q.set("limit", PAR_LOT);
  const toutes = [];
  for (let skip = 0; ; skip += PAR_LOT) {
    q.set("skip", skip);
    const r = await api("/api/relances?" + q);
    toutes.push(...r.items);
    if (!r.items.length || toutes.length >= r.total) return toutes;
  }
}

function parType(liste) {
  const n = {};
  for (const x of liste) n[x.type_relance] = (n[x.type_relance] || 0) + 1;
  return Object.entries(n).map(([t, k]) => `${k} ${CANAUX[t] || t}`).join(", ");
}

async function envoyerEnAttente() {
  const bouton = $("b-envoyer-attente");
  if ($("f-statut").value && $("f-statut").value !== "en_attente") {
    message("Le filtre « Statut » montre d'autres relances : choisissez « En attente » ou « Tous », puis recommencez.", "erreur");
    return;
  }
  bouton.disabled = true;
  try {
    const toutes = await relancesEnAttente();
    const aEnvoyer = toutes.filter(x => ENVOYABLES.includes(x.type_relance) && x.programmee !== true);
    const programmees = toutes.filter(x => ENVOYABLES.includes(x.type_relance) && x.programmee === true).length;
    const aLaMain = toutes.length - aEnvoyer.length - programmees;
    const restent = [];
    if (programmees) restent.push(`${programmees} programmée(s) partiront à leur date.`);
    if (aLaMain) restent.push(`${aLaMain} appel(s) ou visite(s) se font à la main (« Marquer effectuée »).`);
    if (!aEnvoyer.length) {
      message("Aucune relance en attente à envoyer" + (filtres().toString() ? " avec ces filtres." : ".") + (restent.length ? " " + restent.join(" ") : ""));
      return;
    }
    const filtresActifs = filtres().toString() ? "\n\nSeules les relances qui correspondent aux filtres affichés sont comptées." : "";
    if (!confirm(`Envoyer maintenant ${aEnvoyer.length} relance(s) en attente (${parType(aEnvoyer)}) ?` + filtresActifs
      + (restent.length ? "\n\n" + restent.join("\n") : ""))) return;
    let envoyees = 0, echecs = 0, refusees = 0, fait = 0, raison = null, arret = false;
    for (const x of aEnvoyer) {
      message(`Envoi en cours : ${fait} sur ${aEnvoyer.length}…`);
      try { const r = await api(`/api/relances/${identifiant(x.id)}/envoyer`, { method: "PATCH" }); if (r.statut === "envoyee") envoyees++; else echecs++; }
      catch (e) {
        // Refused by the server (sent meanwhile by someone else, outside the sending
        // hours…): said once. Server gone or token refused: the next ones would be too.
        refusees++; raison = raison || e.message;
        if (e.message === SERVEUR_MUET || /jeton/i.test(e.message)) { fait++; arret = true; break; }
      }
      fait++;
    }
    const lignes = [`${envoyees} relance(s) envoyée(s), ${echecs} échec(s) sur ${aEnvoyer.length}.`];
    if (refusees) lignes.push(`${refusees} non envoyée(s), refusée(s) par le serveur : ${raison}`);
    if (arret) lignes.push(`Envoi arrêté : ${aEnvoyer.length - fait} relance(s) restent en attente.`);
    if (echecs) lignes.push("La raison de chaque échec est sous son statut (filtre « Échec »).");
    message(lignes.join(" "), echecs || refusees ? "erreur" : "info");
  } catch (e) { message(e.message, "erreur"); }
  finally { bouton.disabled = false; }
  page = 0;
  await rafraichir();
}
$("b-envoyer-attente").addEventListener("click", envoyerEnAttente);

"""#
}
