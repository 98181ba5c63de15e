import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Waits for the process to end without holding a thread of Swift's cooperative pool
    /// (two threads on a two-core machine: one test blocked in `waitUntilExit()` starves
    /// the servers every other test is talking to). SIGTERM first when `terminating`;
    /// SIGKILL once `seconds` have passed. Answers whether it ended within them.
    @discardableResult
    public func exited(within seconds: Double = 60, terminating: Bool = false) async -> Bool {
        if terminating && isRunning { terminate() }
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        let ended = !isRunning
        if !ended { kill(processIdentifier, SIGKILL) }
        while isRunning { try? await Task.sleep(nanoseconds: 10_000_000) }
        waitUntilExit()   // reaps it, at once: it has ended
        return ended
    }
}
