import Foundation

// Thin on purpose: find the command, run it, turn errors into exit statuses.
let argv = Array(CommandLine.arguments.dropFirst())
let overview = """
    relances : les relances du service des taxes (SMS, e-mail, courrier).

    usage : relances <commande> [options]      relances <commande> --help

    commandes :
    \(commands.map { "  " + $0.name.padding(toLength: 14, withPad: " ", startingAt: 0) + $0.summary }.joined(separator: "\n"))
    """

guard let name = argv.first, name != "--help", name != "-h", name != "help" else {
    print(overview)
    exit(argv.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == name }) else {
    FileHandle.standardError.write(Data("relances : commande inconnue « \(name) »\n\n\(overview)\n".utf8))
    exit(2)
}
/// Runs one command on its words, so that the arguments are a local value.
func run(_ command: any Command.Type, _ words: [String]) async throws -> Int32 {
    var arguments = Arguments(words)
    if arguments.wantsHelp() {
        print(command.help)
        return 0
    }
    return try await command.run(&arguments)
}

do {
    exit(try await run(command, Array(argv.dropFirst())))
} catch let refusal as Refusal {
    FileHandle.standardError.write(Data("relances \(command.name): \(refusal)\n".utf8))
    exit(2)
} catch let error as UsageError {
    FileHandle.standardError.write(Data("relances \(command.name): \(error)\n\n\(command.help)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("relances \(command.name): \(error)\n".utf8))
    exit(1)
}
