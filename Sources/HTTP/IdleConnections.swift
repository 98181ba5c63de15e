import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Connections waiting for their next request (fresh ones, and keep-alive ones between
/// requests), all watched by one `poll` loop on one thread instead of a thread each:
/// two thousand idle clients cost two thousand descriptors, not two thousand threads,
/// and the threads stay free for requests. When one becomes readable it is handed back
/// to the server, which serves it on a thread again; one idle too long is closed.
final class IdleConnections: Sendable {
    /// A pipe written to wake the loop: a connection was parked, or the server stops.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let parked = Mutex<[Int32: Parked]>([:])

    /// `@unchecked Sendable` as ``HTTPConnection`` is: a parked connection is touched
    /// only by the thread that owns it (here, the loop), and handed back whole.
    struct Parked: @unchecked Sendable {
        let connection: HTTPConnection
        let since: Date
    }

    init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for fd in ends {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
    }

    /// False when the system refused a pipe (out of descriptors).
    var isUsable: Bool { wakeRead >= 0 && wakeWrite >= 0 }

    var count: Int { parked.withLock { $0.count } }

    /// Watches `connection` until it has something to read (or the peer hangs up).
    func park(_ connection: HTTPConnection, now: Date = Date()) {
        let fd = connection.fd
        parked.withLock { $0[fd] = Parked(connection: connection, since: now) }
        wake()
        // Parked after the loop's last look (shutdown): nobody would ever close it.
        if connection.server.isStopping, parked.withLock({ $0.removeValue(forKey: fd) }) != nil {
            connection.server.finish(connection)
        }
    }

    /// The loop: hands readable connections to `server` and closes the ones idle longer
    /// than the server's idle timeout (shorter when it is crowded). Returns at shutdown,
    /// after closing every connection still parked.
    func run(_ server: HTTPServer) {
        var fds: [pollfd] = []
        var scratch = [UInt8](repeating: 0, count: 512)
        var lastSweep = Date()
        while !server.isStopping {
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            parked.withLock { p in for fd in p.keys { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) } }
            let n = poll(&fds, nfds_t(fds.count), 250)
            if n < 0 && errno != EINTR { break }
            if n > 0 {
                if fds[0].revents != 0 { while read(wakeRead, &scratch, scratch.count) > 0 {} }
                for entry in fds.dropFirst() where entry.revents != 0 {
                    // Readable, hung up or in error: a thread reads it and sees which.
                    guard let parked = parked.withLock({ $0.removeValue(forKey: entry.fd) }) else { continue }
                    server.resume(parked.connection)
                }
            }
            let now = Date()
            if now.timeIntervalSince(lastSweep) >= 0.25 {
                lastSweep = now
                sweep(server, now: now)
            }
        }
        let left = parked.withLock { p in defer { p.removeAll() }; return Array(p.values) }
        for entry in left { server.finish(entry.connection) }
    }

    /// Closes what has been idle too long: `idleTimeout`, or `crowdedIdleTimeout` once
    /// more than three quarters of the open connections the server allows are in use.
    private func sweep(_ server: HTTPServer, now: Date) {
        let config = server.configuration
        let crowded = server.openConnections * 4 > config.maxOpenConnections * 3
        let limit = crowded ? min(config.idleTimeout, config.crowdedIdleTimeout) : config.idleTimeout
        let expired = parked.withLock { p -> [Parked] in
            let old = p.filter { now.timeIntervalSince($0.value.since) >= limit }
            for fd in old.keys { p.removeValue(forKey: fd) }
            return Array(old.values)
        }
        for entry in expired { server.finish(entry.connection) }
    }

    /// Wakes the loop (to watch a new connection, or see the server stopping).
    func wake() {
        var one: UInt8 = 1
        _ = write(wakeWrite, &one, 1)
    }

    deinit {
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }
}
