import Foundation
import Gateway
import Relances
import Synchronization

/// A fresh database in a temporary folder.
func temporaryStore() throws -> (SQLiteRelanceStore, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relances-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return (try SQLiteRelanceStore(path: folder.appendingPathComponent("test.sqlite").path), folder)
}

/// 2026-11-24T09:00:00Z
let fixedNow = ISO8601.date(from: "2026-11-24T09:00:00Z")!

func day(_ offset: Int, from now: Date = fixedNow) -> String {
    let n = Int(now.timeIntervalSince1970 / 86_400) + offset
    let (y, m, d) = CivilDate.fromDays(n)
    return String(format: "%04d-%02d-%02d", y, m, d)
}

/// A channel that records deliveries and answers from a script (success by default).
final class RecordingChannel: Channel {
    let name: String
    let accepts: AddressKind
    private let script: Mutex<[ChannelError?]>
    private let got = Mutex<[Delivery]>([])
    let delay: UInt64

    /// The receipt's note (the channel's words for the office); empty: none.
    let note: String

    init(_ name: String, accepts: AddressKind = .any, failures: [ChannelError?] = [], delayNanoseconds: UInt64 = 0, note: String = "") {
        self.note = note
        self.name = name
        self.accepts = accepts
        self.script = Mutex(failures)
        self.delay = delayNanoseconds
    }

    func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        if delay > 0 { try? await Task.sleep(nanoseconds: delay) }
        got.withLock { $0.append(delivery) }
        if let failure = script.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw failure }
        return Receipt(channel: name, messageID: "\(name)-\(delivery.id)", acceptedAt: fixedNow, recipient: delivery.recipient, note: note)
    }

    var deliveries: [Delivery] { got.withLock { $0 } }
}

func dispatcher(_ routes: [RelanceType: Route], _ channels: [RecordingChannel]) -> Dispatcher {
    Dispatcher(routes: routes, channels: Dictionary(uniqueKeysWithValues: channels.map { ($0.name, $0 as any Channel) }),
               policies: Dictionary(uniqueKeysWithValues: channels.map { ($0.name, DeliveryPolicy(maxAttempts: 2, initialDelay: 0.001)) }),
               clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
}
