import EmailStub
import FileSink
import Foundation
import Gateway
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Letters and e-mails name taxpayers: the files and the folders the channels create
/// are the owner's alone (0600 / 0700), not readable by the machine's other users.
@Suite struct PrivateFilesTests {
    static func mode(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o777) : nil
    }

    @Test func theFileSinkCreatesAPrivateFileInPrivateFolders() async throws {
        let folder = try temporaryFolder("private-sink")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a/b/courrier.jsonl").path
        let channel = try FileSinkChannel(settings: settings("letters", FileSink.kind, ["path": path, "fsync": "never"]),
                                          context: ChannelContext(logger: Logger(sink: MemoryLogSink())))
        _ = try await channel.send(Delivery(id: "relance-1", type: .courrier, recipient: "BP 12, Akébé", subject: "Rappel", body: "Rappel"))
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(folder.appendingPathComponent("a/b").path) == 0o700)
        #expect(Self.mode(folder.appendingPathComponent("a").path) == 0o700)
    }

    @Test func theEmailSpoolIsPrivate() async throws {
        let folder = try temporaryFolder("private-mail")
        defer { try? FileManager.default.removeItem(at: folder) }
        let spool = folder.appendingPathComponent("var/mail")
        let channel = try EmailStubChannel(settings: settings("mail", EmailStub.kind, ["from": "relances@mairie-libreville.ga", "directory": spool.path]),
                                           context: ChannelContext())
        let receipt = try await channel.send(Delivery(id: "relance-1", type: .email, recipient: "e@exemple.ga", subject: "Rappel", body: "Rappel"))
        #expect(Self.mode(try #require(receipt.details["file"])) == 0o600)
        #expect(Self.mode(spool.path) == 0o700 && Self.mode(spool.deletingLastPathComponent().path) == 0o700)
    }

    /// `PrivateFile.write` (the ledger export) replaces whole, privately.
    @Test func aPrivateWriteIsWholeAndPrivate() throws {
        let folder = try temporaryFolder("private-write")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.csv").path
        try PrivateFile.write(Data("a,b\n".utf8), to: path)
        try PrivateFile.write(Data("c,d\n".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "c,d\n")
        #expect(Self.mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ledger.csv"])
    }
}
