// PLACEHOLDER: replaced by the issue that builds `relances recover`.
enum RecoverCommand: Command {
    static let name = "recover"
    static let summary = "Resolve relances left in envoi_en_cours by a crash"
    static let help = "usage: relances recover"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'recover' is not built yet")
    }
}
