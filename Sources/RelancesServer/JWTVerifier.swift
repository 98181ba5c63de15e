import Foundation
import Gateway
import Relances

/// Checks the session tokens of the office's back-office: JWTs signed HS256 with its
/// `SECRET_KEY` (shared with us as `RELANCES_JWT_SECRET`), carrying `sub` and `exp`.
/// Only HS256 is accepted: `none`, HS512, RS256… are refused whatever the token says,
/// so a token cannot choose how it is checked.
public struct JWTVerifier: Sendable {
    private let key: [UInt8]
    /// Seconds of clock difference tolerated on `exp` and `nbf` between the two servers.
    public let leeway: Double

    public init(secret: Secret, leeway: Double = 30) {
        key = Array(secret.value.utf8)
        self.leeway = leeway
    }

    /// Who a valid token names.
    public struct Identity: Sendable, Equatable {
        /// The `sub` claim, as text (a number is written as its digits).
        public var subject: String
    }

    /// Why a token is refused (for logs; the client only gets 401).
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case algorithm(String)
        case signature
        case expired
        case notYetValid
        case claims(String)

        public var description: String {
            switch self {
            case .malformed(let why): "malformed JWT: \(why)"
            case .algorithm(let alg): "JWT algorithm '\(alg)' refused: only HS256 is accepted"
            case .signature: "JWT signature does not match RELANCES_JWT_SECRET"
            case .expired: "JWT expired (exp)"
            case .notYetValid: "JWT not valid yet (nbf)"
            case .claims(let why): "JWT claims: \(why)"
            }
        }
    }

    /// Whether `token` looks like a JWT at all (three base64url parts), so that an API
    /// token is never mistaken for one.
    public static func looksLikeJWT(_ token: String) -> Bool {
        token.utf8.filter { $0 == UInt8(ascii: ".") }.count == 2
    }

    public func verify(_ token: String, now: Date) -> Result<Identity, Refusal> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .failure(.malformed("\(parts.count) parts instead of 3")) }
        guard let headerBytes = Self.base64URL(parts[0]) else { return .failure(.malformed("not base64url")) }
        guard case .object(let header)? = try? JSONDecoder().decode(JSONValue.self, from: Data(headerBytes)) else {
            return .failure(.malformed("header is not a JSON object"))
        }
        // Checked before anything else: a token asking for another algorithm (`none`
        // and its empty signature) is refused as such, never verified some other way.
        guard case .string(let alg)? = header["alg"] else { return .failure(.malformed("no alg")) }
        guard alg == "HS256" else { return .failure(.algorithm(alg)) }
        if header["crit"] != nil { return .failure(.malformed("crit extensions are not supported")) }
        guard let payloadBytes = Self.base64URL(parts[1]), let signature = Self.base64URL(parts[2]) else {
            return .failure(.malformed("not base64url"))
        }
        let signed = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        guard constantTimeEqual(SHA256.hmac(key: key, message: signed), signature) else { return .failure(.signature) }
        guard case .object(let claims)? = try? JSONDecoder().decode(JSONValue.self, from: Data(payloadBytes)) else {
            return .failure(.malformed("payload is not a JSON object"))
        }
        let t = now.timeIntervalSince1970
        guard case .number(let exp)? = claims["exp"], exp.isFinite else { return .failure(.claims("exp missing or not a number")) }
        guard t < exp + leeway else { return .failure(.expired) }
        if claims["nbf"] != nil {
            guard case .number(let nbf)? = claims["nbf"], nbf.isFinite else { return .failure(.claims("nbf not a number")) }
            guard t >= nbf - leeway else { return .failure(.notYetValid) }
        }
        let subject: String
        switch claims["sub"] {
        case .string(let s)?: subject = s
        case .number(let n)? where n == n.rounded() && abs(n) < 9e15: subject = String(Int64(n))
        default: return .failure(.claims("sub missing"))
        }
        guard !subject.isEmpty, subject.count <= 200, !subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return .failure(.claims("sub empty, too long or with control characters"))
        }
        return .success(Identity(subject: subject))
    }

    /// base64url without padding (RFC 7515 §2), strictly: any other character, or a
    /// length no encoder produces, is nil.
    static func base64URL(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count % 4 != 1 else { return nil }
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 3)
        for c in text.unicodeScalars {
            switch c {
            case "A"..."Z", "a"..."z", "0"..."9": standard.unicodeScalars.append(c)
            case "-": standard += "+"
            case "_": standard += "/"
            default: return nil
            }
        }
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
