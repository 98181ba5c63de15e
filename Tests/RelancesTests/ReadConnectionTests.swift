import Foundation
import Gateway
@testable import Relances
import Testing

/// The API's reads on connections of their own: a read never waits for the writer.
@Suite struct ReadConnectionTests {
    /// While the writer's connection is held (a long generation, a batch of outcomes),
    /// a list, a relance and the statistics still answer, with what was committed.
    @Test(.timeLimit(.minutes(1)))
    func readsAnswerWhileTheWriterIsHeld() throws {
        let (store, _) = try temporaryStore()
        let who = try store.add(Contribuable(nom: "NZE", prenom: "P", telephone: "0661234567"))
        let created = try store.create(NewRelance(contribuableID: who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: fixedNow,
                                                  message: "Rappel"))
        let answered = DispatchSemaphore(value: 0)
        let seen = LockedBox<(Int, Int64?, Int)?>(nil)
        let waited = try store.database.transaction { (s: Session) throws(StoreError) -> DispatchTimeoutResult in
            // Uncommitted: the readers must not see it.
            try s.run("UPDATE relance SET message = 'pas encore' WHERE id = ?", [.int(created.id)])
            // A thread: the reads are blocking SQLite calls, made while this one holds the writer.
            Thread {
                let list = try? store.list(RelanceFilter())
                let one = try? store.relance(created.id)
                let stats = try? store.statistics(from: nil, to: nil)
                seen.value = (list?.total ?? -1, one?.message == "Rappel" ? one?.id : nil, stats?.totalRelances ?? -1)
                answered.signal()
            }.start()
            return answered.wait(timeout: .now() + 20)
        }
        #expect(waited == .success, "a read waited for the writer")
        #expect(seen.value?.0 == 1 && seen.value?.1 == created.id && seen.value?.2 == 1, "\(String(describing: seen.value))")
        // Once committed, the next read sees it.
        #expect(try store.relance(created.id)?.message == "pas encore")
    }
}

/// Safe to share: `stored` is read and written only with `lock` held.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
