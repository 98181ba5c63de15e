extension RelancesPage {
    /// « Envoyer les relances en attente », part of `/relances.js`: what « generate now,
    /// send later » needs in the page. The pending relances the filters on screen select
    /// are counted, the count asked about, then they are sent as one run
    /// (`POST /api/relances/envoyer`, a thousand a call), so a taxpayer's debts go as one
    /// message and their letters together, as `relances send` does. Left out and said so:
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
    let envoyees = 0, echecs = 0, reportees = 0, nonEcrites = 0, fait = 0, arret = false;
    const refus = [];
    for (let debut = 0; debut < aEnvoyer.length; debut += PAR_LOT) {
      const lot = aEnvoyer.slice(debut, debut + PAR_LOT).map(x => x.id);
      message(`Envoi en cours : ${fait} sur ${aEnvoyer.length}…`);
      try {
        const r = await api("/api/relances/envoyer", { method: "POST", body: JSON.stringify({ ids: lot }) });
        envoyees += r.envoyees; echecs += r.echecs; reportees += r.reportees; nonEcrites += r.non_enregistrees;
        refus.push(...r.non_envoyees);
      } catch (e) {
        // Server gone, token refused, or the call refused whole: what is left stays pending.
        refus.push({ raison: e.message });
        arret = true;
        break;
      } finally { fait += lot.length; }
    }
    const lignes = [`${envoyees} relance(s) envoyée(s), ${echecs} échec(s) sur ${aEnvoyer.length}.`];
    if (reportees) lignes.push(`${reportees} reportée(s) à l'ouverture des heures d'envoi.`);
    const refusees = refus.filter(x => x.id).length;
    if (refusees) lignes.push(`${refusees} non envoyée(s), refusée(s) par le serveur : ${refus.find(x => x.id).raison}`);
    if (arret) lignes.push(`Envoi arrêté : ${refus[refus.length - 1].raison}. Les relances non envoyées restent en attente.`);
    if (nonEcrites) lignes.push(`${nonEcrites} résultat(s) non enregistré(s) : demandez à l'informatique de lancer « relances recover ».`);
    if (echecs) lignes.push("La raison de chaque échec est sous son statut (filtre « Échec »).");
    message(lignes.join(" "), echecs || refusees || arret || nonEcrites ? "erreur" : "info");
  } catch (e) { message(e.message, "erreur"); }
  finally { bouton.disabled = false; }
  page = 0;
  await rafraichir();
}
$("b-envoyer-attente").addEventListener("click", envoyerEnAttente);

"""#
}
