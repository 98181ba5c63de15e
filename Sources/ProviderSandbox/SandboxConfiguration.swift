import Foundation

/// What the sandbox accepts and how it misbehaves.
public struct SandboxConfiguration: Sendable {
    public var realm = "Messaging"
    public var clientID = "api-messaging"
    /// nil: the client secret is not checked (a public client, as the office's is).
    public var clientSecret: String?
    public var username = "relances"
    public var password = "sandbox"
    /// Seconds a token lives (Keycloak's default is 300).
    public var expiresIn = 300
    /// Where the messaging API lives on the sandbox's port.
    public var messagingPath = "/messaging/api/v1"
    /// Numbers answered with `-ERROR|NUMBER_REFUSED|…` (to show a permanent refusal).
    public var refusedNumbers: Set<String> = []
    public var faults = SandboxFaults()

    public init() {}
}

/// Failures on demand, changeable while the sandbox runs.
public struct SandboxFaults: Sendable, Equatable {
    /// Added to every message answer, in seconds.
    public var latency: Double = 0
    /// Share of message requests answered 500.
    public var failureRate: Double = 0
    /// Share of message requests held without an answer for `timeoutHold`, then cut.
    public var timeoutRate: Double = 0
    public var timeoutHold: Double = 35
    /// Share of message requests answered 200 with a body that is neither success nor refusal.
    public var garbageRate: Double = 0
    /// Share of message requests answered 401 even with a good token (a revocation storm).
    public var unauthorizedRate: Double = 0

    public init(latency: Double = 0, failureRate: Double = 0, timeoutRate: Double = 0, timeoutHold: Double = 35,
                garbageRate: Double = 0, unauthorizedRate: Double = 0) {
        self.latency = latency
        self.failureRate = failureRate
        self.timeoutRate = timeoutRate
        self.timeoutHold = timeoutHold
        self.garbageRate = garbageRate
        self.unauthorizedRate = unauthorizedRate
    }
}

/// One message the sandbox received, and what it answered.
public struct SandboxMessage: Sendable, Codable, Equatable {
    public var to: String
    public var sender: String
    public var isOTP: Bool
    public var message: String
    /// The bearer token used (to check which token a retry used).
    public var token: String
    public var receivedAt: String
    /// `+SUCCESS|…`, `-ERROR|…`, `500`, `timeout`, `garbage`, `401`.
    public var answer: String
    public var uuid: String?
}
