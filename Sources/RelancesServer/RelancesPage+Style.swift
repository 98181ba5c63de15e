extension RelancesPage {
    /// The page's stylesheet, served as `/relances.css` so the policy needs no inline style.
    static let style = #"""
:root { --bleu:#1f4e8c; --gris:#6b7280; --fond:#f4f6fa; --bord:#e3e7ee; }
* { box-sizing: border-box; }
body { margin:0; font-family: system-ui, "Segoe UI", Roboto, sans-serif; background:var(--fond); color:#1f2937; }
header { background:var(--bleu); color:white; padding:14px 24px; display:flex; align-items:center; justify-content:space-between; }
header h1 { font-size:20px; margin:0; font-weight:600; }
main { padding:20px 24px; max-width:1300px; margin:0 auto; }
.cartes { display:grid; grid-template-columns:repeat(5, 1fr); gap:14px; margin-bottom:18px; }
.carte { background:white; border:1px solid var(--bord); border-radius:10px; padding:14px 16px; }
.carte .libelle { color:var(--gris); font-size:13px; }
.carte .valeur { font-size:26px; font-weight:700; margin-top:4px; }
.carte.envoyees .valeur { color:#15803d; } .carte.attente .valeur { color:#b45309; } .carte.echecs .valeur { color:#b91c1c; }
.barre { display:flex; flex-wrap:wrap; gap:10px; align-items:end; background:white; border:1px solid var(--bord); border-radius:10px; padding:12px 14px; margin-bottom:14px; }
.barre label { font-size:12px; color:var(--gris); display:flex; flex-direction:column; gap:4px; }
select, input, textarea { font:inherit; padding:6px 8px; border:1px solid #cbd2dc; border-radius:6px; background:white; }
button { font:inherit; border:0; border-radius:6px; padding:8px 12px; cursor:pointer; background:#e5e9f0; }
button.principal { background:var(--bleu); color:white; }
button.petit { padding:4px 10px; font-size:13px; }
button:disabled { opacity:.5; cursor:default; }
.espace { flex:1; }
table { width:100%; border-collapse:collapse; background:white; border:1px solid var(--bord); border-radius:10px; overflow:hidden; }
th, td { text-align:left; padding:10px 12px; border-bottom:1px solid var(--bord); font-size:14px; vertical-align:top; }
th { background:#f8fafc; color:var(--gris); font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.qui { display:flex; gap:10px; align-items:center; }
.initiale { width:32px; height:32px; border-radius:50%; background:#dbe6f5; color:var(--bleu); display:flex; align-items:center; justify-content:center; font-weight:700; }
.petit-texte { color:var(--gris); font-size:12px; }
.pilule { display:inline-block; padding:3px 10px; border-radius:999px; font-size:12px; font-weight:600; }
.pilule.en_attente { background:#fef3c7; color:#92400e; } .pilule.envoyee { background:#dcfce7; color:#166534; }
.pilule.echec { background:#fee2e2; color:#991b1b; } .pilule.annulee { background:#e5e7eb; color:#374151; }
.pilule.envoi_en_cours { background:#dbeafe; color:#1e40af; }
.note-echec { color:#991b1b; font-size:12px; margin-top:4px; max-width:320px; }
.pagination { display:flex; gap:10px; align-items:center; justify-content:flex-end; margin-top:10px; color:var(--gris); font-size:14px; }
#message { margin-bottom:12px; padding:10px 14px; border-radius:8px; display:none; }
#message.info { display:block; background:#e0f2fe; color:#075985; } #message.erreur { display:block; background:#fee2e2; color:#991b1b; }
dialog { border:0; border-radius:12px; padding:0; width:min(640px, 95vw); box-shadow:0 20px 60px rgba(0,0,0,.25); }
dialog form { padding:18px 20px; display:flex; flex-direction:column; gap:10px; }
dialog h2 { margin:0 0 4px; font-size:18px; }
.resultats { max-height:160px; overflow:auto; border:1px solid var(--bord); border-radius:6px; }
.resultats div { padding:6px 10px; cursor:pointer; overflow-wrap:anywhere; } .resultats div:hover { background:#f1f5f9; }
.ligne { display:flex; gap:10px; } .ligne > * { flex:1; }
@media (max-width: 900px) { .cartes { grid-template-columns:repeat(2, 1fr); } }
.sous-titre { color:#dbe6f5; }
bdi { overflow-wrap:anywhere; }
.pilule.programmee { background:#ede9fe; color:#5b21b6; font-weight:500; }
.actions { white-space:nowrap; } .actions button + button { margin-left:6px; }
dl.detail { display:grid; grid-template-columns:max-content 1fr; gap:6px 14px; margin:0; font-size:14px; }
dl.detail dt { color:var(--gris); } dl.detail dd { margin:0; overflow-wrap:anywhere; white-space:pre-wrap; }
[hidden] { display:none !important; }
/* Labels above their fields, everywhere. */
dialog label, .barre label { display:flex; flex-direction:column; gap:4px; font-size:13px; color:#374151; min-width:0; }
.barre label.large { flex:1 1 220px; }
.barre .boutons { display:flex; gap:8px; flex-wrap:wrap; }
dialog textarea, dialog input, dialog select { width:100%; }
dialog label.case { flex-direction:row; align-items:center; gap:8px; } dialog label.case input { width:auto; margin:0; }
textarea { resize:vertical; }
#m-texte { min-height:5.5em; max-width:36em; }
.compteur { margin-top:-4px; }
button.danger { background:#fee2e2; color:#991b1b; }
button.lien { background:none; color:var(--bleu); text-decoration:underline; padding:0 4px; }
:focus-visible { outline:3px solid #f59e0b; outline-offset:2px; }
.resultats:empty { display:none; }
.resultats [role=option][aria-selected=true] { background:#e0e7ff; }
.resultats [role=option][aria-selected=true] .nom::after { content:" ✓ ajouté"; color:var(--bleu); font-size:12px; }
.resultats [role=option].actif { outline:2px solid var(--bleu); outline-offset:-2px; background:#eef2ff; }
.choisis { list-style:none; padding:0; margin:0; display:flex; flex-direction:column; gap:8px; }
.choisis li.choisi { border:1px solid var(--bord); border-radius:8px; padding:8px 10px; display:flex; flex-direction:column; gap:6px; }
.entete-choisi { display:flex; gap:8px; align-items:center; flex-wrap:wrap; }
.sous-titre-dialogue { font-size:15px; margin:8px 0 0; }
.erreur-champ { color:#991b1b; font-size:14px; } .erreur-champ:empty { display:none; }
.resume-liste { margin:0; padding-left:20px; }
.actions-detail { display:flex; flex-wrap:wrap; gap:8px; }
ol.journal, ul.journal { margin:4px 0; padding-left:20px; font-size:13px; color:#1f2937; display:flex; flex-direction:column; gap:4px; }
#detail-journal h4 { margin:6px 0 0; font-size:13px; }
.empreinte { font-family:ui-monospace, monospace; }
.pilule.reponse { background:#cffafe; color:#155e75; margin-top:4px; }
dialog { max-height:calc(100dvh - 24px); overflow:auto; }
.tableau { max-width:100%; overflow-x:auto; }
.ligne.boutons-dialogue { flex-direction:row; flex-wrap:wrap; justify-content:flex-end; align-items:center; }
.boutons-dialogue > * { flex:0 0 auto; } .boutons-dialogue > .espace { flex:1; }
.pilule.effectuee { background:#d1fae5; color:#065f46; }
header { gap:8px 16px; } header .sous-titre { margin-left:auto; }
header button.aide { background:white; color:var(--bleu); font-weight:600; }
/* The « Aide » panel: « Fermer » at its top, the guide scrolling under it. */
#d-aide { width:min(760px, 95vw); }
.entete-aide { display:flex; gap:10px; align-items:center; justify-content:space-between; position:sticky; top:-18px; background:white; padding:4px 0; z-index:1; }
.entete-aide h2 { margin:0; }
#aide-contenu { font-size:14px; line-height:1.45; }
#aide-contenu dl { display:grid; grid-template-columns:max-content 1fr; gap:6px 14px; margin:6px 0; }
#aide-contenu dt { font-weight:600; } #aide-contenu dd { margin:0; overflow-wrap:anywhere; }
.aide-motifs dt { color:#991b1b; }
ol.aide-etapes { margin:6px 0; padding-left:22px; display:flex; flex-direction:column; gap:4px; }
/* A phone: the table becomes one card a relance, each value under its name. */
@media (max-width: 700px) {
  header { padding:12px 14px; flex-direction:column; align-items:flex-start; gap:2px; }
  main { padding:12px; }
  .cartes { gap:8px; } .carte { padding:10px 12px; } .carte .valeur { font-size:22px; }
  .barre { padding:10px; } .barre label { flex:1 1 calc(50% - 10px); } .barre label.large { flex-basis:100%; } .barre .espace { display:none; }
  .barre select, .barre input { width:100%; }
  .barre .boutons { width:100%; } .barre .boutons > button { flex:1 1 auto; }
  table, thead, tbody, tr, td { display:block; width:100%; }
  table { border:0; background:none; }
  thead { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
  tbody tr { background:white; border:1px solid var(--bord); border-radius:10px; margin-bottom:10px; padding:6px 0; }
  td { border:0; padding:4px 12px; }
  td[data-libelle]::before { content:attr(data-libelle); display:block; color:var(--gris); font-size:11px; text-transform:uppercase; letter-spacing:.03em; }
  td[data-libelle="Contribuable"]::before { display:none; }
  .actions { white-space:normal; display:flex; flex-wrap:wrap; gap:6px; } .actions button + button { margin-left:0; }
  dialog { width:calc(100vw - 16px); max-width:none; margin:8px auto; }
  dialog form { padding:14px; }
  .ligne:not(.boutons-dialogue) { flex-direction:column; gap:8px; }
  dl.detail { grid-template-columns:1fr; gap:2px; } dl.detail dd { margin-bottom:6px; }
  header { position:relative; padding-right:84px; } header .sous-titre { margin-left:0; }
  header button.aide { position:absolute; top:10px; right:14px; }
  #aide-contenu dl { grid-template-columns:1fr; gap:2px; } #aide-contenu dd { margin-bottom:8px; }
  .entete-aide { top:-14px; }
  .pagination { justify-content:space-between; }
}
"""#
}
