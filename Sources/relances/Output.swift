import Channels
import Foundation
import Gateway
import Relances

/// The commands' `print`: each line is written at once, so a long-running command
/// (serve, sandbox, a campaign) shows its lines in a log as they happen, not when
/// stdio's buffer fills.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    FileHandle.standardOutput.write(Data(text.utf8))
}

enum Output {
    /// Sends `ids` with a progress line, stopping cleanly on Ctrl-C/SIGTERM, then prints
    /// the summary after `heading`; answers the exit status (1 when any failed).
    /// `leftAs` says what the relances not sent are after a signal.
    static func sendBatch(_ ids: [Int64], with sender: RelanceSender, inFlight: Int, heading: String, leftAs: String) async -> Int32 {
        let progress = BatchProgress(total: ids.count)
        let line = ProgressLine(progress, label: "envoi")
        line.start()
        let (summary, signal) = await Interruptible.run { await sender.send(ids, maxInFlight: inFlight, progress: progress) }
        line.finish()
        // Channels finish what they hold open (the run's PDF of letters) before the summary.
        await sender.dispatcher.close()
        if let signal { print("arrêté par le signal \(signal) : les relances non envoyées restent \(leftAs)") }
        print(heading + "\(summary.sent) envoyée(s), \(summary.failed) échec(s), \(summary.skipped) non envoyée(s)"
              + (summary.deferred > 0 ? ", \(summary.deferred) reportée(s) à la prochaine plage d'envoi" : ""))
        for (reason, n) in summary.reasons.sorted(by: { $0.value > $1.value }) { print("  \(n) × \(reason)") }
        report(summary, rehearsal: sender.isRehearsal)
        return summary.failed > 0 ? 1 : 0
    }

    /// What a batch's figures do not say by themselves: a dry run changed nothing, and
    /// outcomes the store could not write are waiting for `relances recover`.
    static func report(_ summary: RelanceSender.Summary, rehearsal: Bool) {
        if rehearsal {
            print("répétition (--dry-run) : les messages sont dans \(GatewaySetup.dryRunPath) ; aucune relance n'a été marquée envoyée")
        }
        if summary.unrecorded > 0 {
            print("attention : \(summary.unrecorded) résultat(s) n'ont pas pu être écrits dans la base ; ces relances restent envoi_en_cours : lancez `relances recover`")
        }
    }
}
