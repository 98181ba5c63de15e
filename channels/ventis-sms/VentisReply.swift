/// The messaging API's answer to a 200: plain text, pipe-delimited, not JSON.
enum VentisReply: Equatable {
    /// `+SUCCESS|<message uuid>|<timestamp>`
    case success(uuid: String, timestamp: String)
    /// `-ERROR|<code>|<human message>`
    case error(code: String, message: String)
    /// Anything else: never a success.
    case unexpected

    init(_ body: String) {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        if parts.first == "+SUCCESS", parts.count >= 2, !parts[1].isEmpty, !parts[1].contains(" ") {
            self = .success(uuid: parts[1], timestamp: parts.count > 2 ? parts[2] : "")
        } else if parts.first == "-ERROR", parts.count >= 2 {
            self = .error(code: parts[1], message: parts.count > 2 ? parts[2] : "")
        } else {
            self = .unexpected
        }
    }
}

import Foundation
