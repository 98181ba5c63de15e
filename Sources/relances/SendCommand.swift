// PLACEHOLDER: replaced by the issue that builds `relances send`.
enum SendCommand: Command {
    static let name = "send"
    static let summary = "Send one relance, or every pending one"
    static let help = "usage: relances send"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'send' is not built yet")
    }
}
