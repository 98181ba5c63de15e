import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The TLS side of the SMTP double's STARTTLS, without a TLS library in the program:
/// an `openssl s_server` on a loopback port holds the TLS session, the client's raw
/// bytes are relayed to it, and the decrypted conversation is read from its standard
/// output and answered on its standard input. Needs the `openssl` command (the CI
/// installs it) and a certificate (the tests make one with it).
///
/// The pumps are threads because they block in `recv`. `@unchecked Sendable`: the
/// descriptors and the pid are set in `init`, before the relay is shared, and cleared by
/// `stop()`, which only the SMTP session that owns the relay calls, once; the pump
/// threads use copies of the descriptors, never these properties.
final class TLSRelay: @unchecked Sendable {
    private var pid: pid_t = 0
    private var upstream: Int32 = -1

    /// Where the decrypted conversation is read and written.
    private(set) var input: Int32 = -1
    private(set) var output: Int32 = -1

    /// Starts the TLS server and relays `client`'s bytes to it; nil when it cannot start.
    init?(client: Int32, certificate: String, key: String) {
        guard let port = Self.freePort() else { return nil }
        // posix_spawn rather than Foundation's Process, whose start crashes when the
        // process holds very many descriptors (a test run does).
        var toServer: [Int32] = [-1, -1], fromServer: [Int32] = [-1, -1]
        guard pipe(&toServer) == 0, pipe(&fromServer) == 0 else { return nil }
        // Ours only: the spawned server gets them as its standard input and output.
        for fd in toServer + fromServer { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toServer[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromServer[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = ["openssl", "s_server", "-quiet", "-naccept", "1", "-accept", "127.0.0.1:\(port)",
                         "-cert", certificate, "-key", key]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let spawned = posix_spawnp(&pid, "openssl", &actions, nil, &argv, environ)
        Glibc.close(toServer[0])
        Glibc.close(fromServer[1])
        input = fromServer[0]
        output = toServer[1]
        guard spawned == 0 else { Glibc.close(input); Glibc.close(output); return nil }
        // It listens within moments of starting; connect as soon as it does.
        for _ in 0..<500 {
            if let fd = LoopbackSocket.connect(port: port) { upstream = fd; break }
            usleep(10_000)
        }
        guard upstream >= 0 else { stop(); return nil }
        let up = upstream
        Self.pump(from: client, to: up)
        Self.pump(from: up, to: client)
    }

    func stop() {
        if pid > 0 {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            pid = 0
        }
        if upstream >= 0 { shutdown(upstream, Int32(SHUT_RDWR)); Glibc.close(upstream); upstream = -1 }
        if input >= 0 { Glibc.close(input); input = -1 }
        if output >= 0 { Glibc.close(output); output = -1 }
    }

    /// Copies bytes until either side closes, then shuts the other down.
    private static func pump(from source: Int32, to destination: Int32) {
        // A thread: it blocks in `recv` on `source`.
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let n = recv(source, &buffer, buffer.count, 0)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 || !LoopbackSocket.sendAll(destination, Array(buffer[..<n])) { break }
            }
            shutdown(destination, Int32(SHUT_WR))
        }
        thread.name = "smtp-tls-relay"
        thread.start()
    }

    /// A loopback port free right now (bound, read, released).
    private static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return ok ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
