// PLACEHOLDER: replaced by the issue that builds `relances sandbox`.
enum SandboxCommand: Command {
    static let name = "sandbox"
    static let summary = "Run the local Keycloak + Ventis provider sandbox"
    static let help = "usage: relances sandbox"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'sandbox' is not built yet")
    }
}
