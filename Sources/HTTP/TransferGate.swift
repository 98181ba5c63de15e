import Synchronization

/// At most `limit` holders at once; the others wait in order. Lets each channel keep
/// its own cap on requests in flight while all share one set of worker threads.
final class TransferGate: Sendable {
    private struct State {
        var inside = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = limit }

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s -> Bool in
                if s.inside < limit { s.inside += 1; return true }
                s.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    func leave() {
        // The place passes to the first waiter, if any, without being given up.
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty { s.inside -= 1; return nil }
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}
