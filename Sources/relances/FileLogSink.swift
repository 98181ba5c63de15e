import Foundation
import Gateway
#if canImport(Glibc)
import Glibc
#endif

/// Writes each log record as one line appended to a private file (`--log FILE`): a
/// campaign's line per SMS goes there, and the terminal keeps its progress line.
final class FileLogSink: LogSink, Sendable {
    private let fd: Int32

    init(path: String) throws(UsageError) {
        fd = PrivateFile.open(path, O_WRONLY | O_APPEND)
        guard fd >= 0 else { throw UsageError("--log : impossible d'écrire dans \(path) (\(String(cString: strerror(errno))))") }
    }

    deinit { close(fd) }

    func write(_ record: LogRecord) {
        // One write(2) per line on an O_APPEND descriptor: lines never interleave.
        let line = Array((record.formatted + "\n").utf8)
        _ = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
