import Channels
import Foundation
import Relances

/// The commands' `print`: each line is written at once, so a long-running command
/// (serve, sandbox, a campaign) shows its lines in a log as they happen, not when
/// stdio's buffer fills.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    FileHandle.standardOutput.write(Data(text.utf8))
}

enum Output {
    /// What a batch's figures do not say by themselves: a dry run changed nothing, and
    /// outcomes the store could not write are waiting for `relances recover`.
    static func report(_ summary: RelanceSender.Summary, rehearsal: Bool) {
        if rehearsal {
            print("dry run: the messages are in \(GatewaySetup.dryRunPath); no relance was claimed or marked sent")
        }
        if summary.unrecorded > 0 {
            print("warning: \(summary.unrecorded) outcome(s) could not be written to the database; those relances stay envoi_en_cours: run `relances recover`")
        }
    }
}
