import FileSink
import Foundation
import Gateway
import Testing

@Suite struct FileSinkTests {
    @Test func sixtyFourConcurrentWritersNeverInterleaveOrLoseALine() async throws {
        let folder = try temporaryFolder("sink")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/out.jsonl").path
        let channel = try FileSinkChannel(settings: settings("letters", FileSink.kind, ["path": path, "fsync": "never"]),
                                          context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        let perWriter = 50
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<64 {
                group.addTask {
                    var ids: [String] = []
                    for n in 0..<perWriter {
                        // Long, multi-byte bodies make torn writes visible if they happened.
                        let body = String(repeating: "Rappel é ’ \(writer)-\(n) ", count: 40)
                        let receipt = try await channel.send(Delivery(id: "relance-\(writer)-\(n)", type: .courrier,
                                                                      recipient: "BP 123, Libreville", subject: "Rappel", body: body))
                        ids.append(receipt.messageID)
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == 64 * perWriter)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 64 * perWriter)
        var seen = Set<String>()
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let id = try #require(object?["id"] as? String)
            let body = try #require(object?["body"] as? String)
            #expect(body.hasPrefix("Rappel é ’ "))
            #expect(object?["channel"] as? String == "letters")
            #expect(object?["type"] as? String == "courrier")
            #expect(object?["time"] as? String != nil)
            seen.insert(id)
        }
        #expect(seen.count == 64 * perWriter)
    }

    @Test func theReceiptPointsAtItsLine() async throws {
        let folder = try temporaryFolder("sink")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.jsonl").path
        let channel = try FileSinkChannel(settings: settings("letters", FileSink.kind, ["path": path]), context: ChannelContext())
        let first = try await channel.send(Delivery(id: "relance-1", type: .courrier, recipient: "a", body: "un"))
        let second = try await channel.send(Delivery(id: "relance-2", type: .courrier, recipient: "b", body: "deux"))
        #expect(first.messageID == "letters:relance-1@0")
        let offset = try #require(Int(second.details["offset"] ?? ""))
        let data = try #require(FileManager.default.contents(atPath: path))
        let line = String(decoding: data[offset...].prefix { $0 != 0x0A }, as: UTF8.self)
        #expect(line.contains("\"id\":\"relance-2\""))
        #expect(second.messageID == "letters:relance-2@\(offset)")
    }

    @Test func anUnwritablePathIsAStorageErrorNamingIt() async throws {
        let folder = try temporaryFolder("sink")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A regular file where a folder should be: no privilege lets anyone write under it.
        let blocker = folder.appendingPathComponent("blocker")
        try Data().write(to: blocker)
        let path = blocker.appendingPathComponent("out.jsonl").path
        let channel = try FileSinkChannel(settings: settings("letters", FileSink.kind, ["path": path]), context: ChannelContext())
        await #expect {
            _ = try await channel.send(Delivery(id: "r", type: .courrier, recipient: "a", body: "b"))
        } throws: { error in
            guard let error = error as? ChannelError, case .storage(let why) = error else { return false }
            return why.contains(folder.path) && !error.isRetryable
        }
        let health = await channel.checkHealth()
        #expect(!health.isHealthy && health.detail.contains("is a file"))
        let fine = try FileSinkChannel(settings: settings("ok", FileSink.kind, ["path": folder.appendingPathComponent("a/b/out.jsonl").path]), context: ChannelContext())
        #expect(await fine.checkHealth().isHealthy)
    }

    @Test func aFolderAsPathOrAnUnknownPolicyIsAConfigError() throws {
        let folder = try temporaryFolder("sink")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: ConfigError.self) {
            try FileSinkChannel(settings: settings("l", FileSink.kind, ["path": folder.path]), context: ChannelContext())
        }
        do {
            _ = try FileSinkChannel(settings: settings("l", FileSink.kind, ["path": "x.jsonl", "fsync": "sometimes"]), context: ChannelContext())
            Issue.record("accepted an unknown fsync policy")
        } catch {
            #expect(error.description == "test.json: channels.l.fsync: unknown policy 'sometimes'; valid: always, interval, never")
        }
    }
}
