import Foundation
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Writes each delivery as one `.eml` file in a spool folder, as a mail server's
/// outgoing queue would hold it. Sends nothing.
///
/// A file is written under a temporary name, flushed, then renamed, so a reader of
/// the folder never sees half a message. File names come from the delivery id and the
/// time only: no recipient or subject can choose where a file goes.
public final class EmailStubChannel: Channel {
    public let name: String
    public let accepts = AddressKind.email
    public let directory: URL
    let from: String
    let fromName: String
    let replyTo: String
    let domain: String
    let clock: any GatewayClock

    public init(settings: ChannelSettings, context: ChannelContext) throws(ConfigError) {
        let from = settings.string("from") ?? ""
        if let why = EmailAddress.problem(from) { throw settings.problem("from", "not a usable address: \(why)") }
        let replyTo = settings.string("reply_to") ?? ""
        if !replyTo.isEmpty, let why = EmailAddress.problem(replyTo) { throw settings.problem("reply_to", "not a usable address: \(why)") }
        let fromName = settings.string("from_name") ?? ""
        guard !fromName.contains(where: \.isNewline) else { throw settings.problem("from_name", "must be on one line") }
        guard let folder = settings.string("directory"), !folder.isEmpty else { throw settings.problem("directory", "must name a folder") }
        self.name = settings.name
        self.directory = context.resolve(folder)
        self.from = from
        self.fromName = fromName
        self.replyTo = replyTo
        self.domain = String(from.split(separator: "@").last ?? "localhost")
        self.clock = context.clock
    }

    public func check(_ delivery: Delivery) -> DeliveryCheck { EmailAddress.check(delivery) }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        let to = try EmailAddress.recipient(of: delivery)
        let now = clock.now()
        // Short enough that the Message-ID line stays under 78 characters (it cannot be folded).
        let token = String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(12))
        let messageID = "\(Self.safe(delivery.id).prefix(24)).\(token)@\(domain)"
        let message = MIMEMessage(from: from, fromName: fromName, to: to, replyTo: replyTo,
                                  subject: delivery.subject.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " "),
                                  date: now, messageID: messageID, body: delivery.body,
                                  extraHeaders: [("X-Relance-Delivery", Self.safe(delivery.id))])
        let fileName = "\(Self.stamp(now))-\(Self.safe(delivery.id))-\(token.prefix(8)).eml"
        try write(Data(message.render().utf8), as: fileName)
        return Receipt(channel: name, messageID: messageID, acceptedAt: now, recipient: to,
                       details: ["file": directory.appendingPathComponent(fileName).path],
                       note: "E-mail déposé dans le dossier d'envoi (\(name)). Message-ID: \(messageID)")
    }

    public func checkHealth() async -> ChannelHealth {
        if !FileManager.default.fileExists(atPath: directory.path) { return .healthy("will create \(directory.path)") }
        return access(directory.path, W_OK) == 0 ? .healthy("spool: \(directory.path)") : .unhealthy("spool not writable: \(directory.path)")
    }

    private func write(_ data: Data, as fileName: String) throws(ChannelError) {
        // Private (0700 folder, 0600 files): the messages hold taxpayers' personal data.
        do throws(PrivateFileError) {
            try PrivateFile.createDirectory(directory.path)
        } catch {
            throw .storage("impossible de créer le dossier \(error)")
        }
        let final = directory.appendingPathComponent(fileName).path
        do throws(PrivateFileError) { try PrivateFile.write(data, to: final) } catch {
            throw .storage("écriture de \(final) impossible : \(error.reason)")
        }
    }

    /// Keeps letters, digits, `-`, `_` and `.` (not leading): safe in a file name and a Message-ID.
    public static func safe(_ text: String) -> String {
        let kept = String(text.unicodeScalars.map { s -> Character in
            s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == ".") ? Character(s) : "_"
        }.prefix(80))
        return kept.hasPrefix(".") ? "_" + kept.dropFirst() : (kept.isEmpty ? "_" : kept)
    }

    static func stamp(_ date: Date) -> String {
        ISO8601.string(from: date).filter { $0.isNumber }
    }
}
