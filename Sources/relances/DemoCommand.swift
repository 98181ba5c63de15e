// PLACEHOLDER: replaced by the issue that builds `relances demo`.
enum DemoCommand: Command {
    static let name = "demo"
    static let summary = "Create demo data, start the provider sandbox, generate and send, print a summary"
    static let help = "usage: relances demo"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'demo' is not built yet")
    }
}
