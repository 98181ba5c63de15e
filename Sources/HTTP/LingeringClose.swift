import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Closing a socket that still has unread input makes the kernel reset the connection,
/// and a client still sending its body (after a 413, a 503) then gets a broken pipe
/// instead of our answer. So after a refusal we stop writing, read and discard what
/// keeps coming for a short while, and only then let the caller close.
enum LingeringClose {
    /// Half-closes `fd` and drains it until the peer closes, `limit` seconds pass, or
    /// `maxBytes` were discarded.
    static func drain(_ fd: Int32, limit: Double, maxBytes: Int = 16 * 1024 * 1024) {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = Date().addingTimeInterval(limit)
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var discarded = 0
        while discarded < maxBytes {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(max(1, min(left, 3600) * 1000)))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { return }
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            discarded += n
        }
    }
}
