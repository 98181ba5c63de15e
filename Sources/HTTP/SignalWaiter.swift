import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Blocks the calling thread until SIGINT or SIGTERM arrives, so a server can shut
/// down gracefully. The signals are blocked for the whole process first, then taken
/// with `sigwait`: no handler runs in an arbitrary thread.
public enum SignalWaiter {
    public static func waitForTermination() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var received: Int32 = 0
        sigwait(&set, &received)
    }
}
