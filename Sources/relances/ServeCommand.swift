// PLACEHOLDER: replaced by the issue that builds `relances serve`.
enum ServeCommand: Command {
    static let name = "serve"
    static let summary = "Run the HTTP API and the Relances page"
    static let help = "usage: relances serve"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'serve' is not built yet")
    }
}
