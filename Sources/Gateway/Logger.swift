import Foundation
import Synchronization

/// How much a log line matters.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug, info, warning, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    public var description: String {
        switch self { case .debug: "debug"; case .info: "info"; case .warning: "warning"; case .error: "error" }
    }
}

/// One log line before formatting.
public struct LogRecord: Sendable {
    public var time: Date
    public var level: LogLevel
    public var label: String
    public var message: String
    public var fields: [(String, String)]

    /// `time=… level=info label=ventis msg="…" key=value`, quoting what needs it.
    public var formatted: String {
        var line = "time=\(ISO8601.string(from: time)) level=\(level) label=\(label) msg=\(LogRecord.quote(message))"
        for (key, value) in fields { line += " \(key)=\(LogRecord.quote(value))" }
        return line
    }

    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@*+".contains($0) }
        if plain { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}

/// Where log lines go: standard error in production, memory in tests.
public protocol LogSink: Sendable {
    func write(_ record: LogRecord)
}

/// A small structured logger (`key=value` lines with levels), passed by value.
///
/// Phone numbers and e-mails are masked with ``mask(_:)`` unless debug is on, so a
/// log can be shared without leaking who the office reminded.
public struct Logger: Sendable {
    public var label: String
    public var level: LogLevel
    public var sink: any LogSink
    /// Shared by copies made with ``labelled(_:)`` so a warning meant to be said once is said once.
    let once: OnceRegistry

    public init(label: String = "relances", level: LogLevel = .info, sink: any LogSink = StandardErrorSink()) {
        self.label = label
        self.level = level
        self.sink = sink
        self.once = OnceRegistry()
    }

    /// The same logger under another label (`ventis`, `http`, `api`).
    public func labelled(_ label: String) -> Logger {
        var copy = self
        copy.label = label
        return copy
    }

    /// Whether debug lines are written (and personal data left unmasked).
    public var isDebug: Bool { level <= .debug }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, Any> = [:]) {
        guard level >= self.level else { return }
        // A URL's credentials never reach a log, whoever wrote the line.
        let record = LogRecord(time: Date(), level: level, label: label, message: Masking.url(message()),
                               fields: fields.map { ($0.key, Masking.url("\($0.value)")) })
        sink.write(record)
    }

    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.debug, message(), fields) }
    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.info, message(), fields) }
    public func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.warning, message(), fields) }
    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, Any> = [:]) { log(.error, message(), fields) }

    /// Logs a warning the first time `key` is seen by this logger or its copies.
    public func warnOnce(_ key: String, _ message: String) {
        if once.firstTime(key) { warning(message) }
    }

    /// A phone number or e-mail as it may appear in a log: whole when debug is on,
    /// else masked (`24106****67`, `j***@example.ga`).
    public func mask(_ address: String) -> String {
        isDebug ? address : Masking.mask(address)
    }
}

/// Masks personal data for logs and exports.
public enum Masking {
    public static func mask(_ address: String) -> String {
        if let at = address.firstIndex(of: "@") {
            let user = address[..<at]
            return "\(user.prefix(1))***\(address[at...])"
        }
        let chars = Array(address)
        guard chars.count > 6 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(5)) + "****" + String(chars.suffix(2))
    }
}

final class OnceRegistry: Sendable {
    private let seen = Mutex<Set<String>>([])
    func firstTime(_ key: String) -> Bool { seen.withLock { $0.insert(key).inserted } }
}

/// Writes each record as one line on standard error.
public struct StandardErrorSink: LogSink {
    public init() {}
    public func write(_ record: LogRecord) {
        let line = record.formatted + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Keeps records in memory, for tests that assert what was (and was not) logged.
public final class MemoryLogSink: LogSink {
    private let records = Mutex<[LogRecord]>([])
    public init() {}
    public func write(_ record: LogRecord) { records.withLock { $0.append(record) } }
    public var lines: [String] { records.withLock { $0.map(\.formatted) } }
    public var all: [LogRecord] { records.withLock { $0 } }
}

