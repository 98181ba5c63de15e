import Foundation
import Gateway
import HTTP
import Relances

/// Answers a repeated request that carries `Idempotency-Key` with the first answer,
/// so a client that retries (a dropped connection, a double click) never creates or
/// sends twice.
///
/// The key is claimed in the store before the handler runs: a second request under the
/// same key while the first runs gets a 409, never a second execution. The answer is
/// stored once the handler returns (4xx included: the same request would be refused
/// the same way); a 5xx releases the claim, so a retry runs the request again.
/// Keys are scoped to method, path and caller (a hash of the API token), and expire
/// after ``lifetime``.
public final class IdempotencyGuard: Sendable {
    public static let header = "Idempotency-Key"
    public static let replayedHeader = "Idempotency-Replayed"
    public static let maxKeyLength = 200

    let store: any IdempotencyKeys
    let clock: any GatewayClock
    let logger: Logger
    /// Seconds a key is remembered.
    public static let lifetime: TimeInterval = 86_400
    /// This process: claims made by another (a server since stopped) are told apart.
    let owner = UUID().uuidString

    init(store: any IdempotencyKeys, clock: any GatewayClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger.labelled("idempotency")
    }

    /// `handler`, answering repetitions of a keyed request from the store.
    public func wrap(_ handler: @escaping HTTPHandler) -> HTTPHandler {
        { [self] request in
            guard let key = request.headers[Self.header] else { return await handler(request) }
            guard Self.isValid(key) else {
                return .error(status: 400, detail: "En-tête Idempotency-Key invalide : il faut de 1 à \(Self.maxKeyLength) caractères ASCII imprimables")
            }
            let scope = IdempotencyScope(key: key, method: request.method, path: Self.normalized(request.path),
                                         caller: Self.caller(request))
            let claim: IdempotencyClaim
            do {
                claim = try store.claimIdempotencyKey(scope, fingerprint: Self.fingerprint(request), owner: owner,
                                                      now: clock.now(), lifetime: Self.lifetime)
            } catch {
                logger.error("could not claim an idempotency key; the request was not run", ["error": "\(error)"])
                return .error(status: 503, detail: "Impossible d'enregistrer la clé Idempotency-Key : la requête n'a pas été exécutée, réessayez")
            }
            switch claim {
            case .claimed: break
            case .replay(let answer):
                var response = HTTPResponse(status: answer.status, body: answer.body)
                if let type = answer.contentType { response.headers["Content-Type"] = type }
                response.headers[Self.replayedHeader] = "true"
                return response
            case .mismatch:
                return .error(status: 422, detail: "Cette clé Idempotency-Key a déjà été utilisée pour une autre requête : utilisez une nouvelle clé")
            case .inProgress(let interrupted):
                return .error(status: 409, detail: interrupted
                    ? "La requête envoyée avec cette clé Idempotency-Key a été interrompue par un arrêt du serveur : son résultat est inconnu. Vérifiez l'état des relances, puis réessayez avec une nouvelle clé"
                    : "Une requête avec cette clé Idempotency-Key est déjà en cours : attendez sa réponse avant de réessayer")
            }
            let response = await handler(request)
            do {
                if response.status >= 500 || response.dropsConnection {
                    try store.releaseIdempotencyKey(scope, owner: owner)
                } else {
                    try store.completeIdempotencyKey(scope, owner: owner, answer: IdempotentAnswer(
                        status: response.status, contentType: response.headers["Content-Type"], body: response.body))
                }
            } catch {
                // The request ran: the claim stays, so a retry is told "in progress"
                // rather than run a second time.
                logger.error("could not store the answer of an idempotent request", ["error": "\(error)"])
            }
            return response
        }
    }

    /// 1 to 200 printable ASCII characters.
    static func isValid(_ key: String) -> Bool {
        let bytes = key.utf8
        return !bytes.isEmpty && bytes.count <= maxKeyLength && bytes.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    /// `/api/relances/` and `/api/relances` are one route, so one key.
    static func normalized(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// The caller, hashed: who the credentials named (so a user whose session token was
    /// renewed between two tries is still the same caller), else the raw token. Keys of
    /// two callers never meet, and the store never holds a token.
    static func caller(_ request: HTTPRequest) -> String {
        if let principal = request.principal { return SHA256.hex("acteur\n" + principal) }
        guard let auth = request.headers["Authorization"], !auth.isEmpty else { return "" }
        return SHA256.hex(auth)
    }

    /// The query (in order) and the body: what makes two requests "the same request".
    static func fingerprint(_ request: HTTPRequest) -> String {
        var hash = SHA256()
        for (name, value) in request.query {
            hash.update(Array("\(name.utf8.count):\(name)=\(value.utf8.count):\(value)&".utf8))
        }
        hash.update(Array("\n".utf8))
        hash.update(request.body)
        return hash.finalize().hex
    }
}
