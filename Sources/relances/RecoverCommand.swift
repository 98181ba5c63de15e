import Foundation
import Gateway
import Relances

enum RecoverCommand: Command {
    static let name = "recover"
    static let summary = "Régler les relances restées « envoi_en_cours » après un arrêt brutal"
    static let help = """
        usage : relances recover [--resend | --close] [--db FICHIER]

        Une relance est « envoi_en_cours » entre sa prise en charge et son résultat.
        recover examine chacune et ne décide que ce qui est certain :
          - prise par un envoi encore en cours (son programme tourne) : laissée telle
            quelle, et c'est dit ;
          - sa dernière tentative acceptée par le canal : elle est partie, seul son
            résultat a été perdu : marquée envoyee, jamais renvoyée ;
          - jamais remise à un canal : certainement pas partie : remise en_attente,
            programmée, elle part avec le prochain envoi.
        Les autres étaient chez le canal quand l'envoi s'est arrêté : on ne sait pas si
        le fournisseur les a reçues, donc rien n'est renvoyé à l'aveugle. Sans option
        elles sont listées ; --close les marque echec avec une note disant que l'issue
        est inconnue (vérifiez chez le fournisseur avant de renvoyer) ; --resend les
        remet en_attente, programmées, pour le prochain envoi. Il y en a au plus autant
        que l'envoi arrêté avait d'envois simultanés (son --max-in-flight).

          --close                marquer echec celles à l'issue inconnue
          --resend               remettre en_attente, programmées, celles à l'issue inconnue
        \(StoreOptions.help)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let store = try StoreOptions(&arguments)
        let resend = arguments.flag("resend"), close = arguments.flag("close")
        try arguments.finish()
        guard !(resend && close) else { throw UsageError("choisissez --resend ou --close, pas les deux") }
        let opened = try store.open()
        let held = try opened.heldClaims()
        if held.isEmpty {
            print("aucune relance n'est envoi_en_cours")
            return 0
        }
        let now = Date()
        var live = 0, settled = 0, putBack = 0, unknown = 0
        for claim in held {
            let id = claim.id
            if claim.isLive(now: now) {
                live += 1
                print("relance \(id) : envoi_en_cours, prise par un envoi encore en cours (\(claim.owner ?? "?")) : laissée telle quelle")
                continue
            }
            let last = try opened.attempts(relanceID: id).last
            if last?.outcome == "sent", let last {
                // Accepted by its channel: sent, whatever the option. Never resent.
                if try opened.settleFromLastAttempt(id, now: now) {
                    settled += 1
                    print("relance \(id) : envoi_en_cours → envoyee (acceptée par \(last.channel), id \(last.providerID ?? "?")) : pas renvoyée")
                }
                continue
            }
            if !claim.handed {
                if try opened.putBack(claim, now: now) {
                    putBack += 1
                    print("relance \(id) : envoi_en_cours, jamais remise à un canal → en_attente, programmée : elle part avec le prochain envoi")
                }
                continue
            }
            unknown += 1
            print("relance \(id) : envoi_en_cours" + (last.map { ", remise à \($0.channel), aucun résultat enregistré : issue inconnue" }
                                                     ?? ", aucune tentative enregistrée : issue inconnue"))
            if close {
                _ = try opened.closeUnknown(claim, note: "Issue inconnue : le programme s'est arrêté pendant l'envoi. Vérifier chez le fournisseur avant de renvoyer.", now: now)
            } else if resend {
                _ = try opened.putBack(claim, now: now)
            }
        }
        var parts: [String] = []
        if live > 0 { parts.append("\(live) laissée(s) telle(s) quelle(s) (un envoi est en cours)") }
        if settled > 0 { parts.append("\(settled) envoyee(s) d'après leur tentative enregistrée") }
        if putBack > 0 { parts.append("\(putBack) jamais remise(s) à un canal, remise(s) en_attente") }
        if unknown > 0 {
            parts.append("\(unknown) à l'issue inconnue" + (close ? ", fermée(s) en echec" : resend ? ", remise(s) en_attente" : " : utilisez --close ou --resend"))
        }
        print("\(held.count) relance(s) envoi_en_cours : " + parts.joined(separator: " ; "))
        return 0
    }
}
