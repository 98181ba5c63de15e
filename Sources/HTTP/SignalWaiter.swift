import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Blocks the calling thread until SIGINT or SIGTERM arrives, so a server can shut
/// down gracefully instead of dying mid-request. The signals' default action is
/// turned off and they are delivered through dispatch signal sources, which works
/// whichever thread the kernel picks.
public enum SignalWaiter {
    /// Waits for SIGINT or SIGTERM; answers which arrived.
    @discardableResult
    public static func waitForTermination() -> Int32 {
        let arrived = DispatchSemaphore(value: 0)
        let which = Mutex<Int32>(0)
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                which.withLock { $0 = number }
                arrived.signal()
            }
            source.resume()
            return source
        }
        arrived.wait()
        sources.forEach { $0.cancel() }
        return which.withLock { $0 }
    }
}
