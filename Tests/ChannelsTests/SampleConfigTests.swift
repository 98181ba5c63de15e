import Channels
import Foundation
import Gateway
import Testing

@Suite struct SampleConfigTests {
    /// Enough environment for every kind's required settings.
    let environment = Environment(["KEYCLOAK_MESSAGING_USERNAME": "relances", "KEYCLOAK_MESSAGING_PASSWORD": "sandbox"])

    func configFiles() throws -> [String] {
        let channels = packageRoot.appendingPathComponent("channels")
        var files = ["routing.json", "dry-run.json"].map { channels.appendingPathComponent($0).path }
        for folder in try FileManager.default.contentsOfDirectory(atPath: channels.path).sorted() {
            let sample = channels.appendingPathComponent(folder).appendingPathComponent("sample.json").path
            if FileManager.default.fileExists(atPath: sample) { files.append(sample) }
        }
        return files
    }

    @Test func everySampleConfigLoadsThroughTheRealLoaderAndBuildsItsChannels() throws {
        let files = try configFiles()
        #expect(files.count >= 4)
        for file in files {
            let config = try GatewaySetup.config(configFile: file, environment: environment)
            let channels = try config.buildChannels(context: ChannelContext(logger: Logger(sink: MemoryLogSink()), environment: environment.values))
            #expect(!channels.isEmpty, "\(file)")
            #expect(!config.routes.isEmpty, "\(file)")
        }
    }

    @Test func everyKindInTheTableHasAFolderWithASampleAndAReadme() throws {
        for kind in BuiltinChannels.table.names {
            let folder = packageRoot.appendingPathComponent("channels/\(kind)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sample.json").path), "\(kind)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("README.md").path), "\(kind)")
        }
    }

    @Test func aDryRunRoutesEveryTypeToTheFileSinkWithoutCredentials() async throws {
        let folder = try temporaryFolder("dry")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = packageRoot.appendingPathComponent("channels/routing.json").path
        let config = try GatewaySetup.config(configFile: file, dryRun: true, environment: Environment())
        let context = ChannelContext(logger: Logger(sink: MemoryLogSink()), baseDirectory: folder)
        let dispatcher = try config.makeDispatcher(context: context)
        for type in RelanceType.sendable {
            #expect(dispatcher.route(for: type)?.all == ["dry-run"])
            let result = await dispatcher.send(Delivery(id: "dry-\(type)", type: type, recipient: "x", body: "b"))
            guard case .delivered(let receipt, _) = result else { Issue.record("\(type): \(result)"); continue }
            #expect(receipt.channel == "dry-run")
        }
        let lines = try String(contentsOf: folder.appendingPathComponent(GatewaySetup.dryRunPath), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(dispatcher.route(for: .appel) == nil)
    }
}
