import HTTP

/// An API error: its status and the French `detail` the office's page shows.
struct APIError: Error {
    var status: Int
    var detail: String

    static func badRequest(_ detail: String) -> APIError { APIError(status: 400, detail: detail) }
    static func notFound(_ detail: String) -> APIError { APIError(status: 404, detail: detail) }
    /// A malformed parameter or body: which field, and why.
    static func unprocessable(_ field: String, _ why: String) -> APIError {
        APIError(status: 422, detail: "\(field) : \(why)")
    }

    var response: HTTPResponse { .error(status: status, detail: detail) }
}
