import EmailStub
import Foundation
import Gateway
import HTTP

/// Sends each delivery as one e-mail to an SMTP server, through the shared curl threads.
///
/// The message is the one the `email-stub` spool writes, with a Message-ID made from
/// the delivery id: a retry sends the same Message-ID, so a server or a mailbox that
/// already has it can tell. Replies map to ``ChannelError``: a refused recipient is an
/// invalid recipient, 4xx is temporary (retried), 5xx permanent with the server's text.
public final class SMTPChannel: Channel {
    public let name: String
    public let accepts = AddressKind.email
    let url: String
    let startTLS: MailSubmission.StartTLS
    let username: String
    let password: Secret
    let from: String
    let fromName: String
    let replyTo: String
    let domain: String
    let client: CurlHTTPClient
    let clock: any GatewayClock
    let logger: Logger

    public init(settings: ChannelSettings, context: ChannelContext) throws(ConfigError) {
        let logger = context.logger.labelled("smtp")
        let url = (settings.string("url") ?? "").trimmingCharacters(in: .whitespaces)
        guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://"), URL(string: url)?.host != nil else {
            throw settings.problem("url", "'\(url)' is not an smtp:// or smtps:// URL (e.g. smtp://smtp.mairie-libreville.ga:587)")
        }
        guard let startTLS = MailSubmission.StartTLS(rawValue: settings.string("starttls") ?? "required") else {
            throw settings.problem("starttls", "must be one of required, optional, off")
        }
        let from = settings.string("from") ?? ""
        if let why = EmailAddress.problem(from) { throw settings.problem("from", "not a usable address: \(why)") }
        let replyTo = settings.string("reply_to") ?? ""
        if !replyTo.isEmpty, let why = EmailAddress.problem(replyTo) { throw settings.problem("reply_to", "not a usable address: \(why)") }
        let fromName = settings.string("from_name") ?? ""
        guard !fromName.contains(where: \.isNewline) else { throw settings.problem("from_name", "must be on one line") }
        let username = settings.string("username") ?? ""
        let password = settings.secret("password")
        if !username.isEmpty && password.isEmpty {
            throw settings.problem("password", "is empty while username is set; set SMTP_PASSWORD (in the environment or .env)")
        }
        if url.hasPrefix("smtp://") && startTLS != .required && !username.isEmpty {
            logger.warnOnce("smtp-clear-\(settings.name)",
                            "channels.\(settings.name).starttls=\(startTLS.rawValue): the SMTP password may travel in clear")
        }
        let transport = try TransportSettings(settings, context: context, logger: logger)
        self.name = settings.name
        self.url = url
        self.startTLS = startTLS
        self.username = username
        self.password = password
        self.from = from
        self.fromName = fromName
        self.replyTo = replyTo
        self.domain = String(from.split(separator: "@").last ?? "localhost")
        self.client = context.httpClient(transport, logger: logger)
        self.clock = context.clock
        self.logger = logger
    }

    public func check(_ delivery: Delivery) -> DeliveryCheck { EmailAddress.check(delivery) }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        let to = try EmailAddress.recipient(of: delivery)
        let messageID = MIMEMessage.messageID(deliveryID: delivery.id, domain: domain)
        let message = MIMEMessage(from: from, fromName: fromName, to: to, replyTo: replyTo,
                                  subject: delivery.subject.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " "),
                                  date: clock.now(), messageID: messageID, body: delivery.body,
                                  extraHeaders: [("X-Relance-Delivery", EmailStubChannel.safe(delivery.id))])
        let reply = await client.sendMail(MailSubmission(url: url, from: from, recipients: [to], message: Data(message.render().utf8),
                                                         startTLS: startTLS, username: username, password: password.value))
        let answer = "\(reply.code) \(reply.text)"
        guard let failure = reply.failure else {
            logger.info("e-mail accepted", ["delivery": delivery.id, "to": logger.mask(to), "reply": answer])
            return Receipt(channel: name, messageID: messageID, acceptedAt: clock.now(), recipient: to, providerAnswer: answer,
                           details: ["server": url],
                           note: "E-mail remis au serveur \(Self.host(url)) (\(name)). Message-ID: \(messageID)")
        }
        logger.info("e-mail not accepted", ["delivery": delivery.id, "to": logger.mask(to), "reply": answer])
        switch failure {
        case .recipient where reply.code < 500:
            throw .providerUnavailable(status: reply.code, body: "destinataire refusé pour l'instant : \(answer)")
        case .recipient:
            throw .invalidRecipient("« \(to) » refusé par le serveur : \(answer)")
        case .login:
            throw ChannelError.authentication("le serveur SMTP refuse la connexion de « \(username) » : \(answer)")
                .hint("vérifiez SMTP_USERNAME et SMTP_PASSWORD")
        case .reply where reply.code >= 400 && reply.code < 500:
            throw .providerUnavailable(status: reply.code, body: answer)
        case .reply:
            throw .refused(code: String(reply.code), message: reply.text)
        case .transport(.tls(let why)) where startTLS == .required && reply.code > 0:
            // The server answered but would not do STARTTLS: no retry will change that.
            throw ChannelError.rejected(status: reply.code, body: "STARTTLS exigé (starttls=required) mais impossible : \(why)")
        case .transport(let error):
            throw ChannelError(transport: error)
        }
    }

    public func checkHealth() async -> ChannelHealth { .healthy("serveur : \(url)") }

    static func host(_ url: String) -> String { URL(string: url)?.host ?? url }
}
