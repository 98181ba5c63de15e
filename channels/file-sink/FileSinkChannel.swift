import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Appends one JSON object per delivery to a file.
///
/// Each line is written with one `write(2)` on a descriptor opened with `O_APPEND`, so
/// lines from concurrent senders (and from other processes) never interleave. The
/// receipt id names the channel, the delivery and the line's byte offset, so it is
/// unique and points at the line it stands for.
public final class FileSinkChannel: Channel {
    public enum SyncPolicy: String, Sendable, CaseIterable {
        case always, interval, never
    }

    public let name: String
    public let accepts = AddressKind.any
    public let url: URL
    public let sync: SyncPolicy
    let syncInterval: Double
    let clock: any GatewayClock
    private let file: Mutex<(fd: Int32, lastSync: Date)>

    public init(settings: ChannelSettings, context: ChannelContext) throws(ConfigError) {
        guard let path = settings.string("path"), !path.isEmpty else {
            throw settings.problem("path", "must name a file")
        }
        guard let sync = SyncPolicy(rawValue: settings.string("fsync") ?? "always") else {
            throw settings.problem("fsync", "unknown policy '\(settings.string("fsync") ?? "")'; valid: \(SyncPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let url = context.resolve(path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw settings.problem("path", "'\(path)' is a folder; name a file inside it")
        }
        self.name = settings.name
        self.url = url
        self.sync = sync
        self.syncInterval = Double(settings.int("fsync_interval_ms") ?? 1000) / 1000
        self.clock = context.clock
        self.file = Mutex((-1, .distantPast))
    }

    deinit {
        file.withLock { if $0.fd >= 0 { Glibc.close($0.fd) } }
    }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        let now = clock.now()
        let line = FileSinkLine(id: delivery.id, type: delivery.type.rawValue, channel: name,
                                recipient: delivery.recipient, subject: delivery.subject, body: delivery.body,
                                metadata: delivery.metadata, time: ISO8601.string(from: now))
        var bytes: Data
        do { bytes = try FileSinkLine.encoder.encode(line) } catch {
            throw .storage("encodage JSON impossible : \(error)")
        }
        bytes.append(0x0A)
        let offset = try append(bytes, now: now)
        return Receipt(channel: name, messageID: "\(name):\(delivery.id)@\(offset)", acceptedAt: now,
                       recipient: delivery.recipient, providerAnswer: "",
                       details: ["file": url.path, "offset": String(offset)],
                       note: "Ajouté au fichier \(url.path). ID: \(name):\(delivery.id)@\(offset)")
    }

    public func checkHealth() async -> ChannelHealth {
        if FileManager.default.fileExists(atPath: url.path) {
            return access(url.path, W_OK) == 0 ? .healthy("writable: \(url.path)") : .unhealthy("not writable: \(url.path)")
        }
        // The nearest existing ancestor decides whether the file can be created.
        var folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        guard isDirectory.boolValue else { return .unhealthy("\(folder.path) is a file, not a folder") }
        return access(folder.path, W_OK) == 0 ? .healthy("will create \(url.path)") : .unhealthy("folder not writable: \(folder.path)")
    }

    /// Writes the line, syncing as the policy says; answers the offset it starts at.
    private func append(_ bytes: Data, now: Date) throws(ChannelError) -> Int64 {
        try file.withLock { (state: inout (fd: Int32, lastSync: Date)) throws(ChannelError) -> Int64 in
            if state.fd < 0 { state.fd = try open() }
            let offset = Int64(lseek(state.fd, 0, SEEK_END))
            let written = bytes.withUnsafeBytes { raw -> Int in
                var done = 0
                while done < raw.count {
                    let n = write(state.fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 { if errno == EINTR { continue }; return -1 }
                    done += n
                }
                return done
            }
            if written < 0 {
                let why = String(cString: strerror(errno))
                // A short write may have left part of a line: end it so the next line
                // stays whole and readers can skip the broken one.
                _ = ftruncate(state.fd, off_t(offset))
                throw .storage("écriture dans \(url.path) impossible : \(why)")
            }
            let due = sync == .always || (sync == .interval && now.timeIntervalSince(state.lastSync) >= syncInterval)
            if due {
                guard fsync(state.fd) == 0 else {
                    throw .storage("synchronisation de \(url.path) sur le disque impossible : \(String(cString: strerror(errno)))")
                }
                state.lastSync = now
            }
            return offset
        }
    }

    private func open() throws(ChannelError) -> Int32 {
        // Private (0700 folder, 0600 file): the lines hold taxpayers' names and addresses.
        let folder = url.deletingLastPathComponent()
        do throws(PrivateFileError) {
            try PrivateFile.createDirectory(folder.path)
        } catch {
            throw .storage("impossible de créer le dossier \(error)")
        }
        let fd = PrivateFile.open(url.path, O_WRONLY | O_APPEND)
        guard fd >= 0 else {
            throw .storage("impossible d'ouvrir \(url.path) en écriture : \(String(cString: strerror(errno)))")
        }
        return fd
    }
}

/// One line of the file, with its fields in a fixed order for people who read it.
struct FileSinkLine: Codable {
    var id: String
    var type: String
    var channel: String
    var recipient: String
    var subject: String
    var body: String
    var metadata: [String: String]
    var time: String

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}
