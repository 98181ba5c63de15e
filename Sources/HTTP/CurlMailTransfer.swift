import CCurl
import Foundation

/// One message for an SMTP server: the envelope and the RFC 5322 bytes.
public struct MailSubmission: Sendable {
    /// `smtp://host:587` or `smtps://host:465`.
    public var url: String
    public var from: String
    public var recipients: [String]
    public var message: Data
    /// STARTTLS on `smtp://`: required (refuse to send in clear), tried when offered, or not.
    public var startTLS: StartTLS
    public var username: String
    public var password: String

    public enum StartTLS: String, Sendable, CaseIterable { case required, optional, off }

    public init(url: String, from: String, recipients: [String], message: Data, startTLS: StartTLS = .required,
                username: String = "", password: String = "") {
        self.url = url
        self.from = from
        self.recipients = recipients
        self.message = message
        self.startTLS = startTLS
        self.username = username
        self.password = password
    }
}

/// What the SMTP server said: its last reply, and the step that failed if any.
public struct MailReply: Sendable, Equatable {
    /// The last reply's code (250, 451, 550), 0 when none came.
    public var code: Int
    /// The last reply's text, as the server wrote it (`5.1.1 boîte inconnue`).
    public var text: String
    /// Why curl stopped, nil on success.
    public var failure: Failure?

    public enum Failure: Sendable, Equatable {
        /// A recipient was refused (RCPT), before any data was sent.
        case recipient
        /// The sign-in was refused.
        case login
        /// Another reply that was not a success (MAIL, DATA, the message's end).
        case reply
        /// No answer, or no usable one: the transport error.
        case transport(HTTPClientError)
    }
}

extension CurlHTTPClient {
    /// Sends one message by SMTP on the client's threads, with its TLS settings.
    public func sendMail(_ mail: MailSubmission, timeout: Double? = nil) async -> MailReply {
        let configuration = self.configuration
        return await perform { handle in
            guard let handle else { return MailReply(code: 0, text: "", failure: .transport(.transport("curl_easy_init failed"))) }
            return CurlMailTransfer.perform(mail, on: handle, configuration: configuration, timeout: timeout ?? configuration.timeout)
        }
    }
}

enum CurlMailTransfer {
    final class Source {
        let bytes: Data
        var offset = 0
        var replies: [String] = []
        init(_ bytes: Data) { self.bytes = bytes }
    }

    static func perform(_ mail: MailSubmission, on handle: UnsafeMutableRawPointer, configuration: CurlHTTPClient.Configuration,
                        timeout: Double) -> MailReply {
        curl_easy_reset(handle)
        defer { curl_easy_reset(handle) }
        guard mail.url.hasPrefix("smtp://") || mail.url.hasPrefix("smtps://") else {
            return MailReply(code: 0, text: "", failure: .transport(.invalidURL(mail.url)))
        }
        let source = Source(mail.message)
        let pointer = Unmanaged.passRetained(source)
        defer { pointer.release() }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var recipients: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipients) }
        for r in mail.recipients { recipients = curl_slist_append(recipients, "<\(r)>") }

        curlTransport(handle, url: mail.url, timeout: timeout, configuration: configuration, errorBuffer: errorBuffer)
        if mail.url.hasPrefix("smtp://") {
            let level = switch mail.startTLS { case .required: CURLUSESSL_ALL; case .optional: CURLUSESSL_TRY; case .off: CURLUSESSL_NONE }
            ccurl_setopt_long(handle, CURLOPT_USE_SSL, Int(level.rawValue))
        }
        if !mail.username.isEmpty {
            ccurl_setopt_string(handle, CURLOPT_USERNAME, mail.username)
            ccurl_setopt_string(handle, CURLOPT_PASSWORD, mail.password)
        }
        ccurl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.from)>")
        ccurl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        ccurl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        ccurl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(mail.message.count))
        ccurl_setopt_write_function(handle, CURLOPT_READFUNCTION, curlReadMessage)
        ccurl_setopt_pointer(handle, CURLOPT_READDATA, pointer.toOpaque())
        // The server's replies come to the header callback: their text goes in the note.
        ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlMailReply)
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, pointer.toOpaque())

        let code = curl_easy_perform(handle)
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        // After a failure curl still says QUIT: the reply that matters is the first refusal.
        let failing = source.replies.first { ($0.first == "4" || $0.first == "5") }
        let chosen = (code == CURLE_OK ? source.replies.last : failing ?? source.replies.last) ?? ""
        let text = chosen.count > 4 ? String(chosen.dropFirst(4)) : ""
        let replyCode = Int(chosen.prefix(3)) ?? status
        if code == CURLE_OK { return MailReply(code: replyCode, text: text, failure: nil) }
        let detail = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
        let generic = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty || detail == generic ? generic : "\(generic): \(detail)"
        let sawData = source.replies.contains { $0.hasPrefix("354") }
        switch code {
        case CURLE_LOGIN_DENIED: return MailReply(code: replyCode, text: text, failure: .login)
        case _ where failing != nil && !sawData && detail.contains("RCPT"):
            return MailReply(code: replyCode, text: text, failure: .recipient)
        case _ where failing != nil && code != CURLE_OPERATION_TIMEDOUT:
            return MailReply(code: replyCode, text: text, failure: .reply)
        default:
            let sink = CurlTransfer.Sink(limit: 0)
            return MailReply(code: replyCode, text: text, failure: .transport(CurlTransfer.error(code, message: message, sink: sink, timeout: timeout)))
        }
    }
}

private func curlReadMessage(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let buffer, let context else { return 0 }
    let source = Unmanaged<CurlMailTransfer.Source>.fromOpaque(context).takeUnretainedValue()
    let n = min(size * count, source.bytes.count - source.offset)
    guard n > 0 else { return 0 }
    source.bytes.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + source.offset, byteCount: n)
    }
    source.offset += n
    return n
}

private func curlMailReply(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let pointer, let context else { return 0 }
    let source = Unmanaged<CurlMailTransfer.Source>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = curlLine(pointer, length)
    if line.count >= 3, line.prefix(3).allSatisfy(\.isNumber) { source.replies.append(line) }
    return length
}
