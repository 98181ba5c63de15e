// PLACEHOLDER: replaced by the issue that builds `relances channels`.
enum ChannelsCommand: Command {
    static let name = "channels"
    static let summary = "List channel kinds and the configured channels with their routes"
    static let help = "usage: relances channels"
    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        throw UsageError("'channels' is not built yet")
    }
}
