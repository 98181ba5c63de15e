import Foundation
import Gateway
import Relances

enum RecoverCommand: Command {
    static let name = "recover"
    static let summary = "Resolve relances left in envoi_en_cours by a crash"
    static let help = """
        usage: relances recover [--resend | --close] [--db FILE]

        A relance is `envoi_en_cours` between its claim and its outcome. After a crash,
        whether the provider got it is unknown, so nothing is resent blindly. Without an
        option, lists them with their last recorded attempt. --close marks them echec
        with a note saying the outcome is unknown (check the provider's record before
        resending); --resend puts them back en_attente, to go with the next send.
        One whose last recorded attempt was accepted by its channel was sent (only its
        outcome was lost): either option marks it envoyee from that attempt, never resent.
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let resend = arguments.flag("resend"), close = arguments.flag("close")
        try arguments.finish()
        guard !(resend && close) else { throw UsageError("choose --resend or --close, not both") }
        let opened = try store.open()
        let ids = try opened.inProgress()
        if ids.isEmpty {
            print("no relance is envoi_en_cours")
            return 0
        }
        var settled = 0
        for id in ids {
            let last = try opened.attempts(relanceID: id).last
            print("relance \(id): envoi_en_cours" + (last.map { ", last attempt \($0.attempt) on \($0.channel): \($0.outcome)" }
                                                    ?? ", no attempt recorded: outcome unknown"))
            if last?.outcome == "sent" {
                // Accepted by its channel: sent, whatever the option. Never resent.
                if (close || resend), try opened.settleFromLastAttempt(id, now: Date()) {
                    settled += 1
                    print("  → envoyee (accepted by \(last!.channel), id \(last!.providerID ?? "?")): not resent")
                }
                continue
            }
            if close {
                try opened.finish(id, outcome: .failed(note: "Issue inconnue : le programme s'est arrêté pendant l'envoi. Vérifier chez le fournisseur avant de renvoyer."), now: Date())
            } else if resend {
                try opened.release(id, to: .enAttente, datePlanifiee: nil, now: Date())
            }
        }
        let rest = ids.count - settled
        print("\(ids.count) relance(s)" + (settled > 0 ? ": \(settled) envoyee from their recorded attempt, \(rest)" : "")
              + (close ? " closed as echec" : resend ? " back to en_attente" : "; use --close or --resend"))
        return 0
    }
}
