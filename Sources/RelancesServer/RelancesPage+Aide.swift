import Foundation
import Relances

extension RelancesPage {
    /// The « Aide » panel, part of `/relances.js`: a short guide for the office's staff
    /// (what each status means as the page shows it, what to do for each failure reason,
    /// correcting a number and sending again, generating now and sending later,
    /// scheduling). The failure reasons and their advice are ``FailureReason``'s, the
    /// texts the dashboard ranks, written into the script when it is built: one source,
    /// so the guide and the dashboard never say two different things.
    static let scriptAide = "const MOTIFS_ECHEC = " + failureReasonsJSON + ";\n" + aideBody

    /// `[{code, libelle, conseil}]`, in ``FailureReason``'s order. JSON is valid script,
    /// and the file is served as script, never inside HTML.
    static let failureReasonsJSON: String = {
        let reasons = FailureReason.allCases.map { ["code": $0.rawValue, "libelle": $0.libelle, "conseil": $0.conseil] }
        let data = (try? JSONSerialization.data(withJSONObject: reasons, options: [.sortedKeys])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }()

    static let aideBody = #"""
// Each status in the words and colours the list uses (its pills), then what it means.
const AIDE_STATUTS = [
  ["en_attente", "En attente", "La relance est prête mais n'est pas partie. Elle attend qu'on clique « Envoyer », ou qu'on la programme."],
  ["programmee", "Programmée", "Une relance en attente avec une date d'envoi : elle part toute seule à cette date, aux heures d'envoi du service."],
  ["envoi_en_cours", "Envoi en cours", "La relance est en train de partir ; le résultat s'affiche en quelques secondes. Si elle reste ainsi après une panne, prévenez le service informatique."],
  ["envoyee", "Envoyée", "Le SMS ou l'e-mail est parti, ou la lettre est prête à imprimer. « Détail » montre la référence de l'envoi."],
  ["echec", "Échec", "L'envoi n'a pas abouti ; la note sous le statut dit pourquoi. Voir « Que faire après un échec » ci-dessous."],
  ["annulee", "Annulée", "Elle ne partira pas ; la raison de l'annulation est dans ses notes."],
  ["effectuee", "Effectuée", "Un appel ou une visite fait par un agent, marqué « Marquer effectuée » avec son compte rendu."],
  ["reponse", "Réponse reçue", "Le contribuable a répondu (il a payé, rappelé ou est venu) : la relance compte dans « Taux de réponse »."],
];

// French spacing that does not break: never a line starting with « : » or « » ».
function typo(t) { return String(t).replace(/ ([:;?!»])/g, "\u00a0$1").replace(/« /g, "«\u00a0"); }
function aideSection(titre, ...contenu) { return el("section", { class: "aide-section" }, el("h3", { class: "sous-titre-dialogue" }, titre), ...contenu); }
function etapes(...lignes) { return el("ol", { class: "aide-etapes" }, ...lignes.map(l => el("li", null, typo(l)))); }

// Built once, at the first opening: nothing in it comes from outside the page's own script.
function contenuAide() {
  return [
    aideSection("Les statuts d'une relance",
      el("dl", { class: "aide-statuts", id: "aide-statuts" }, ...AIDE_STATUTS.flatMap(([cle, nom, sens]) => [
        el("dt", { "data-statut": cle }, el("span", { class: "pilule " + cle }, nom)), el("dd", null, typo(sens))]))),
    aideSection("Que faire après un échec",
      el("p", { class: "petit-texte" }, typo("La raison de l'échec est écrite sous le statut, et dans « Détail ». Le « Tableau de bord » classe les échecs par motif avec le même conseil.")),
      el("dl", { class: "aide-motifs", id: "aide-motifs" }, ...MOTIFS_ECHEC.flatMap(m => [
        el("dt", { "data-motif": m.code }, m.libelle), el("dd", null, typo(m.conseil))]))),
    aideSection("Corriger le numéro d'un contribuable, puis renvoyer",
      etapes("Cliquez « Détail » sur la relance en échec (ou cherchez le contribuable dans la vue « Contribuables »).",
        "Cliquez « Modifier le contact », corrigez le téléphone (par exemple 077 12 34 56), puis « Enregistrer ». Un numéro impossible est refusé avec la raison.",
        "La même fenêtre propose « Renvoyer » pour ses relances en échec : elles repartent vers le nouveau numéro. Vous pouvez aussi cliquer « Envoyer » sur la ligne de la relance.")),
    aideSection("Générer sans envoyer, envoyer plus tard",
      etapes("Cliquez « Générer relances automatiques », choisissez le type, les jours de retard et le nombre, puis « Voir l'aperçu ».",
        "Lisez l'aperçu et répondez OK pour créer les relances.",
        "À la question « Envoyer automatiquement les relances générées maintenant ? », répondez « Annuler » : elles restent en attente, rien ne part.",
        "Plus tard, cliquez « Envoyer les relances en attente » : la page dit combien partiront avant d'envoyer. Les filtres affichés (type, dates, recherche) s'appliquent ; les relances programmées attendent leur date.")),
    aideSection("Programmer un envoi",
      etapes("Pour une nouvelle relance : « Nouvelle relance manuelle », puis remplissez « Date d'envoi prévue ».",
        "Pour une relance en attente : « Détail », puis « Programmer », et choisissez la date et l'heure.",
        "Elle part toute seule à cette date, aux heures d'envoi du service ; jusque-là, « Annuler la relance » l'arrête.")),
  ];
}

function ouvrirAide() {
  const d = $("d-aide");
  if (!$("aide-contenu").childElementCount) $("aide-contenu").replaceChildren(...contenuAide());
  d.showModal();
  d.scrollTop = 0;
  // « Fermer » is at the top: focusing it keeps the guide's beginning in view.
  $("aide-fermer").focus();
}
$("b-aide").addEventListener("click", ouvrirAide);
$("aide-fermer").addEventListener("click", () => $("d-aide").close());

"""#
}
