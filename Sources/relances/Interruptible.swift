import Foundation
import HTTP
import Synchronization

/// Runs a batch so that Ctrl-C or SIGTERM stops it cleanly: nothing more is claimed,
/// the sends in flight finish and are recorded, what was claimed and not started goes
/// back as it was. A second signal ends the process at once.
enum Interruptible {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> (value: T, signal: Int32?) {
        let task = Task { await body() }
        let received = Atomic<Int32>(0)
        SignalWaiter.onTermination([SIGINT, SIGTERM]) { number in
            received.store(number, ordering: .relaxed)
            FileHandle.standardError.write(Data("\nsignal \(number): finishing the sends in flight, claiming nothing more (again to stop at once)\n".utf8))
            task.cancel()
        }
        let value = await task.value
        let number = received.load(ordering: .relaxed)
        return (value, number == 0 ? nil : number)
    }
}
