import Foundation

/// The usual requests, for any transport (the curl client, or a test's own).
extension HTTPTransport {
    /// GETs `url`.
    public func get(url: String, headers: HTTPHeaders = [:], timeout: Double? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        try await execute(HTTPClientRequest(method: "GET", url: url, headers: headers, timeout: timeout))
    }

    /// POSTs `fields` as `application/x-www-form-urlencoded`, percent-encoded as UTF-8,
    /// in the order given.
    public func postForm(url: String, fields: [(String, String)], headers: HTTPHeaders = [:],
                         timeout: Double? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        var headers = headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return try await execute(HTTPClientRequest(method: "POST", url: url, headers: headers,
                                                   body: Data(FormEncoding.encode(fields).utf8), timeout: timeout))
    }

    /// POSTs a JSON body, as `application/json; charset=UTF-8` unless `headers` says otherwise.
    public func postJSON(url: String, body: Data, headers: HTTPHeaders = [:],
                         timeout: Double? = nil) async throws(HTTPClientError) -> HTTPClientResponse {
        var headers = headers
        if headers["Content-Type"] == nil { headers["Content-Type"] = "application/json; charset=UTF-8" }
        return try await execute(HTTPClientRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout))
    }

}
