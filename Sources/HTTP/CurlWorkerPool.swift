import CCurl
import Foundation
import Gateway

/// Threads that each own one curl easy handle and run transfers handed to them.
/// Threads are started as demand grows, up to `limit`, and live as long as the pool.
/// Threads because `curl_easy_perform` blocks: never on the cooperative pool.
/// `@unchecked Sendable`: every `var` is read and written with `condition` held (the
/// workers wait on it).
final class CurlWorkerPool: SharedResource, @unchecked Sendable {
    /// Runs on a worker thread with its handle (nil if curl could not make one, which
    /// the job must report as a failure rather than wait).
    typealias Job = (UnsafeMutableRawPointer?) -> Void

    private let limit: Int
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queueHead = 0
    private var workers = 0
    private var idle = 0
    /// Threads started but not yet waiting for work: they will take a queued job too.
    private var starting = 0
    private var stopping = false

    init(limit: Int) { self.limit = limit }

    func submit(_ job: @escaping Job) {
        condition.lock()
        queue.append(job)
        // More jobs waiting than threads about to take them: one more thread.
        let spawn = queue.count - queueHead > idle + starting && workers < limit
        if spawn { workers += 1; starting += 1 }
        condition.signal()
        condition.unlock()
        if spawn {
            // A thread: `curl_easy_perform` blocks for the whole transfer.
            let thread = Thread { [self] in work() }
            thread.name = "curl-worker"
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    func close() { stop() }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        var handle = curl_easy_init()
        defer { if let handle { curl_easy_cleanup(handle) } }
        condition.lock()
        starting -= 1
        condition.unlock()
        while true {
            condition.lock()
            while queueHead == queue.count && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if queueHead == queue.count && stopping {
                // Counted out, so a job submitted after a stop still gets a thread.
                workers -= 1
                condition.unlock()
                return
            }
            let job = queue[queueHead]
            queueHead += 1
            if queueHead > 1024 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()
            if handle == nil { handle = curl_easy_init() }
            job(handle)
        }
    }
}
