import HTTP

/// The Relances page, served from the binary.
enum RelancesPage {
    static let response: HTTPResponse = {
        var r = HTTPResponse.text(html, contentType: "text/html; charset=utf-8")
        r.headers["Cache-Control"] = "no-cache"
        return r
    }()

    static let html = "<!doctype html><title>Relances</title><p>Page en construction.</p>"
}
