import Foundation
import Gateway
import Synchronization

/// A channel that holds every send until ``open()``: a test catches a batch or a
/// request in the middle, on purpose rather than by timing.
public final class GateChannel: Channel {
    public let name: String
    public let accepts = AddressKind.any
    private let clock: any GatewayClock
    private let state = Mutex<(open: Bool, entered: Int, waiting: [CheckedContinuation<Void, Never>])>((false, 0, []))

    public init(name: String = "gate", clock: any GatewayClock = SystemClock()) {
        self.name = name
        self.clock = clock
    }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> Bool in
                s.entered += 1
                if s.open { return true }
                s.waiting.append(c)
                return false
            }
            if go { c.resume() }
        }
        return Receipt(channel: name, messageID: "\(name)-\(delivery.id)", acceptedAt: clock.now(), recipient: delivery.recipient)
    }

    /// Sends that have reached the channel (held or let through).
    public var entered: Int { state.withLock { $0.entered } }

    /// Lets every held send through, and every later one at once.
    public func open() {
        let waiting = state.withLock { s in
            s.open = true
            defer { s.waiting.removeAll() }
            return s.waiting
        }
        waiting.forEach { $0.resume() }
    }
}

/// Waits, at most `seconds`, for `condition` (polled every 5 ms); answers whether it
/// came true. For tests that wait on another thread's progress.
public func eventually(within seconds: Double = 20, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return try condition()
}
