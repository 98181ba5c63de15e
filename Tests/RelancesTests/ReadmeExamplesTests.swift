import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import Testing
import TestKit

/// README.md's examples run, so that they cannot go stale (issue 18 §5): its `relances`
/// lines in a folder of their own with what they need (a demo database, the provider's
/// and the mail server's stand-ins in `.env`, the CSV files it shows), its `curl` lines
/// against a real `relances serve` holding a token, its output blocks compared with what
/// the commands print, its JSON parsed by the real config loader or compared with the
/// API's answer. What cannot run here (`swift`, and the installation's `useradd`,
/// `install`, `systemctl`, which need root and systemd) must at least name what exists.
/// A README example that does not work fails this suite, naming its line.
@Suite(.serialized) struct ReadmeExamplesTests {
    static let root = DataSafetyTests.root
    static let readme = ReadmeExamples(file: "README.md",
                                       markdown: (try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)) ?? "")
    /// Lines of the installation that need root and systemd: not run, only allowed.
    static let systemPrograms: Set<String> = ["install", "useradd", "systemctl"]
    let client = CurlHTTPClient(configuration: .init(connectTimeout: 2, timeout: 30, logger: Logger(sink: MemoryLogSink())))

    /// A folder set up as the README's reader has it: the shipped routing config (without
    /// its send windows, so that the examples send at any hour), a `.env` pointing the SMS
    /// and e-mail channels at stand-ins, a demo database as `relances.sqlite` whose
    /// relances all wait, the README's CSV files, and `relances` on the PATH.
    final class Workspace {
        let folder: URL
        let sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        let mail: SMTPSandbox
        /// Where the examples' port 8000 goes: picked again for each server, since a port
        /// left free a while ago may since be some connection's.
        var port: Int
        /// Where the examples' own `relances sandbox --port 8090` listens.
        let sandboxPort: Int
        var environment: [String: String]

        /// `database`: whether the examples need the demo database (a config check does not).
        init(database: Bool = true) async throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
            let fm = FileManager.default
            for sub in ["channels", "bin", "etc", "backups"] {
                try fm.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            _ = try sandbox.start()
            mail = try SMTPSandbox()
            port = try ServeCommandTests.freePort()
            sandboxPort = try ServeCommandTests.freePort()
            let shipped = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("channels/routing.json")))
            guard var config = shipped as? [String: Any], var channels = config["channels"] as? [String: Any] else {
                throw ReadmeFailure("channels/routing.json is not a JSON object with channels")
            }
            for (name, value) in channels {
                if var channel = value as? [String: Any] { channel["window"] = nil; channels[name] = channel }
            }
            config["channels"] = channels
            try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("channels/routing.json"))
            try fm.copyItem(at: root.appendingPathComponent("channels/dry-run.json"), to: folder.appendingPathComponent("channels/dry-run.json"))
            let variables = sandbox.environment.merging(mail.environment) { $1 }.merging(["SMTP_STARTTLS": "optional"]) { $1 }
            try Data(variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined().utf8)
                .write(to: folder.appendingPathComponent(".env"))
            let program = try #require(RelancesProgram.path, "the relances program is not built")
            try fm.createSymbolicLink(atPath: folder.appendingPathComponent("bin/relances").path, withDestinationPath: program)
            environment = ["PATH": folder.appendingPathComponent("bin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
            for block in ReadmeExamplesTests.readme.blocks where block.language == "csv" {
                guard let name = block.info.first else { throw ReadmeFailure("README.md:\(block.line): a csv block names its file: ```csv NAME") }
                try Data((block.text + "\n").utf8).write(to: folder.appendingPathComponent(name))
            }
            if database {
                let (status, output) = try await run("relances demo --db relances.sqlite --dry-run")
                guard status == 0 else { throw ReadmeFailure("the demo database was not made:\n\(output)") }
            }
        }

        deinit {
            sandbox.stop()
            mail.stop()
        }

        /// The README's system paths moved into this folder, and its port to ours.
        func localised(_ line: String) -> String {
            [("/etc/systemd/system/", folder.path + "/etc/"), ("/var/lib/relances/", folder.path + "/"),
             ("/var/backups/relances/", folder.path + "/backups/"), ("/usr/local/bin/relances", "relances"),
             ("--port 8000", "--port \(port)"), ("127.0.0.1:8000", "127.0.0.1:\(port)"),
             ("--port 8090", "--port \(sandboxPort)"), ("127.0.0.1:8090", "127.0.0.1:\(sandboxPort)")]
                .reduce(line) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        }

        /// Runs a line with bash in the folder; answers its exit status and what it printed.
        func run(_ line: String, timeout: Double = 180) async throws -> (Int32, String) {
            let log = folder.appendingPathComponent("out-\(UUID().uuidString).log")
            let process = try Spawned("/bin/bash", ["-c", localised(line)], environment: variables, directory: folder, output: .file(log))
            if await !process.exited(within: timeout) { Issue.record("\(line) did not end within \(timeout) s") }
            return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }

        /// Starts a line (a server) with bash in the folder, after the block's `export`s.
        func start(_ line: String, prelude: [String] = [], log: URL) throws -> Spawned {
            try Spawned("/bin/bash", ["-c", localised((prelude + ["exec " + line]).joined(separator: "\n"))],
                        environment: variables, directory: folder, output: .file(log))
        }

        /// The test's environment with the workspace's own on top.
        var variables: [String: String] { ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    }

    struct ReadmeFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Waits until the server's log says it listens, then until `/healthz` answers on
    /// `port`; false if the process ends or 30 s pass. Never a connection before it
    /// listens: one tried then can take the port for itself (a TCP self-connection).
    func answers(_ process: Spawned, port: Int, log: URL) async -> Bool {
        guard await Self.says("listening on|serving on", in: log, while: process) else { return false }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline {
            if let answer = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz", headers: ["Connection": "close"])),
               answer.status == 200 { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return false
    }

    /// Waits (30 s at most) until `log` has a line matching `pattern`, or the process ends.
    static func says(_ pattern: String, in log: URL, while process: Spawned) async -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline {
            if let said = try? String(contentsOf: log, encoding: .utf8), said.range(of: pattern, options: .regularExpression) != nil { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    /// Every ```sh block of README.md and of the channels' READMEs, in order: `relances`
    /// lines (and what `swift run relances` runs) in the workspace, `relances serve`
    /// started until it answers then stopped, a line ending in `&` started until it says it
    /// listens and stopped at the end of its file, `curl` lines to port 8000 against a `serve`
    /// of the test's holding a token (others against what the block started), and the
    /// output or JSON shown after a block compared with what its commands printed.
    @Test(.timeLimit(.minutes(10)))
    func everyExampleRuns() async throws {
        #expect(!Self.readme.blocks.isEmpty, "README.md has no examples, or was not found")
        let cli = try await Workspace()
        var api: (Workspace, Spawned)?
        defer { if let api { api.1.terminate() } }
        for doc in [Self.readme] + Self.channelReadmes {
            try await runExamples(of: doc, in: cli, api: &api)
        }
        if let api {
            #expect(await api.1.exited(within: 20, terminating: true), "the API's relances serve did not stop on SIGTERM")
        }
    }

    /// The channels' READMEs, whose examples run too.
    static var channelReadmes: [ReadmeExamples] {
        (["channels/README.md"] + BuiltinChannels.table.names.map { "channels/\($0)/README.md" }).compactMap { file in
            (try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)).map { ReadmeExamples(file: file, markdown: $0) }
        }
    }

    func runExamples(of doc: ReadmeExamples, in cli: Workspace, api: inout (Workspace, Spawned)?) async throws {
        // Started with `&`, they run until the end of their file, as in a reader's terminal.
        var background: [Spawned] = []
        defer { for process in background where process.isRunning { process.terminate() } }
        for block in doc.blocks where block.language == "sh" {
            var prelude: [String] = []
            var outputs: [String] = []
            for command in ReadmeExamples.commands(block) {
                let at = "\(doc.file):\(command.line): \(command.text)"
                var words = command.text.split(separator: " ").map(String.init)
                if command.program == "export" || command.text.range(of: #"^[A-Za-z_][A-Za-z0-9_]*="#, options: .regularExpression) != nil {
                    prelude.append(command.text)
                    continue
                }
                if words.starts(with: ["swift", "run", "relances"]) { words.removeFirst(2) }
                let line = words.joined(separator: " ")
                switch words.first ?? "" {
                case "relances" where line.hasSuffix("&"):
                    let log = cli.folder.appendingPathComponent("background-\(command.line).log")
                    let process = try cli.start(String(line.dropLast()), prelude: prelude, log: log)
                    background.append(process)
                    #expect(await Self.says("listening on|serving on", in: log, while: process), "\(at): did not say it listens")
                case "relances" where words.dropFirst().first == "serve":
                    cli.port = try ServeCommandTests.freePort()
                    let log = cli.folder.appendingPathComponent("serve-\(command.line).log")
                    let process = try cli.start(line, prelude: prelude, log: log)
                    let started = await answers(process, port: cli.port, log: log)
                    let stopped = await process.exited(within: 20, terminating: true)
                    let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                    #expect(started, "\(at): did not answer /healthz:\n\(said.suffix(1500))")
                    #expect(stopped && process.terminationStatus == 0, "\(at): did not stop cleanly on SIGTERM (status \(process.terminationStatus))")
                    outputs.append(said)
                case "relances":
                    let (status, said) = try await cli.run((prelude + [line]).joined(separator: "\n"))
                    #expect(status == command.expectedStatus, "\(at): exit status \(status):\n\(said.suffix(1500))")
                    if command.program == "swift" {
                        // The newcomer's first run: nothing to worry about that they could not set.
                        #expect(!said.contains("level=warning") && !said.contains("level=error"), "\(at) warns:\n\(said.suffix(1500))")
                    }
                    outputs.append(said)
                case "curl":
                    var workspace = cli
                    if line.contains("127.0.0.1:8000") {
                        if api == nil { api = try await apiServer() }
                        workspace = api!.0
                    }
                    let (status, said) = try await workspace.run((prelude + ["curl -sS --fail-with-body" + line.dropFirst(4)]).joined(separator: "\n"))
                    #expect(status == 0, "\(at): curl exit status \(status):\n\(said.suffix(1500))")
                    outputs.append(said)
                case "swift":
                    checkSwift(words, at: at)
                default:
                    #expect(Self.systemPrograms.contains(command.program),
                            "\(at): the shell examples run relances, curl or swift (or install it: \(Self.systemPrograms.sorted()))")
                }
            }
            guard let next = doc.blocks.first(where: { $0.line > block.line }), doc.previous(next)?.line == block.line else { continue }
            if next.language == "text" {
                let all = outputs.joined(separator: "\n")
                for line in next.text.split(separator: "\n") where !ReadmeExamples.shows(String(line), in: all) {
                    Issue.record("\(doc.file):\(next.line): the output shown has « \(line) », which the commands above did not print:\n\(all.suffix(3000))")
                }
            } else if next.language == "json" {
                let documented = try JSONSerialization.jsonObject(with: Data(next.text.utf8))
                if let answered = try? JSONSerialization.jsonObject(with: Data((outputs.last ?? "").utf8)) {
                    if let difference = ReadmeExamples.shapeDifference(documented, answered) {
                        Issue.record("\(doc.file):\(next.line): the JSON shown is not what the command above answers: \(difference)")
                    }
                } else {
                    Issue.record("\(doc.file):\(next.line): the command above did not answer JSON: \(outputs.last ?? "")")
                }
            }
        }
        for process in background { await process.exited(within: 10, terminating: true) }
        // A crontab's command, with the escaped % crontab needs.
        for block in doc.blocks where block.language == "crontab" {
            for line in block.text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
                let command = line.split(separator: " ", maxSplits: 5).last.map(String.init) ?? ""
                let (status, said) = try await cli.run(command.replacingOccurrences(of: "\\%", with: "%"))
                #expect(status == 0, "\(doc.file):\(block.line + 1): the crontab's command exited \(status):\n\(said.suffix(1500))")
            }
        }
    }

    /// A workspace of its own with `relances serve` holding a token, which the curl
    /// examples reach as `$RELANCES_TOKEN`.
    func apiServer() async throws -> (Workspace, Spawned) {
        let workspace = try await Workspace()
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let log = workspace.folder.appendingPathComponent("serve.log")
        let server = try workspace.start("relances serve --port 8000 --schedule-interval 0 --token readme:\(token)", log: log)
        try #require(await answers(server, port: workspace.port, log: log),
                     "relances serve did not start:\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        workspace.environment["RELANCES_TOKEN"] = token
        return (workspace, server)
    }

    /// `swift` lines are what the newcomer and `.ci/run` run: they must name what exists.
    func checkSwift(_ words: [String], at: String) {
        switch words.dropFirst().first {
        case "test":
            let ci = (try? String(contentsOf: Self.root.appendingPathComponent(".ci/run"), encoding: .utf8)) ?? ""
            #expect(ci.split(separator: "\n").contains("swift test"), "\(at): .ci/run no longer runs `swift test`")
            for suite in words.drop(while: { $0 != "--filter" }).dropFirst().prefix(1) {
                #expect(Self.testSuites.contains(suite), "\(at): no test suite \(suite)")
            }
        case "build":
            #expect(words.dropFirst(2).allSatisfy { ["-c", "release", "debug", "--build-tests"].contains($0) }, "\(at): an option swift build does not take here")
        default:
            Issue.record("\(at): the README's swift lines are `swift run relances …`, `swift build` and `swift test`")
        }
    }

    /// The test suites of the package, by the names `swift test --filter` takes.
    static var testSuites: Set<String> {
        let tests = root.appendingPathComponent("Tests")
        let files = FileManager.default.enumerator(atPath: tests.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        var names: Set<String> = []
        for file in files {
            let text = (try? String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8)) ?? ""
            for match in text.matches(of: /@Suite[^\n]*struct (\w+)/) { names.insert(String(match.1)) }
        }
        return names
    }

    /// The routing configs the READMEs show (README.md's ```json blocks that show no
    /// command's answer; the channels' READMEs' blocks with channels of built-in kinds)
    /// pass the real loader, channels built, with the stand-ins' variables.
    @Test(.timeLimit(.minutes(2)))
    func routingConfigExamplesLoad() async throws {
        let workspace = try await Workspace(database: false)
        var configs = Self.readme.blocks.filter { $0.language == "json" && Self.readme.previous($0)?.language != "sh" }.map { (Self.readme.file, $0) }
        #expect(!configs.isEmpty)
        for doc in Self.channelReadmes {
            for block in doc.blocks where block.language == "json" {
                let object = try? JSONSerialization.jsonObject(with: Data(block.text.utf8)) as? [String: Any]
                guard let channels = object?["channels"] as? [String: Any] else { continue }
                let kinds = channels.values.compactMap { ($0 as? [String: Any])?["kind"] as? String }
                if kinds.allSatisfy({ BuiltinChannels.table[$0] != nil }) { configs.append((doc.file, block)) }
            }
        }
        for (file, block) in configs {
            let path = workspace.folder.appendingPathComponent("config-\(configs.count)-\(block.line).json")
            try Data(block.text.utf8).write(to: path)
            let (status, said) = try await workspace.run("relances check-config \(path.lastPathComponent)")
            #expect(status == 0, "\(file):\(block.line): this routing config does not load:\n\(said)")
        }
    }

    /// The README's recipe for an auditor, read from its own words (the version line and
    /// the fields in the order it gives them), recomputes every hash of a real export.
    @Test(.timeLimit(.minutes(2)))
    func theAuditorsRecipeRecomputesTheLedger() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let recipe = try #require(text.range(of: "`relances-ledger-v1`").map { String(text[$0.lowerBound...].prefix(600)) },
                                  "README.md no longer gives the ledger's hash recipe")
        let sentence = String(recipe.prefix { $0 != ";" })
        let names = sentence.matches(of: /`([a-z_0-9]+)`/).map { String($0.1) }.filter { $0 != "relances" }
        #expect(names.count == 10, "\(names)")
        let workspace = try await Workspace(database: false)
        #expect(try await workspace.run("relances demo --db envoyee.sqlite").0 == 0)
        let (status, export) = try await workspace.run("relances ledger export --from 2000-01-01 --to 2100-12-31 --db envoyee.sqlite")
        #expect(status == 0)
        let rows = try CSVParser.parse(export).get().map(\.fields)
        let header = try #require(rows.first)
        #expect(rows.count > 100, "the demo's sends left too few ledger entries: \(rows.count)")
        var previous: String?
        for row in rows.dropFirst() {
            let field = Dictionary(uniqueKeysWithValues: zip(header, row))
            let hashed = names.filter { $0 != "acteur" || !(field["acteur"] ?? "").isEmpty }
            let canonical = "relances-ledger-v1\n" + hashed.map { "\($0)=\((field[$0] ?? "").utf8.count):\(field[$0] ?? "")\n" }.joined()
            #expect(SHA256.hex(canonical) == field["hash"], "entry \(field["seq"] ?? "?"): the README's recipe does not give its hash")
            if let previous { #expect(field["prev_hash"] == previous) }
            previous = field["hash"]
        }
    }

    /// What the README names exists: the commands and options in its text, the benchmark
    /// suites and test suites it says reproduce a figure, the variables of its `.env`.
    /// And what a user needs is in it: every command, route and environment variable the
    /// program has; every channel setting in that channel's README.
    @Test(.timeLimit(.minutes(2)))
    func whatItNamesExistsAndWhatExistsIsNamed() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-help-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func help(_ arguments: [String], program: String? = nil) async throws -> String {
            let log = folder.appendingPathComponent("help.log")
            let process = try Spawned(try program ?? #require(RelancesProgram.path), arguments,
                                      environment: ProcessInfo.processInfo.environment, directory: folder, output: .file(log))
            await process.exited(within: 60)
            return try String(contentsOf: log, encoding: .utf8)
        }
        // Commands: every one the program has (its `static let name`s), and only those.
        let commands = Set(Self.sourceText.matches(of: /static let name = "([a-z-]+)"/).map { String($0.1) })
        #expect(commands.count > 10, "\(commands)")
        for command in commands { #expect(text.contains("`relances \(command)"), "README.md never shows `relances \(command)`") }
        var helps: [String: String] = [:]
        for span in text.matches(of: /`(relances(?:-bench)? [^`]+)`/).map({ String($0.1) }) {
            let words = span.split(whereSeparator: \.isWhitespace).map(String.init)
            if words[0] == "relances-bench" {
                let bench = try await help(["--help"], program: RelancesProgram.path.map { URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("relances-bench").path })
                for suite in words.dropFirst() where !suite.hasPrefix("SUITE") {
                    #expect(bench.contains("  \(suite)  "), "README.md: `\(span)`: relances-bench has no suite \(suite)")
                }
                continue
            }
            let command = words[1]
            if command.hasPrefix("<") { continue }
            guard commands.contains(command) else { Issue.record("README.md: `\(span)`: relances has no command \(command)"); continue }
            if helps[command] == nil { helps[command] = try await help([command, "--help"]) }
            for option in words.dropFirst(2) where option.hasPrefix("--") {
                #expect(helps[command]!.contains(option), "README.md: `\(span)`: `relances \(command) --help` has no \(option)")
            }
        }
        for span in text.matches(of: /`(?:swift test --filter )?([A-Z][a-z]\w+Tests)`/) {
            #expect(Self.testSuites.contains(String(span.1)), "README.md: no test suite \(span.1)")
        }
        // Environment variables: every one the sources read is in the README; a .env shows only those.
        let read = Self.sourceText.matches(of: /"((?:RELANCES|VENTIS|KEYCLOAK|SMTP)_[A-Z_]+)"/).map { String($0.1) }
        #expect(read.count > 20)
        for name in Set(read) { #expect(text.contains("`\(name)`"), "README.md does not document \(name)") }
        for block in Self.readme.blocks where block.language == "dotenv" {
            for line in block.text.split(separator: "\n") {
                let name = String(line.prefix { $0 != "=" })
                #expect(read.contains(name), "README.md:\(block.line): \(name) is read by nothing")
            }
        }
        // Routes: every one the API registers.
        let api = try String(contentsOf: Self.root.appendingPathComponent("Sources/RelancesServer/RelancesAPI.swift"), encoding: .utf8)
        let routes = api.matches(of: /route\("([A-Z]+)", "([^"]+)"\)/).map { "\($0.1) \($0.2)" }
            + api.matches(of: /router\.get\("([^"]+)"\)/).map { "GET \($0.1)" }
        #expect(routes.count > 15)
        for route in routes {
            #expect(text.contains("`\(route)`") || text.contains("`\(route)/`"), "README.md's API table lacks `\(route)`")
        }
        // Channel settings: each in its kind's README (or channels/README.md for the shared ones).
        let shared = try String(contentsOf: Self.root.appendingPathComponent("channels/README.md"), encoding: .utf8)
        for name in BuiltinChannels.table.names {
            let own = (try? String(contentsOf: Self.root.appendingPathComponent("channels/\(name)/README.md"), encoding: .utf8)) ?? ""
            #expect(!own.isEmpty, "channels/\(name)/README.md is missing")
            for setting in BuiltinChannels.table[name]!.settings {
                #expect(own.contains("`\(setting.name)`") || shared.contains("`\(setting.name)`"),
                        "channels/\(name)/README.md does not document its setting `\(setting.name)`")
            }
            #expect(text.contains("`\(name)`"), "README.md does not name the channel kind \(name)")
        }
        // Nothing points at files that do not ship.
        for file in ["README.md", "channels/README.md"] + BuiltinChannels.table.names.map({ "channels/\($0)/README.md" }) {
            let doc = (try? String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)) ?? ""
            #expect(!doc.contains("../shared") && !doc.contains("/work/shared") && !doc.contains("spec/"), "\(file) points at files that do not ship")
        }
    }

    /// The French texts the README quotes (« … ») are the software's own, word for word (a
    /// `…` standing for what varies), so that an operator finds on the page or in the CLI
    /// what the README names. The « Aide » paragraph is left to the panel's own work,
    /// which the page's tests check.
    @Test func theFrenchItQuotesIsTheSoftwares() throws {
        var text = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        text = text.replacing(/```.*?```/.dotMatchesNewlines(), with: "")
        if let aide = text.range(of: "<!-- « Aide »") {
            let end = text[aide.lowerBound...].range(of: "\n\n")?.lowerBound ?? text.endIndex
            text.removeSubrange(aide.lowerBound..<end)
        }
        let quotes = text.matches(of: /« ([^»]+) »/).map { $0.1.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        #expect(quotes.count > 20)
        let sources = Self.sourceText.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for quote in quotes {
            for part in quote.components(separatedBy: "…").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
                #expect(sources.contains(part), "README.md quotes « \(quote) », which the software never says")
            }
        }
    }

    /// The sources a user's settings are read by and its texts written in (the program, the
    /// channels and their configs, the benchmarks).
    static var sourceText: String {
        let fm = FileManager.default
        var text = ""
        for top in ["Sources", "channels"] {
            let base = root.appendingPathComponent(top)
            for file in fm.enumerator(atPath: base.path)?.compactMap({ $0 as? String }) ?? [] where file.hasSuffix(".swift") || file.hasSuffix(".json") {
                text += (try? String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)) ?? ""
            }
        }
        return text
    }
}
