import HTTP
import Relances

/// An API error: its status and the French `detail` the office's page shows.
struct APIError: Error {
    var status: Int
    var detail: String
    /// What went wrong, for the log: a server error (5xx) is logged with it before the
    /// answer; never sent to the client.
    var cause: String? = nil

    static func badRequest(_ detail: String) -> APIError { APIError(status: 400, detail: detail) }
    static func notFound(_ detail: String) -> APIError { APIError(status: 404, detail: detail) }
    /// A malformed parameter or body: which field, and why.
    static func unprocessable(_ field: String, _ why: String) -> APIError {
        APIError(status: 422, detail: "\(field) : \(why)")
    }

    var response: HTTPResponse { .error(status: status, detail: detail) }
}

extension APIError {
    /// A storage failure as the API answers it: the one place a ``StoreError`` becomes a
    /// status. Facts about the data are the client's to fix (404, 400, 409, 422); a
    /// failing database is the server's (500, its cause logged).
    init(_ error: StoreError) {
        switch error {
        case .notFound(let why): self = .notFound(why)
        case .invalid(let why): self = .badRequest(why)
        case .conflict(let why): self = APIError(status: 409, detail: why)
        case .unprocessable(let field, let why): self = .unprocessable(field, why)
        case .database, .constraint: self = APIError(status: 500, detail: "Erreur de la base de données", cause: error.description)
        }
    }
}
