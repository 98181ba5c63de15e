// PLACEHOLDER: replaced by the issue that builds `relances list`.
enum ListCommand: Command {
    static let name = "list"
    static let summary = "List relances with the API's filters"
    static let help = "usage: relances list"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'list' is not built yet")
    }
}
