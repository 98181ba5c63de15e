import Foundation
import Gateway
import HTTP
import Synchronization
import Testing

/// The README's worked example is real code: the same text as `WebhookExample.swift`
/// (which this target compiles), and it sends through the kit.
@Suite struct WorkedExampleTests {
    @Test func theReadmesExampleIsTheCompiledOne() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("channels/README.md"), encoding: .utf8)
        let example = try String(contentsOf: packageRoot.appendingPathComponent("Tests/ChannelsTests/WebhookExample.swift"), encoding: .utf8)
        let code = example.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("//") }
        let indented = code.map { $0.isEmpty ? "" : "   " + $0 }.joined(separator: "\n")
        #expect(readme.contains(indented))
    }

    @Test func theExampleSendsAndMapsFailuresWithTheKit() async throws {
        let seen = Mutex<[String]>([])
        let router = HTTPRouter()
        router.post("/hook") { request in
            seen.withLock { $0.append(request.headers["Idempotency-Key"] ?? "") }
            return .text("ok")
        }
        router.post("/busy") { _ in .text("plus tard", status: 503) }
        var config = HTTPServerConfiguration()
        config.logger = Logger(sink: MemoryLogSink())
        let server = HTTPServer(configuration: config, handler: router.handler)
        let port = try server.start()
        defer { server.beginShutdown(grace: 1) }
        func hook(_ path: String) throws -> any Channel {
            try Webhook.kind.make(ChannelSettings(name: "hook", kind: "webhook", file: "t",
                                                  values: ["url": "http://127.0.0.1:\(port)\(path)", "token": "t"]),
                                  ChannelContext(logger: Logger(sink: MemoryLogSink())))
        }
        let delivery = Delivery(id: "relance-5", type: .email, recipient: "x", body: "b")
        let receipt = try await hook("/hook").send(delivery)
        #expect(receipt.note.contains("relance-5") && seen.withLock { $0 } == ["relance-5"])
        let busy = try hook("/busy")
        do { _ = try await busy.send(delivery); Issue.record("a 503 accepted") } catch {
            #expect(error.isRetryable && error.description.contains("WEBHOOK_URL"))
        }
    }
}
