// PLACEHOLDER: replaced by the issue that builds `relances stats`.
enum StatsCommand: Command {
    static let name = "stats"
    static let summary = "Print the relance statistics"
    static let help = "usage: relances stats"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'stats' is not built yet")
    }
}
