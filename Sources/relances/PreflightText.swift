import Foundation
import Relances

/// The pre-flight report for a terminal, or as the API's JSON.
enum PreflightText {
    static func json(_ report: CampaignPreflight.Report) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func table(_ r: CampaignPreflight.Report) -> String {
        var lines = ["aperçu (rien d'écrit, rien d'envoyé) : type \(r.typeRelance), canal \(r.canal ?? "aucun : relance faite à la main")",
                     row("dettes en retard", r.dettesEnRetard),
                     row("relances à créer", r.relancesACreer),
                     row("  remises au canal", r.envoyables),
                     row("  refusées par le canal", r.destinatairesInvalides),
                     row("dettes sans adresse", r.sansAdresse)]
        if let sms = r.sms {
            lines.append(row("messages sans / avec accents rares", "\(sms.gsm7) / \(sms.ucs2)"))
            lines.append(row("SMS facturés (le plus long)", "\(sms.segments) (\(sms.maxSegmentsParMessage) SMS par message)"))
            if let budget = sms.budget { lines.append(row("plus longs que \(budget) SMS", sms.horsBudget)) }
            if !sms.caracteresUCS2.isEmpty {
                lines.append(row("caractères qui raccourcissent les SMS", sms.caracteresUCS2.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: " ")))
            }
        }
        lines.append(row("coût estimé", r.coutEstime.map { Montant(centimes: Int64(($0 * 100).rounded())).texte + " FCFA" } ?? "pas de prix dans la configuration"))
        if !r.motifs.isEmpty {
            lines.append("pourquoi certains ne peuvent être joints :")
            lines += r.motifs.map { "  \($0.nombre) × \($0.motif)" }
        }
        if !r.destinatairesRefuses.isEmpty {
            lines.append("adresses refusées par le canal (corrigez-les avant d'envoyer) :")
            lines += r.destinatairesRefuses.map { "  contribuable \($0.contribuableID) \($0.nom) : \($0.motif)" }
            if r.destinatairesInvalides > r.destinatairesRefuses.count {
                lines.append("  (relances vers de telles adresses : \(r.destinatairesInvalides) en tout)")
            }
        }
        if !r.exemples.isEmpty {
            lines.append("premiers messages :")
            for e in r.exemples {
                lines.append("  → \(e.destinataire) (contribuable \(e.contribuableID))" + (e.segments.map { ", \($0) SMS" } ?? "")
                             + (e.probleme.map { ", REFUSÉ : \($0)" } ?? ""))
                lines.append("    \(e.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ label: String, _ value: Any) -> String {
        label.padding(toLength: 40, withPad: " ", startingAt: 0) + "\(value)"
    }
}
