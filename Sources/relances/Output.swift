import Foundation

/// The commands' `print`: each line is written at once, so a long-running command
/// (serve, sandbox, a campaign) shows its lines in a log as they happen, not when
/// stdio's buffer fills.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    FileHandle.standardOutput.write(Data(text.utf8))
}
