import Foundation
import Relances

/// Session tokens as the office's back-office makes them (PyJWT's HS256), and forged
/// ones, for the tests.
enum TestJWT {
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `header.payload.signature`, signed HS256 with `secret` whatever `alg` says.
    static func make(_ claims: String, secret: String, header: String = #"{"alg":"HS256","typ":"JWT"}"#) -> String {
        let signed = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        return signed + "." + base64URL(SHA256.hmac(key: Array(secret.utf8), message: Array(signed.utf8)))
    }

    static func claims(sub: String, exp: Date, nbf: Date? = nil) -> String {
        var out = #"{"sub":"\#(sub)","exp":\#(Int(exp.timeIntervalSince1970))"#
        if let nbf { out += #","nbf":\#(Int(nbf.timeIntervalSince1970))"# }
        return out + "}"
    }
}
