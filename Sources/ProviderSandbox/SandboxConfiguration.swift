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

/// Failures on demand, changeable while the sandbox runs (``ProviderSandbox/faults``,
/// or `PUT /sandbox/faults` with this as JSON; absent keys stay 0).
///
/// A message request with a good token draws once for `unauthorizedRate` (when it is
/// above 0), then once more for the other faults (when any is above 0): the draw falls
/// in `timeoutRate`, then `failureRate`, `garbageRate`, `dropRate`, in that order.
public struct SandboxFaults: Sendable, Equatable, Codable {
    /// Added to every message answer, in seconds.
    public var latency: Double = 0
    /// Share of message requests answered 500.
    public var failureRate: Double = 0
    /// Share of message requests held without an answer for `timeoutHold` seconds,
    /// then the connection closed (the client's timeout should fire first).
    public var timeoutRate: Double = 0
    public var timeoutHold: Double = 35
    /// Share of message requests answered 200 with a body that is neither success nor refusal.
    public var garbageRate: Double = 0
    /// Share of message requests whose connection is closed at once, without an answer.
    public var dropRate: Double = 0
    /// Share of message requests answered 401 even with a good token (a revocation storm).
    public var unauthorizedRate: Double = 0

    public init(latency: Double = 0, failureRate: Double = 0, timeoutRate: Double = 0, timeoutHold: Double = 35,
                garbageRate: Double = 0, dropRate: Double = 0, unauthorizedRate: Double = 0) {
        self.latency = latency
        self.failureRate = failureRate
        self.timeoutRate = timeoutRate
        self.timeoutHold = timeoutHold
        self.garbageRate = garbageRate
        self.dropRate = dropRate
        self.unauthorizedRate = unauthorizedRate
    }

    enum CodingKeys: String, CodingKey {
        case latency, failureRate, timeoutRate, timeoutHold, garbageRate, dropRate, unauthorizedRate
    }

    /// Absent keys take their defaults, so `{"failureRate": 0.2}` means "only that".
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(latency: try c.decodeIfPresent(Double.self, forKey: .latency) ?? 0,
                  failureRate: try c.decodeIfPresent(Double.self, forKey: .failureRate) ?? 0,
                  timeoutRate: try c.decodeIfPresent(Double.self, forKey: .timeoutRate) ?? 0,
                  timeoutHold: try c.decodeIfPresent(Double.self, forKey: .timeoutHold) ?? 35,
                  garbageRate: try c.decodeIfPresent(Double.self, forKey: .garbageRate) ?? 0,
                  dropRate: try c.decodeIfPresent(Double.self, forKey: .dropRate) ?? 0,
                  unauthorizedRate: try c.decodeIfPresent(Double.self, forKey: .unauthorizedRate) ?? 0)
    }

    /// What is wrong with these values, or nil when they can be used.
    public var problem: String? {
        let rates = [("failureRate", failureRate), ("timeoutRate", timeoutRate), ("garbageRate", garbageRate),
                     ("dropRate", dropRate), ("unauthorizedRate", unauthorizedRate)]
        if let bad = rates.first(where: { !(0...1).contains($0.1) }) { return "\(bad.0) must be from 0 to 1, not \(bad.1)" }
        if failureRate + timeoutRate + garbageRate + dropRate > 1 { return "failureRate + timeoutRate + garbageRate + dropRate must not exceed 1" }
        if !(0...600).contains(latency) { return "latency must be from 0 to 600 seconds" }
        if !(0...3600).contains(timeoutHold) { return "timeoutHold must be from 0 to 3600 seconds" }
        return nil
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
    /// `+SUCCESS|…`, `-ERROR|…`, `500`, `timeout`, `garbage`, `dropped`, `401`.
    public var answer: String
    public var uuid: String?
}
