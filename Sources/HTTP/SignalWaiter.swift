import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM, so a server can shut down gracefully instead of dying
/// mid-request.
///
/// A self-pipe: the signal handler only writes the signal's number to a pipe (the one
/// thing safe to do there), and one dedicated thread reads the pipe and tells whoever
/// waits. This works whichever thread the kernel interrupts, needs no signal mask on
/// threads that already exist, and never involves GCD or Swift's cooperative pool.
///
/// A signal that arrives when nobody waits for it any more (a second Ctrl-C during a
/// graceful shutdown) gets its default action back and is raised again: the process
/// ends at once.
public enum SignalWaiter {
    /// Suspends (holding no thread) until one of `signals` arrives; answers which.
    @discardableResult
    public static func termination(_ signals: [Int32] = [SIGINT, SIGTERM]) async -> Int32 {
        await withCheckedContinuation { continuation in
            onTermination(signals) { continuation.resume(returning: $0) }
        }
    }

    /// Calls `action` once, on the signal thread, when the first of `signals` arrives.
    /// Keep `action` short: start a thread for anything long.
    public static func onTermination(_ signals: [Int32], _ action: @escaping @Sendable (Int32) -> Void) {
        SignalHub.shared.register(Set(signals), action)
    }
}

/// The process's one self-pipe and the waiters on it. Signals are process-wide, so
/// this is too: one instance, created before any handler that uses it is installed.
final class SignalHub: Sendable {
    static let shared = SignalHub()

    let readEnd: Int32
    let writeEnd: Int32

    private struct Waiter {
        var signals: Set<Int32>
        var action: @Sendable (Int32) -> Void
    }

    private struct State {
        var installed: Set<Int32> = []
        var waiters: [Waiter] = []
        var readerStarted = false
    }

    private let state = Mutex(State())

    private init() {
        var ends: [Int32] = [-1, -1]
        // Only at start-up, when a server first asks for signals: no descriptor left
        // then means the process cannot serve anyway.
        if pipe(&ends) != 0 { fatalError("cannot create the signal pipe: \(String(cString: strerror(errno)))") }
        readEnd = ends[0]
        writeEnd = ends[1]
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // The handler must never block, even if nobody reads for a while.
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
    }

    func register(_ signals: Set<Int32>, _ action: @escaping @Sendable (Int32) -> Void) {
        let (toInstall, startReader) = state.withLock { s -> (Set<Int32>, Bool) in
            s.waiters.append(Waiter(signals: signals, action: action))
            let fresh = signals.subtracting(s.installed)
            s.installed.formUnion(fresh)
            defer { s.readerStarted = true }
            return (fresh, !s.readerStarted)
        }
        if startReader {
            // A thread: it blocks in `read` on the signal pipe.
            let reader = Thread { [self] in readLoop() }
            reader.name = "signals"
            reader.stackSize = 128 * 1024
            reader.start()
        }
        for number in toInstall { Self.install(number) }
    }

    private static func install(_ number: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            let saved = errno
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(SignalHub.shared.writeEnd, &byte, 1)
            errno = saved
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(number, &action, nil)
    }

    private func readLoop() {
        var byte: UInt8 = 0
        while true {
            let n = read(readEnd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { return }
            let number = Int32(byte)
            let due = state.withLock { s -> [Waiter] in
                let due = s.waiters.filter { $0.signals.contains(number) }
                s.waiters.removeAll { $0.signals.contains(number) }
                if due.isEmpty { s.installed.remove(number) }
                return due
            }
            if due.isEmpty {
                signal(number, SIG_DFL)
                raise(number)
                continue
            }
            for waiter in due { waiter.action(number) }
        }
    }
}
