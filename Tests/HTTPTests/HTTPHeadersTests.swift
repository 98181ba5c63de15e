import HTTP
import Testing

/// Header lookups ignore the case of ASCII letters only: names are tokens.
@Suite struct HTTPHeadersTests {
    @Test func namesMatchWhateverTheCaseOfTheirLetters() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-Request-ID": "42"]
        #expect(headers["content-type"] == "application/json" && headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["x-request-id"] == "42" && headers["X-Request-Id"] == "42")
        #expect(headers["Content-Typ"] == nil && headers["Content-Types"] == nil && headers[""] == nil)
        // Only A–Z fold: `[` and `{` (0x5B and 0x7B, 32 apart too) stay different.
        headers["X-[a]"] = "1"
        #expect(headers["x-[A]"] == "1" && headers["x-{a}"] == nil)
        headers["content-type"] = "text/plain"
        #expect(headers["Content-Type"] == "text/plain" && headers.fields.filter { $0.name.lowercased() == "content-type" }.count == 1)
    }
}
