import Foundation
import Gateway
import HTTP
import ProviderSandbox

/// Runs a program to its end; answers what it printed (standard error too, unless
/// `stderr` is false: then it goes to ours).
func runProcess(_ path: String, _ arguments: [String], stderr: Bool = true) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    if stderr { process.standardError = pipe }
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

func firstMatch(_ pattern: String, in text: String) -> String? {
    guard let regex = try? NSRegularExpression(pattern: pattern),
          let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
          match.numberOfRanges > 1, let range = Range(match.range(at: 1), in: text) else { return nil }
    return String(text[range])
}
