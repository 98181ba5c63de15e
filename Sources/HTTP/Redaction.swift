import Foundation
import Gateway

/// Masks credentials and tokens in what the debug log shows of an exchange.
public enum Redaction {
    /// Form fields and JSON members whose value is masked.
    static let sensitive = ["password", "client_secret", "access_token", "refresh_token", "id_token"]
    /// Headers whose value is masked.
    static let sensitiveHeaders: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// `POST url [headers] body`, with `Authorization` and secrets masked.
    public static func describe(_ request: HTTPClientRequest) -> String {
        let headers = request.headers.fields.map { field in
            sensitiveHeaders.contains(field.name.lowercased()) ? "\(field.name): ****" : "\(field.name): \(field.value)"
        }.joined(separator: "; ")
        return "\(request.method) \(Masking.url(request.url)) [\(headers)] \(maskBody(String(decoding: request.body, as: UTF8.self)))"
    }

    /// Masks `key=value` form fields and `"key": "value"` JSON members whose key is
    /// sensitive, and cuts the text to 2 KB.
    public static func maskBody(_ body: String) -> String {
        var out = body
        for key in sensitive {
            // Any key ending in the name (`new_password=`) is masked too: better too much than a leak.
            out = out.replacingOccurrences(of: "\(key)=[^&]*", with: "\(key)=****", options: .regularExpression)
            // A JSON string runs to the first quote that is not escaped: `\"` inside a
            // password must not end the mask and leak the rest.
            out = out.replacingOccurrences(of: #""(\w*\#(key))"\s*:\s*"(?:[^"\\]|\\.)*""#, with: "\"$1\":\"****\"",
                                           options: .regularExpression)
        }
        return String(out.prefix(2048))
    }
}
