import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program started with `posix_spawn`, for tests that start many: Foundation's
/// `Process.run()` lists `/proc/self/fd` with a read past its buffer, and crashes the test
/// run when the process holds thousands of descriptors (as `IdleConnectionTests` does
/// meanwhile; swift-corelibs-foundation#5472). The child gets only standard input
/// (`/dev/null`), output and error (both to `output`), in `directory`.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let ended = Mutex<Int32?>(nil)

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(_ executable: String, _ arguments: [String], environment: [String: String], directory: URL, output: URL) throws {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        // glibc 2.34 has both; Swift's Glibc module does not declare them.
        guard let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np"),
              let changeDirectory = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
            throw Failure(description: "this C library lacks posix_spawn_file_actions_addclosefrom_np or _addchdir_np (glibc 2.34)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        _ = directory.path.withCString { unsafeBitCast(changeDirectory, to: ChangeDirectory.self)(&actions, $0) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { (s: String) in strdup(s) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { (k, v) in strdup("\(k)=\(v)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, envp)
        guard status == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))") }
        pid = child
    }

    /// The exit status, or the signal's number when a signal ended it (as `Process`).
    var terminationStatus: Int32 { ended.withLock { $0 } ?? -1 }

    var isRunning: Bool {
        ended.withLock { ended in
            guard ended == nil else { return false }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return true }
            ended = status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
            return false
        }
    }

    func terminate() { if isRunning { kill(pid, SIGTERM) } }

    /// Waits for the end without holding a thread; SIGTERM first when `terminating`,
    /// SIGKILL once `seconds` have passed. Answers whether it ended within them.
    @discardableResult
    func exited(within seconds: Double = 60, terminating: Bool = false) async -> Bool {
        if terminating { terminate() }
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        let inTime = !isRunning
        if !inTime { kill(pid, SIGKILL) }
        while isRunning { try? await Task.sleep(nanoseconds: 10_000_000) }
        return inTime
    }
}
