import Foundation

/// Runs a request's handler on the connection's own thread. The handler's task prefers
/// this executor, so its jobs land here, and the connection thread runs them while it
/// waits for the response: a handler that never suspends costs no thread switch, and
/// one that awaits (an actor, a sleep) comes back to this thread when it resumes.
///
/// A job that arrives when no request is being handled (a stray child of a finished
/// handler) goes to the global executor rather than waiting for the next request.
///
/// `@unchecked Sendable`: its state is shared with the connection thread under an
/// `NSCondition` (the thread waits on it), and every `var` is read and written with
/// `condition` held.
final class ConnectionExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var running = false
    private var finished = false

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard running else {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func markFinished() {
        condition.lock()
        finished = true
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` as a task on this executor and the jobs it makes, on the calling
    /// thread, until it returns.
    func run(_ body: @escaping @Sendable () async -> Void) {
        condition.lock()
        running = true
        finished = false
        condition.unlock()
        Task(executorPreference: self) {
            await body()
            self.markFinished()
        }
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !finished { condition.wait() }
            if jobs.isEmpty {
                running = false
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
