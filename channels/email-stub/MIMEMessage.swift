import Foundation

/// Renders an RFC 5322 message with a UTF-8 text body: encoded-word subjects (RFC 2047),
/// quoted-printable bodies (RFC 2045), CRLF line ends, header lines folded under 78.
/// Shared by the `email-stub` spool and the `smtp` channel, so both write the same message.
public struct MIMEMessage: Sendable {
    public var from: String
    public var fromName: String
    public var to: String
    public var replyTo: String
    public var subject: String
    public var date: Date
    /// Without the angle brackets.
    public var messageID: String
    public var body: String
    public var extraHeaders: [(String, String)] = []

    public init(from: String, fromName: String, to: String, replyTo: String, subject: String, date: Date,
                messageID: String, body: String, extraHeaders: [(String, String)] = []) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
        self.extraHeaders = extraHeaders
    }

    /// A Message-ID made from the delivery id alone, so every attempt at one delivery
    /// carries the same one and a retry is recognisable (`relance-42.r@domain`).
    public static func messageID(deliveryID: String, domain: String) -> String {
        "\(EmailStubChannel.safe(deliveryID).prefix(40)).r@\(domain)"
    }

    public func render() -> String {
        var headers: [(String, String)] = [
            ("From", fromName.isEmpty ? from : Self.mailbox(name: fromName, address: from)),
            ("To", to),
        ]
        if !replyTo.isEmpty { headers.append(("Reply-To", replyTo)) }
        headers += [
            ("Subject", Self.encodeWords(subject, headerLength: 9)),
            ("Date", Self.rfc5322Date(date)),
            ("Message-ID", "<\(messageID)>"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "quoted-printable"),
        ]
        headers += extraHeaders
        var out = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\r\n")
        out += "\r\n\r\n"
        let encoded = Self.quotedPrintable(body)
        out += encoded
        // The body already ends with a line end when its text did.
        if !encoded.hasSuffix("\r\n") { out += "\r\n" }
        return out
    }

    /// The header value as is when it is printable ASCII, else as RFC 2047 encoded
    /// words (`=?UTF-8?B?…?=`), split on character boundaries and folded so no line
    /// exceeds 76 characters.
    static func encodeWords(_ text: String, headerLength: Int, chunkBytes: Int = 39) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }
        if plain && text.count + headerLength <= 76 { return text }
        if plain { return text }
        // "Subject: " + "=?UTF-8?B?" + base64 of 39 bytes (52) + "?=" stays under 76 per line.
        var words: [String] = []
        var chunk = Data()
        for ch in text {
            let bytes = Data(String(ch).utf8)
            if chunk.count + bytes.count > chunkBytes {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `Name <address>`, the name encoded when needed, folded before the address when
    /// the line would be too long.
    static func mailbox(name: String, address: String) -> String {
        // One encoded word for any usual name (45 bytes: 72 characters, under RFC 2047's
        // 75): some readers (Python's address parser) keep the space between two words.
        let words = encodeWords(name, headerLength: 6, chunkBytes: 45)
        let lastLine = words.components(separatedBy: "\r\n").last ?? words
        return lastLine.count + address.count + 9 > 76 ? "\(words)\r\n <\(address)>" : "\(words) <\(address)>"
    }

    /// Quoted-printable with CRLF line ends and soft breaks under 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines: [String] = []
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var current = ""
            for (i, b) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                let token: String
                if (b >= 33 && b <= 126 && b != 61) || ((b == 32 || b == 9) && !isLast) {
                    token = String(UnicodeScalar(b))
                } else {
                    token = String(format: "=%02X", b)
                }
                if current.count + token.count > 75 {
                    lines.append(current + "=")
                    current = ""
                }
                current += token
            }
            lines.append(current)
        }
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
