// PLACEHOLDER: replaced by the issue that builds `relances check-config`.
enum CheckConfigCommand: Command {
    static let name = "check-config"
    static let summary = "Validate a routing config and print every problem"
    static let help = "usage: relances check-config"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'check-config' is not built yet")
    }
}
