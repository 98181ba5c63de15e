import Channels
import Foundation
import TestKit
import Gateway
import HTTP
import ProviderSandbox
import Relances
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `relances serve` as an operator starts it: the built program, in a folder of its own
/// (its `.env`, its `channels/routing.json`), reached over loopback.
@Suite struct ServeCommandTests {
    let client = CurlHTTPClient(configuration: .init(connectTimeout: 2, timeout: 10, logger: Logger(sink: MemoryLogSink())))

    /// A folder with a store and a routing config at the default place (letters to a
    /// file sink), and `dotEnv` as its `.env` when given.
    static func folder(dotEnv: String? = nil) throws -> (SQLiteRelanceStore, URL) {
        let (store, folder) = try temporaryStore()
        let channels = folder.appendingPathComponent("channels")
        try FileManager.default.createDirectory(at: channels, withIntermediateDirectories: true)
        try Data(#"{"channels": {"letters": {"kind": "file-sink", "path": "letters.jsonl"}}, "routes": {"courrier": {"channels": ["letters"]}}}"#.utf8)
            .write(to: channels.appendingPathComponent("routing.json"))
        if let dotEnv { try Data(dotEnv.utf8).write(to: folder.appendingPathComponent(".env")) }
        return (store, folder)
    }

    /// A port nobody listens on now: the kernel's pick for a socket bound to port 0.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `relances serve` in `folder` on a free port and waits until `/healthz`
    /// answers; the caller stops it with ``stop(_:)``.
    func serve(_ arguments: [String], in folder: URL, log: URL) async throws -> (Spawned, String) {
        let port = try Self.freePort()
        let process = try RelancesProgram.start(["serve", "--port", "\(port)"] + arguments, environment: [:], directory: folder, output: log)
        let base = "http://127.0.0.1:\(port)"
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline {
            if let answer = try? await client.execute(HTTPClientRequest(url: base + "/healthz", headers: ["Connection": "close"])), answer.status == 200 { return (process, base) }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        await Self.stop(process)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw ServeDidNotStart(output: String(output.suffix(800)))
    }

    struct ServeDidNotStart: Error, CustomStringConvertible {
        var output: String
        var description: String { "relances serve did not answer /healthz within 30 s:\n\(output)" }
    }

    /// SIGTERM, then at most 20 s for the graceful stop; SIGKILL after that.
    static func stop(_ process: Spawned) async {
        if await !process.exited(within: 20, terminating: true) {
            Issue.record("relances serve did not stop within 20 s of SIGTERM")
        }
    }

    /// A SIGTERM that comes as soon as the server says it listens (systemd stopping a
    /// service it just started) is a graceful stop, exit status 0: before, the handler was
    /// installed only after the server and the scheduler had started, and a signal in
    /// between killed the process (status 15) with whatever it was sending. Found by the
    /// README's examples on a loaded machine. The test reads the log rather than connect:
    /// a connection tried before the server listens can take the port for itself.
    @Test(.timeLimit(.minutes(2)))
    func aStopRightAfterStartIsGraceful() async throws {
        let (store, folder) = try Self.folder()
        for round in 0..<6 {
            let port = try Self.freePort()
            let log = folder.appendingPathComponent("serve-\(round).log")
            let arguments = round % 2 == 0 ? ["--db", store.database.path] : ["--demo", "--db", "demo.sqlite"]
            let process = try RelancesProgram.start(["serve", "--port", "\(port)"] + arguments, environment: [:], directory: folder, output: log)
            #expect(Self.waitFor("serving on", in: log, while: process), "round \(round)")
            await Self.stop(process)
            #expect(process.terminationStatus == 0, "round \(round): status \(process.terminationStatus)")
        }
    }

    /// Waits (30 s at most) until `log` holds `text`, or the process ends.
    static func waitFor(_ text: String, in log: URL, while process: Spawned) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline {
            if let said = try? String(contentsOf: log, encoding: .utf8), said.contains(text) { return true }
            usleep(200)
        }
        return false
    }

    /// A token in `.env` closes the API exactly as one in the process would: before,
    /// `serve` read RELANCES_API_TOKENS from the process only, and left the API open.
    @Test(.timeLimit(.minutes(1)))
    func anAPITokenInDotEnvIsRequired() async throws {
        let (store, folder) = try Self.folder(dotEnv: "RELANCES_API_TOKENS=0123456789abcdef-secret\n")
        let log = folder.appendingPathComponent("serve.log")
        let (process, base) = try await serve(["--db", store.database.path, "--schedule-interval", "0"], in: folder, log: log)

        // Connection: close, so the graceful stop has no idle keep-alive to wait for.
        let open = try? await client.execute(HTTPClientRequest(url: base + "/api/relances", headers: ["Connection": "close"]))
        let wrong = try? await client.execute(HTTPClientRequest(url: base + "/api/relances", headers: ["Connection": "close", "Authorization": "Bearer other"]))
        let allowed = try? await client.execute(HTTPClientRequest(url: base + "/api/relances", headers: ["Connection": "close", "Authorization": "Bearer 0123456789abcdef-secret"]))
        await Self.stop(process)
        #expect(open?.status == 401, "\(open?.text ?? "no answer")")
        #expect(wrong?.status == 401)
        #expect(allowed?.status == 200, "\(allowed?.text ?? "no answer")")
    }

    /// The README's own `serve --host 0.0.0.0 --token "$TOKEN"` with `TOKEN` unset started,
    /// and an empty token matched an empty header: every request got in. Now an empty or
    /// short token from any source refuses to start, naming where it came from.
    @Test(.timeLimit(.minutes(1)))
    func anEmptyOrShortTokenRefusesToStart() async throws {
        let cases: [(arguments: [String], environment: [String: String], dotEnv: String?, says: String)] = [
            (["--host", "0.0.0.0", "--token", ""], [:], nil, "an API token from --token is empty"),
            (["--token", "court"], [:], nil, "an API token from --token has 5 characters"),
            (["--host", "0.0.0.0"], ["RELANCES_API_TOKENS": ""], nil, "from RELANCES_API_TOKENS in the environment is empty"),
            ([], ["RELANCES_API_TOKENS": "0123456789abcdef-token,,"], nil, "from RELANCES_API_TOKENS in the environment is empty"),
            ([], [:], "RELANCES_API_TOKENS=guichet:abc\n", "from RELANCES_API_TOKENS in .env has 3 characters"),
            ([], [:], "RELANCES_JWT_SECRET=\n", "the JWT secret from RELANCES_JWT_SECRET in .env is empty"),
        ]
        for c in cases {
            let (store, folder) = try Self.folder(dotEnv: c.dotEnv)
            let log = folder.appendingPathComponent("serve.log")
            let port = try Self.freePort()
            let status = try await RelancesProgram.run(["serve", "--db", store.database.path, "--port", "\(port)", "--schedule-interval", "0"] + c.arguments,
                                                       environment: c.environment, directory: folder, output: log, timeout: 30)
            let output = try String(contentsOf: log, encoding: .utf8)
            #expect(status == 1 && output.contains("refusing to start") && output.contains(c.says), "\(c.arguments) \(c.environment): \(output)")
        }
    }

    /// A dry run claims nothing, so scheduled sending would rehearse the same due
    /// relances again and again: `serve --dry-run` does not start it, and says so.
    @Test(.timeLimit(.minutes(1)))
    func aDryRunServesWithoutScheduledSending() async throws {
        let (store, folder) = try Self.folder()
        let who = try store.add(Contribuable(nom: "N", prenom: "P", adresse: "BP 1, Libreville"))
        let due = try store.create(NewRelance(contribuableID: who, type: .courrier, montantDue: Montant("1")!,
                                              datePlanifiee: Date().addingTimeInterval(-3_600))).id
        let log = folder.appendingPathComponent("serve.log")
        let (process, _) = try await serve(["--db", store.database.path, "--dry-run", "--schedule-interval", "1"], in: folder, log: log)
        try await Task.sleep(nanoseconds: 1_500_000_000)   // past one interval: a scheduler would have run by now
        await Self.stop(process)

        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(output.contains("scheduled sending is off in a dry run"), "\(output.suffix(800))")
        #expect(!output.contains("scheduled sending: every") && !output.contains("scheduled batch"), "\(output.suffix(800))")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(GatewaySetup.dryRunPath).path))
        #expect(try store.relance(due)?.statut == .enAttente)
    }
}
