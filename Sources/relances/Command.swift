/// One subcommand of `relances`, in a file of its own.
protocol Command: Sendable {
    /// The word that selects it (`check-config`).
    static var name: String { get }
    /// One line for the list of commands.
    static var summary: String { get }
    /// The full help: usage line, options, an example.
    static var help: String { get }
    /// Runs the command; answers the process exit status.
    static func run(_ arguments: inout Arguments) async throws -> Int32
}

/// Every command, in the order `relances --help` lists them.
let commands: [any Command.Type] = [
    DemoCommand.self,
    ServeCommand.self,
    GenerateCommand.self,
    SendCommand.self,
    ProgrammerCommand.self,
    ListCommand.self,
    StatsCommand.self,
    ImportCommand.self,
    RecoverCommand.self,
    LedgerCommand.self,
    BackupCommand.self,
    RestoreCommand.self,
    SystemdUnitCommand.self,
    ChannelsCommand.self,
    CheckConfigCommand.self,
    SendTestCommand.self,
    SandboxCommand.self,
]
