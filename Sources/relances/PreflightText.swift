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
        var lines = ["pre-flight (nothing written, nothing sent): type \(r.typeRelance), channel \(r.canal ?? "none: sent by hand")",
                     row("late debts", r.dettesEnRetard),
                     row("relances to create", r.relancesACreer),
                     row("  handed to the channel", r.envoyables),
                     row("  refused by the channel", r.destinatairesInvalides),
                     row("late debts without an address", r.sansAdresse)]
        if let sms = r.sms {
            lines.append(row("SMS in GSM-7 / UCS-2", "\(sms.gsm7) / \(sms.ucs2)"))
            lines.append(row("SMS segments (most in one)", "\(sms.segments) (\(sms.maxSegmentsParMessage))"))
            if let budget = sms.budget { lines.append(row("over the budget of \(budget) segment(s)", sms.horsBudget)) }
            if !sms.caracteresUCS2.isEmpty {
                lines.append(row("characters forcing UCS-2", sms.caracteresUCS2.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }.joined(separator: " ")))
            }
        }
        lines.append(row("estimated cost", r.coutEstime.map { String(format: "%.2f FCFA", $0) } ?? "no price in the config"))
        if !r.motifs.isEmpty {
            lines.append("why some cannot be reached:")
            lines += r.motifs.map { "  \($0.nombre) × \($0.motif)" }
        }
        if !r.destinatairesRefuses.isEmpty {
            lines.append("addresses the channel refuses (put them right before sending):")
            lines += r.destinatairesRefuses.map { "  contribuable \($0.contribuableID) \($0.nom): \($0.motif)" }
            if r.destinatairesInvalides > r.destinatairesRefuses.count {
                lines.append("  (relances to such addresses: \(r.destinatairesInvalides) in all)")
            }
        }
        if !r.exemples.isEmpty {
            lines.append("first messages:")
            for e in r.exemples {
                lines.append("  → \(e.destinataire) (contribuable \(e.contribuableID))" + (e.segments.map { ", \($0) segment(s)" } ?? "")
                             + (e.probleme.map { ", REFUSED: \($0)" } ?? ""))
                lines.append("    \(e.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ label: String, _ value: Any) -> String {
        label.padding(toLength: 34, withPad: " ", startingAt: 0) + "\(value)"
    }
}
