import Synchronization

/// Something channels share and that must be let go at shutdown (the HTTP client's
/// worker threads).
public protocol SharedResource: AnyObject, Sendable {
    func close()
}

/// What the channels of one program share, made on first use: one HTTP client with a
/// bounded number of threads for every channel, rather than a pool per channel.
/// Travels in the ``ChannelContext``; ``Dispatcher/close()`` closes it.
public final class ChannelResources: Sendable {
    private let state = Mutex<[String: any SharedResource]>([:])

    public init() {}

    // Nothing refers to it any more (a test's context): let its threads go.
    deinit { close() }

    /// The resource under `key`, made by `make` the first time it is asked for.
    public func shared<R: SharedResource>(_ key: String, make: () -> R) -> R {
        state.withLock { all in
            if let existing = all[key] as? R { return existing }
            let made = make()
            all[key] = made
            return made
        }
    }

    /// Closes every resource made so far; a later ``shared(_:make:)`` makes new ones.
    public func close() {
        let all = state.withLock { all in defer { all = [:] }; return all }
        for resource in all.values { resource.close() }
    }
}
