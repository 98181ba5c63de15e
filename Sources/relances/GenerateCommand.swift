// PLACEHOLDER: replaced by the issue that builds `relances generate`.
enum GenerateCommand: Command {
    static let name = "generate"
    static let summary = "Create relances for late debts (optionally send them)"
    static let help = "usage: relances generate"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'generate' is not built yet")
    }
}
