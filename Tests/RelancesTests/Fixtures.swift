import Foundation
import Gateway
import ProviderSandbox
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

extension RecordingChannel {
    /// Receipts at ``fixedNow``.
    convenience init(_ name: String, accepts: AddressKind = .any, failures: [ChannelError?] = [], delayNanoseconds: UInt64 = 0, note: String = "") {
        self.init(name, accepts: accepts, failures: failures, delayNanoseconds: delayNanoseconds, note: note, clock: ManualClock(fixedNow))
    }
}

func dispatcher(_ routes: [RelanceType: Route], _ channels: [RecordingChannel]) -> Dispatcher {
    Dispatcher(routes: routes, channels: Dictionary(uniqueKeysWithValues: channels.map { ($0.name, $0 as any Channel) }),
               policies: Dictionary(uniqueKeysWithValues: channels.map { ($0.name, DeliveryPolicy(maxAttempts: 2, initialDelay: 0.001)) }),
               clock: ManualClock(fixedNow), logger: Logger(sink: MemoryLogSink()))
}
