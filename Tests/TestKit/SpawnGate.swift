import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the tests' child processes apart from a test that holds thousands of
/// descriptors: Foundation's `Process.run()` lists `/proc/self/fd` into a buffer it
/// reads past when the process has thousands open (swift-corelibs-foundation#5472), and
/// the whole test run dies with signal 11. All test targets run in one process, so a
/// spawn in one suite meets `IdleConnectionTests`' 2,000 connections in another.
///
/// A spawn waits while such a test holds its descriptors; such a test waits until no
/// spawn is under way, then holds the gate on its own thread and lets go there (never
/// on the cooperative pool, which waiting spawns may be blocking).
public enum SpawnGate {
    private struct State { var spawning = 0; var crowded = false }
    private static let state = Mutex(State())

    /// `process.run()`, once no test holds thousands of descriptors.
    public static func run(_ process: Process) throws {
        while !state.withLock({ s in
            guard !s.crowded else { return false }
            s.spawning += 1
            return true
        }) { usleep(5_000) }
        defer { state.withLock { $0.spawning -= 1 } }
        try process.run()
    }

    /// Runs `body`, which opens thousands of descriptors and closes them before it
    /// returns, with no spawn under way meanwhile. Call it on a thread of its own.
    public static func crowding<T>(_ body: () throws -> T) rethrows -> T {
        while !state.withLock({ s in
            guard !s.crowded, s.spawning == 0 else { return false }
            s.crowded = true
            return true
        }) { usleep(5_000) }
        defer { state.withLock { $0.crowded = false } }
        return try body()
    }
}
