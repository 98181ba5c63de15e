import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program the tests start, with `posix_spawn`, instead of Foundation's `Process`:
/// on Linux `Process.run()` copies a whole `d_name` out of each `/proc/self/fd` entry
/// `readdir` gives, and reads past the end of the directory buffer when an entry sits at
/// the end of a page (signal 11 at a page boundary, seen in full runs with many sockets
/// open). Here the child gets its standard input, output and error as asked, in
/// `directory`, and no other descriptor of ours.
public final class Spawned: Sendable {
    public enum Stream: Sendable {
        case null
        case pipe
        /// A file, created or emptied.
        case file(URL)
    }

    public let processIdentifier: pid_t
    /// The write end of the child's standard input, when it is a pipe.
    public let input: FileHandle?
    /// The read end of the child's standard output (or error), when it is a pipe.
    public let output: FileHandle?
    public let errorOutput: FileHandle?
    /// The raw wait status once it ended.
    private let ended = Mutex<Int32?>(nil)

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`.
    /// `environment` nil is ours; `error` nil goes where `output` goes.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
                input: Stream = .null, output: Stream = .null, error: Stream? = nil) throws {
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
        var parentEnds: [Int32] = [], childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        func pipeEnds() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
            // Not inherited by anything else this process starts (pipe2 is not in Swift's Glibc).
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
        /// Sets `target` (0, 1, 2) in the child; answers the parent's end of a pipe.
        func attach(_ stream: Stream, to target: Int32) throws -> FileHandle? {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
                return nil
            case .file(let url):
                posix_spawn_file_actions_addopen(&actions, target, url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                return nil
            case .pipe:
                let ends = try pipeEnds()
                let (mine, theirs) = target == 0 ? (ends.write, ends.read) : (ends.read, ends.write)
                parentEnds.append(mine)
                childEnds.append(theirs)
                posix_spawn_file_actions_adddup2(&actions, theirs, target)
                return FileHandle(fileDescriptor: mine, closeOnDealloc: true)
            }
        }
        self.input = try attach(input, to: 0)
        self.output = try attach(output, to: 1)
        if let error {
            self.errorOutput = try attach(error, to: 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            self.errorOutput = nil
        }
        _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        if let directory {
            _ = directory.path.withCString { unsafeBitCast(changeDirectory, to: ChangeDirectory.self)(&actions, $0) }
        }
        let variables = environment ?? ProcessInfo.processInfo.environment
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0)=\($1)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, executable, &actions, nil, argv, envp)
        guard status == 0 else {
            parentEnds.forEach { close($0) }
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        processIdentifier = child
    }

    public var isRunning: Bool {
        ended.withLock { ended in
            guard ended == nil else { return false }
            var status: Int32 = 0
            guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return true }
            ended = status
            return false
        }
    }

    /// The exit status, or the signal's number when a signal ended it (as `Process`).
    public var terminationStatus: Int32 {
        guard let status = ended.withLock({ $0 }) else { return -1 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    public var terminationReason: Process.TerminationReason {
        (ended.withLock { $0 } ?? 0) & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    public func terminate() { if isRunning { kill(processIdentifier, SIGTERM) } }

    /// Blocks this thread until the program ends.
    public func waitUntilExit() { while isRunning { usleep(5_000) } }

    /// Waits for the end without holding a thread; SIGTERM first when `terminating`,
    /// SIGKILL once `seconds` have passed. Answers whether it ended within them.
    @discardableResult
    public func exited(within seconds: Double = 60, terminating: Bool = false) async -> Bool {
        if terminating { terminate() }
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        let inTime = !isRunning
        if !inTime { kill(processIdentifier, SIGKILL) }
        while isRunning { try? await Task.sleep(nanoseconds: 10_000_000) }
        return inTime
    }
}
