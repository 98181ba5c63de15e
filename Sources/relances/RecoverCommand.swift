import Foundation
import Gateway
import Relances

enum RecoverCommand: Command {
    static let name = "recover"
    static let summary = "Resolve relances left in envoi_en_cours by a crash"
    static let help = """
        usage: relances recover [--resend | --close] [--db FILE]

        A relance is `envoi_en_cours` between its claim and its outcome. recover looks at
        each one and decides only what is certain:
          - claimed by a sender still running (its process alive, its lease renewed):
            left alone, and said so;
          - its last recorded attempt accepted by its channel: it was sent, only its
            outcome was lost: marked envoyee from that attempt, never resent;
          - claimed but never handed to a channel (no hand-off written before the
            network call): certainly not sent: back to en_attente, scheduled, so it goes
            with the next send.
        The rest were handed to a channel when the sender stopped: whether the provider
        got them is unknown, so nothing is resent blindly. Without an option they are
        listed; --close marks them echec with a note saying the outcome is unknown
        (check the provider's record before resending); --resend puts them back
        en_attente, scheduled, to go with the next send. There are at most as many as
        the stopped sender had sends in flight (its --max-in-flight).
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let resend = arguments.flag("resend"), close = arguments.flag("close")
        try arguments.finish()
        guard !(resend && close) else { throw UsageError("choose --resend or --close, not both") }
        let opened = try store.open()
        let held = try opened.heldClaims()
        if held.isEmpty {
            print("no relance is envoi_en_cours")
            return 0
        }
        let now = Date()
        var live = 0, settled = 0, putBack = 0, unknown = 0
        for claim in held {
            let id = claim.id
            if claim.isLive(now: now) {
                live += 1
                print("relance \(id): envoi_en_cours, claimed by a sender still running (\(claim.owner ?? "?")): left alone")
                continue
            }
            let last = try opened.attempts(relanceID: id).last
            if last?.outcome == "sent", let last {
                // Accepted by its channel: sent, whatever the option. Never resent.
                if try opened.settleFromLastAttempt(id, now: now) {
                    settled += 1
                    print("relance \(id): envoi_en_cours → envoyee (accepted by \(last.channel), id \(last.providerID ?? "?")): not resent")
                }
                continue
            }
            if !claim.handed {
                if try opened.putBack(claim, now: now) {
                    putBack += 1
                    print("relance \(id): envoi_en_cours, never handed to a channel → en_attente, scheduled: it goes with the next send")
                }
                continue
            }
            unknown += 1
            print("relance \(id): envoi_en_cours" + (last.map { ", handed to \($0.channel), no outcome recorded: outcome unknown" }
                                                    ?? ", no attempt recorded: outcome unknown"))
            if close {
                _ = try opened.closeUnknown(claim, note: "Issue inconnue : le programme s'est arrêté pendant l'envoi. Vérifier chez le fournisseur avant de renvoyer.", now: now)
            } else if resend {
                _ = try opened.putBack(claim, now: now)
            }
        }
        var parts: [String] = []
        if live > 0 { parts.append("\(live) left alone (a sender is running)") }
        if settled > 0 { parts.append("\(settled) envoyee from their recorded attempt") }
        if putBack > 0 { parts.append("\(putBack) never handed to a channel, back to en_attente") }
        if unknown > 0 {
            parts.append("\(unknown) outcome unknown" + (close ? ", closed as echec" : resend ? ", back to en_attente" : ": use --close or --resend"))
        }
        print("\(held.count) relance(s) envoi_en_cours: " + parts.joined(separator: "; "))
        return 0
    }
}
