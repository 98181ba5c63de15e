import CCurl
import Foundation

/// Threads that each own one curl easy handle and run transfers handed to them.
/// Threads are started as demand grows, up to `limit`, and live as long as the pool.
final class CurlWorkerPool: @unchecked Sendable {
    typealias Job = (UnsafeMutableRawPointer) -> Void

    private let limit: Int
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var queueHead = 0
    private var workers = 0
    private var idle = 0
    private var stopping = false

    init(limit: Int) { self.limit = limit }

    func submit(_ job: @escaping Job) {
        condition.lock()
        queue.append(job)
        let spawn = idle == 0 && workers < limit
        if spawn { workers += 1 }
        condition.signal()
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in work() }
            thread.name = "curl-worker"
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        guard let handle = curl_easy_init() else { return }
        defer { curl_easy_cleanup(handle) }
        while true {
            condition.lock()
            while queueHead == queue.count && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if queueHead == queue.count && stopping {
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
            job(handle)
        }
    }
}
