import Foundation

extension Masking {
    /// `text` with the credentials of every URL in it masked: `http://user:PW@host/x`
    /// → `http://****@host/x`. The one place a URL's userinfo is hidden, used wherever
    /// a URL may be shown: logs, failure notes, `relances channels`, errors.
    public static func url(_ text: String) -> String {
        // Most text has no `@`: a byte scan says so without Foundation's search (every
        // field of every log line comes through here).
        guard text.utf8.contains(UInt8(ascii: "@")), text.contains("://") else { return text }
        // Up to the last `@` before the path: a password may itself hold an `@`.
        return text.replacingOccurrences(of: #"([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#\s"'<>]*@"#, with: "$1****@",
                                         options: .regularExpression)
    }
}
