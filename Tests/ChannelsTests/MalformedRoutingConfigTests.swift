import Channels
import Foundation
import Gateway
import Testing

/// Routing configs broken in every way an operator's editor can break them, loaded
/// through the real start-up path (file → loader → channels built): each stops
/// start-up with an error that names the file, the key and what to do; none gives a
/// dispatcher, so nothing is half applied.
@Suite struct MalformedRoutingConfigTests {
    /// Credentials present, so only the file's own problems show.
    let environment = ["KEYCLOAK_MESSAGING_USERNAME": "relances", "KEYCLOAK_MESSAGING_PASSWORD": "pa55-not-shown"]

    // Not here, as Foundation's reader takes them and nothing is lost: a trailing comma,
    // and a file in UTF-16 (both load as what they say).

    /// A valid config with one part swapped for `json`.
    static func config(channels: String = #""letters": {"kind": "file-sink", "path": "out.jsonl"}"#,
                       routes: String = #""courrier": {"channels": ["letters"]}"#) -> String {
        #"{"channels": {\#(channels)}, "routes": {\#(routes)}}"#
    }

    /// (what is wrong, the file's bytes, words the error must contain besides the file name)
    static let cases: [(String, [UInt8], [String])] = {
        var out: [(String, [UInt8], [String])] = []
        func add(_ name: String, _ json: String, _ words: [String]) { out.append((name, Array(json.utf8), words)) }
        add("empty file", "", ["is not valid JSON"])
        add("whitespace only", "  \n", ["is not valid JSON"])
        add("cut short", #"{"channels": {"letters": {"kind": "file-sink""#, ["is not valid JSON"])
        add("two top-level objects", config() + config(), ["is not valid JSON"])
        add("a comment", "// routes\n" + config(), ["is not valid JSON"])
        add("single quotes", "{'channels': {}}", ["is not valid JSON"])
        add("top level an array", "[]", ["channels"])
        add("top level null", "null", ["channels"])
        add("top level a string", "\"routing\"", ["channels"])
        add("no channels", #"{"routes": {"courrier": {"channels": ["letters"]}}}"#, ["channels: missing"])
        add("no routes", #"{"channels": {"letters": {"kind": "file-sink", "path": "a"}}}"#, ["routes: missing"])
        add("channels an array", #"{"channels": [{"kind": "file-sink"}], "routes": {}}"#, ["channels: must be an object"])
        add("routes a list", #"{"channels": {"letters": {"kind": "file-sink", "path": "a"}}, "routes": ["courrier"]}"#, ["routes: must be an object"])
        add("a channel a string", config(channels: #""letters": "file-sink""#), ["channels.letters", "kind"])
        add("a channel without kind", config(channels: #""letters": {"path": "a"}"#), ["channels.letters.kind: missing; valid kinds"])
        add("kind a number", config(channels: #""letters": {"kind": 5, "path": "a"}"#), ["channels.letters.kind: must be a string"])
        add("kind misspelt", config(channels: #""letters": {"kind": "file_sink", "path": "a"}"#), ["unknown kind 'file_sink'", "file-sink"])
        add("kind in capitals", config(channels: #""letters": {"kind": "FILE-SINK", "path": "a"}"#), ["unknown kind 'FILE-SINK'"])
        add("a setting misspelt", config(channels: #""letters": {"kind": "file-sink", "pth": "a"}"#), ["channels.letters.pth: unknown setting", "path"])
        add("a required setting missing", config(channels: #""letters": {"kind": "file-sink"}"#), ["channels.letters.path: missing required setting"])
        add("a setting an object", config(channels: #""letters": {"kind": "file-sink", "path": {"dir": "a"}}"#), ["channels.letters.path: must be a string"])
        add("a setting a list", config(channels: #""letters": {"kind": "file-sink", "path": ["a"]}"#), ["channels.letters.path: must be a string"])
        add("an integer setting a word", config(channels: #""letters": {"kind": "file-sink", "path": "a", "fsync_interval_ms": "souvent"}"#),
            ["fsync_interval_ms", "'souvent' must be a whole number"])
        add("an integer setting a decimal", config(channels: #""letters": {"kind": "file-sink", "path": "a", "fsync_interval_ms": 2.5}"#),
            ["fsync_interval_ms", "must be a whole number"])
        add("an unknown fsync mode", config(channels: #""letters": {"kind": "file-sink", "path": "a", "fsync": "sometimes"}"#),
            ["channels.letters", "fsync", "sometimes"])
        add("retry a number", config(channels: #""letters": {"kind": "file-sink", "path": "a", "retry": 3}"#), ["channels.letters.retry: must be an object"])
        add("retry attempts zero", config(channels: #""letters": {"kind": "file-sink", "path": "a", "retry": {"max_attempts": 0}}"#),
            ["retry.max_attempts: must be a whole number from 1 to 20"])
        add("retry attempts huge", config(channels: #""letters": {"kind": "file-sink", "path": "a", "retry": {"max_attempts": 1e12}}"#),
            ["retry.max_attempts: must be a whole number from 1 to 20"])
        add("retry attempts a decimal", config(channels: #""letters": {"kind": "file-sink", "path": "a", "retry": {"max_attempts": 2.5}}"#),
            ["retry.max_attempts"])
        add("retry delay negative", config(channels: #""letters": {"kind": "file-sink", "path": "a", "retry": {"initial_delay_ms": -10}}"#),
            ["retry.initial_delay_ms"])
        add("rate a word", config(channels: #""letters": {"kind": "file-sink", "path": "a", "rate": {"per_second": "vite"}}"#),
            ["rate.per_second: must be a positive number"])
        add("rate zero", config(channels: #""letters": {"kind": "file-sink", "path": "a", "rate": {"per_second": 0}}"#),
            ["rate.per_second: must be a positive number"])
        add("a route to nothing", config(routes: #""courrier": {"channels": []}"#), ["routes.courrier.channels: must name at least one channel"])
        add("a route without channels", config(routes: #""courrier": {"fallback": ["letters"]}"#), ["routes.courrier.channels: missing"])
        add("route channels a string", config(routes: #""courrier": {"channels": "letters"}"#), ["routes.courrier.channels: must be a list of channel names"])
        add("route channels numbers", config(routes: #""courrier": {"channels": [1]}"#), ["routes.courrier.channels"])
        add("a route a string", config(routes: #""courrier": "letters""#), ["routes.courrier: must be an object"])
        add("a route to an unknown channel", config(routes: #""courrier": {"channels": ["lettres"]}"#), ["unknown channel 'lettres'; configured channels: letters"])
        add("a fallback to an unknown channel", config(routes: #""courrier": {"channels": ["letters"], "fallback": ["mail"]}"#), ["routes.courrier.fallback[0]", "'mail'"])
        add("a channel twice in a route", config(routes: #""courrier": {"channels": ["letters"], "fallback": ["letters"]}"#), ["appears twice"])
        add("an unknown relance type", config(routes: #""fax": {"channels": ["letters"]}"#), ["unknown relance type 'fax'"])
        add("a type done by hand", config(routes: #""appel": {"channels": ["letters"]}"#), ["'appel' is done by hand"])
        add("e-mail to a phone channel", config(channels: #""ventis": {"kind": "ventis-sms"}"#, routes: #""email": {"channels": ["ventis"]}"#),
            ["routes.email.channels[0]", "phone", "email"])
        add("an unset variable", config(channels: #""letters": {"kind": "file-sink", "path": "${RELANCES_NOWHERE}"}"#), ["${RELANCES_NOWHERE} is not set"])
        add("an unclosed variable", config(channels: #""letters": {"kind": "file-sink", "path": "${RELANCES_OUT"}"#), ["channels.letters.path"])
        add("a boolean a word", config(channels: #""ventis": {"kind": "ventis-sms", "verify_ssl": "peut-etre"}"#, routes: #""sms": {"channels": ["ventis"]}"#),
            ["channels.ventis.verify_ssl", "must be true or false"])
        add("a timeout a word", config(channels: #""ventis": {"kind": "ventis-sms", "timeout_seconds": "long"}"#, routes: #""sms": {"channels": ["ventis"]}"#),
            ["channels.ventis.timeout_seconds", "must be a number"])
        add("a URL that is not one", config(channels: #""ventis": {"kind": "ventis-sms", "url": "pas une url"}"#, routes: #""sms": {"channels": ["ventis"]}"#),
            ["url"])
        add("an unknown template type", config() .dropLast() + #", "templates": {"fax": "Bonjour"}}"#, ["templates.fax: unknown relance type"])
        add("an unknown top-level key", config().dropLast() + #", "route": {}}"#, ["route: unknown key; valid keys"])
        out.append(("invalid UTF-8", Array(config(channels: #""letters": {"kind": "file-sink", "path": "\u{1}"}"#).utf8).map { $0 == 1 ? 0xFF : $0 },
                    ["is not valid JSON"]))
        return out
    }()

    @Test func eachBrokenConfigStopsStartUpNamingTheProblem() throws {
        let folder = try temporaryFolder("bad-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        var report: [String] = []
        for (index, (name, bytes, words)) in Self.cases.enumerated() {
            let file = folder.appendingPathComponent("routing-\(index).json")
            try Data(bytes).write(to: file)
            do {
                _ = try GatewaySetup.dispatcher(configFile: file.path, environment: environment, logger: Logger(sink: MemoryLogSink()))
                report.append("\(name): loaded")
            } catch {
                let text = error.description
                let missing = ([file.path] + words).filter { !text.contains($0) }
                if !missing.isEmpty { report.append("\(name): « \(text) » lacks \(missing)") }
                if text.contains("pa55-not-shown") { report.append("\(name): the password is shown") }
            }
        }
        #expect(report.isEmpty, "\(report.count) of \(Self.cases.count):\n\(report.joined(separator: "\n"))")
        #expect(Self.cases.count >= 50)
    }

    @Test func aMissingUnreadableOrFolderConfigSaysWhatToDo() throws {
        let folder = try temporaryFolder("bad-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nowhere.json").path
        #expect(throws: ConfigError.self) { try GatewaySetup.dispatcher(configFile: missing, environment: environment) }
        do { _ = try GatewaySetup.dispatcher(configFile: missing, environment: environment) } catch {
            #expect(error.description == "\(missing): no such file; pass --config with the path of a routing config (channels/routing.json is the default)")
        }
        do { _ = try GatewaySetup.dispatcher(configFile: folder.path, environment: environment); Issue.record("a folder loaded as a config") } catch {
            #expect(error.description.hasPrefix(folder.path + ": "), "\(error.description)")
        }
    }

    /// Several problems at once are all listed, so the operator fixes the file in one go.
    @Test func everyProblemOfOneFileIsListedTogether() throws {
        let folder = try temporaryFolder("bad-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("routing.json")
        try Data(#"{"channels": {"a": {"kind": "nope"}, "b": {"kind": "file-sink", "pth": "x"}}, "routes": {"fax": {"channels": ["a"]}, "courrier": {"channels": ["zz"]}}}"#.utf8)
            .write(to: file)
        do { _ = try GatewaySetup.dispatcher(configFile: file.path, environment: environment); Issue.record("loaded") } catch {
            let lines = error.problems.map(\.path)
            #expect(Set(lines).isSuperset(of: ["channels.a.kind", "channels.b.pth", "channels.b.path", "routes.fax", "routes.courrier.channels[0]"]), "\(lines)")
        }
    }

    /// Hostile text in every place a routing config holds text (channel names, kinds,
    /// each string setting, route types, templates): it loads, or stops start-up with an
    /// error naming the file; never a crash, never the password or a URL's credentials
    /// in the error.
    @Test func hostileTextAnywhereInTheConfigLoadsOrIsNamed() throws {
        let folder = try temporaryFolder("hostile-config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostile = [#"a\u0000b"#, #"\u001b[31m"#, #"\u202egnp.exe"#, "<script>alert(1)</script>", "'; DROP TABLE relance; --",
                       "%s%n ${HOME} $(id)", "../../../../etc/passwd", #"a\r\nb"#, String(repeating: "x", count: 5000),
                       "http://user:Url-S3cret@127.0.0.1/", "${KEYCLOAK_MESSAGING_PASSWORD}"]
        var configs: [String] = []
        for h in hostile {
            configs.append(Self.config(channels: #""\#(h)": {"kind": "file-sink", "path": "out.jsonl"}"#, routes: #""courrier": {"channels": ["\#(h)"]}"#))
            configs.append(Self.config(channels: #""letters": {"kind": "\#(h)", "path": "out.jsonl"}"#))
            configs.append(Self.config(routes: #""\#(h)": {"channels": ["letters"]}"#))
            configs.append(Self.config().dropLast() + #", "templates": {"courrier": "\#(h)"}}"#)
            for setting in ["url", "keycloak_host", "realm", "client_id", "sender", "username", "ca_file"] {
                configs.append(Self.config(channels: #""ventis": {"kind": "ventis-sms", "\#(setting)": "\#(h)"}"#, routes: #""sms": {"channels": ["ventis"]}"#))
            }
        }
        var report: [String] = []
        for (index, json) in configs.enumerated() {
            let file = folder.appendingPathComponent("routing-\(index).json")
            try Data(json.utf8).write(to: file)
            do {
                _ = try GatewaySetup.dispatcher(configFile: file.path, environment: environment, logger: Logger(sink: MemoryLogSink()))
            } catch {
                let text = error.description
                if !text.contains(file.path) { report.append("#\(index): « \(text.prefix(200)) » does not name the file") }
                if text.contains("pa55-not-shown") || text.contains("Url-S3cret") { report.append("#\(index): a secret is shown") }
            }
        }
        #expect(report.isEmpty, "\(report.count) of \(configs.count):\n\(report.joined(separator: "\n"))")
    }
}
