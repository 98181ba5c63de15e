// PLACEHOLDER: replaced by the issue that builds `relances import`.
enum ImportCommand: Command {
    static let name = "import"
    static let summary = "Import taxpayers, taxes, assignments or payments from CSV"
    static let help = "usage: relances import"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'import' is not built yet")
    }
}
