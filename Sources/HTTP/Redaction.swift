import Foundation

/// Masks credentials and tokens in what the debug log shows of an exchange.
public enum Redaction {
    static let sensitive = ["password", "client_secret", "access_token", "refresh_token", "id_token"]

    /// `POST url headers body`, with `Authorization` and secrets masked.
    public static func describe(_ request: HTTPClientRequest) -> String {
        let headers = request.headers.fields.map { field in
            field.name.caseInsensitiveCompare("Authorization") == .orderedSame ? "\(field.name): ****" : "\(field.name): \(field.value)"
        }.joined(separator: "; ")
        return "\(request.method) \(request.url) [\(headers)] \(maskBody(String(decoding: request.body, as: UTF8.self)))"
    }

    /// Masks `key=value` form fields and `"key": "value"` JSON members whose key is sensitive.
    public static func maskBody(_ body: String) -> String {
        var out = body
        for key in sensitive {
            out = out.replacingOccurrences(of: "\(key)=[^&]*", with: "\(key)=****", options: .regularExpression)
            out = out.replacingOccurrences(of: "\"\(key)\"\\s*:\\s*\"[^\"]*\"", with: "\"\(key)\":\"****\"", options: .regularExpression)
        }
        return String(out.prefix(2048))
    }
}
