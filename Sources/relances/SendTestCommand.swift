// PLACEHOLDER: replaced by the issue that builds `relances send-test`.
enum SendTestCommand: Command {
    static let name = "send-test"
    static let summary = "Route one test message through the configured channels"
    static let help = "usage: relances send-test"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'send-test' is not built yet")
    }
}
