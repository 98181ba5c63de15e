import Foundation
import Gateway
import Synchronization

/// A channel double that records every delivery and answers from a script: one
/// failure (or nil, accepted) per call, then accepted. The one recording channel of the
/// tests, for the dispatcher's, the sender's and the store's alike.
public final class RecordingChannel: Channel {
    public let name: String
    public let accepts: AddressKind
    /// The receipt's note (the channel's words for the office); empty: none.
    public let note: String
    private let script: Mutex<[ChannelError?]>
    private let got = Mutex<[Delivery]>([])
    private let delay: UInt64
    private let clock: any GatewayClock

    /// `failures`: what each call answers in turn (nil: accepted); `delayNanoseconds`:
    /// how long each call takes; `clock`: the receipts' time.
    public init(_ name: String, accepts: AddressKind = .any, failures: [ChannelError?] = [], delayNanoseconds: UInt64 = 0, note: String = "",
                clock: any GatewayClock) {
        self.name = name
        self.accepts = accepts
        self.note = note
        self.script = Mutex(failures)
        self.delay = delayNanoseconds
        self.clock = clock
    }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        if delay > 0 { try? await Task.sleep(nanoseconds: delay) }
        got.withLock { $0.append(delivery) }
        if let failure = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        return Receipt(channel: name, messageID: "\(name)-\(delivery.id)", acceptedAt: clock.now(), recipient: delivery.recipient, note: note)
    }

    /// What it was given, in order (accepted or not).
    public var deliveries: [Delivery] { got.withLock { $0 } }
}
