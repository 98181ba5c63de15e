import Foundation
import Gateway

/// Which request an `Idempotency-Key` stands for: the key is only ever compared
/// within the same method, path and caller.
public struct IdempotencyScope: Sendable, Hashable {
    public var key: String
    public var method: String
    public var path: String
    /// Who called: a hash of the API token, or empty on an open API.
    public var caller: String

    public init(key: String, method: String, path: String, caller: String) {
        self.key = key
        self.method = method
        self.path = path
        self.caller = caller
    }

    var values: [SQLValue] { [.text(key), .text(method), .text(path), .text(caller)] }
}

/// The first answer given under a key, replayed to every repetition.
public struct IdempotentAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var body: Data

    public init(status: Int, contentType: String?, body: Data) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// What claiming a key found.
public enum IdempotencyClaim: Sendable, Equatable {
    /// The key is new: the caller runs the request, then completes or releases the key.
    case claimed
    /// The same request already ran: its answer.
    case replay(IdempotentAnswer)
    /// The same request is running now under this key (`interrupted`: it was claimed by
    /// a server process that has since stopped, so its outcome is unknown).
    case inProgress(interrupted: Bool)
    /// The key was used for a request with another body or query.
    case mismatch
}

extension SQLiteRelanceStore {
    /// Claims `scope` for a request whose body and query hash to `fingerprint`, in one
    /// transaction so two identical requests can never both be told `.claimed`.
    /// Keys older than `lifetime` seconds are purged first, so they can be used again.
    public func claimIdempotencyKey(_ scope: IdempotencyScope, fingerprint: String, owner: String,
                                    now: Date, lifetime: TimeInterval) throws(StoreError) -> IdempotencyClaim {
        try database.transaction { (s: Session) throws(StoreError) -> IdempotencyClaim in
            try s.run("DELETE FROM idempotency_key WHERE created_at < ?", [.text(ISO8601.string(from: now.addingTimeInterval(-lifetime)))])
            let found = try s.row("SELECT fingerprint, owner, status, content_type, body FROM idempotency_key WHERE key = ? AND method = ? AND path = ? AND scope = ?",
                                  scope.values) { r in
                (r.text(0), r.text(1), r.optionalInt(2), r.optionalText(3), r.text(4))
            }
            guard let (stored, claimer, status, contentType, body) = found else {
                try s.run("INSERT INTO idempotency_key (key, method, path, scope, fingerprint, owner, created_at) VALUES (?,?,?,?,?,?,?)",
                          scope.values + [.text(fingerprint), .text(owner), .text(ISO8601.string(from: now))])
                return .claimed
            }
            if stored != fingerprint { return .mismatch }
            guard let status else { return .inProgress(interrupted: claimer != owner) }
            return .replay(IdempotentAnswer(status: Int(status), contentType: contentType, body: Data(body.utf8)))
        }
    }

    /// Stores the answer of a request that ran under a key this `owner` claimed.
    public func completeIdempotencyKey(_ scope: IdempotencyScope, owner: String, answer: IdempotentAnswer) throws(StoreError) {
        try database.withConnection { (s: Session) throws(StoreError) -> Void in
            try s.run("UPDATE idempotency_key SET status = ?, content_type = ?, body = ? WHERE key = ? AND method = ? AND path = ? AND scope = ? AND owner = ?",
                      [.int(Int64(answer.status)), .optional(answer.contentType), .text(String(decoding: answer.body, as: UTF8.self))]
                        + scope.values + [.text(owner)])
        }
    }

    /// Forgets a claim whose request failed on the server's side, so a retry runs it.
    public func releaseIdempotencyKey(_ scope: IdempotencyScope, owner: String) throws(StoreError) {
        try database.withConnection { (s: Session) throws(StoreError) -> Void in
            try s.run("DELETE FROM idempotency_key WHERE key = ? AND method = ? AND path = ? AND scope = ? AND owner = ? AND status IS NULL",
                      scope.values + [.text(owner)])
        }
    }
}
