/// Runs `body` for every element with at most `limit` running at once, pulling
/// elements lazily so a campaign of millions never sits in memory whole.
public func forEachConcurrently<S: Sequence>(
    _ elements: S, limit: Int, _ body: @escaping @Sendable (S.Element) async -> Void
) async where S.Element: Sendable {
    precondition(limit > 0, "the concurrency limit must be positive")
    var iterator = elements.makeIterator()
    await withTaskGroup(of: Void.self) { group in
        var running = 0
        while let element = iterator.next() {
            if Task.isCancelled { break }
            if running == limit {
                await group.next()
                running -= 1
            }
            group.addTask { await body(element) }
            running += 1
        }
        await group.waitForAll()
    }
}
