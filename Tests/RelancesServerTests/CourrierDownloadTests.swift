import Channels
import Foundation
import Gateway
import HTTP
import Relances
import RelancesServer
import Testing

/// `GET /api/courriers/{file}`: the letters' PDFs, to the office's token holders, from
/// the letters folder only.
@Suite struct CourrierDownloadTests {
    @Test func aPDFIsServedWithATokenAndNothingOutsideItsFolder() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("courriers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = Logger(sink: MemoryLogSink())
        let kind = try #require(BuiltinChannels.table["letters-pdf"])
        let letters = try kind.make(ChannelSettings(name: "lettres", kind: kind.kind, file: "t",
                                                    values: ["directory": folder.appendingPathComponent("pdf").path, "run_idle_seconds": "600"]),
                                    ChannelContext(logger: log))
        let receipt = try await letters.send(Delivery(id: "relance-1", type: .courrier, recipient: "BP 1, Libreville", body: "Rappel",
                                                      metadata: ["contribuable_nom": "Éléonore Nzé"]))
        await letters.close()
        let file = try #require(receipt.details["file"])
        // A secret next to the folder, and a link inside it that points there.
        try Data("secret".utf8).write(to: folder.appendingPathComponent("secret.pdf"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("pdf/lien.pdf").path,
                                                   withDestinationPath: folder.appendingPathComponent("secret.pdf").path)

        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("t.sqlite").path)
        let dispatcher = Dispatcher(routes: [.courrier: Route(channels: ["lettres"])], channels: ["lettres": letters], logger: log)
        let api = try LoopbackAPI(store: store, sender: RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: log),
                                  configuration: APIConfiguration(tokens: ["t0ken-courriers"], logger: log))
        defer { api.server.shutdown(grace: 1) }
        let client = CurlHTTPClient(configuration: .init(logger: log))
        let auth: HTTPHeaders = ["Authorization": "Bearer t0ken-courriers"]

        #expect(try await client.get(url: "\(api.base)/api/courriers/\(file)").status == 401)
        let pdf = try await client.get(url: "\(api.base)/api/courriers/\(file)", headers: auth)
        #expect(pdf.status == 200 && pdf.headers["Content-Type"] == "application/pdf" && pdf.body.starts(with: Data("%PDF-".utf8)))
        // A traversal never reaches the handler as one name (the router splits on the
        // decoded `/`): refused either way.
        for (target, statuses) in [("lien.pdf", [404]), ("..%2Fsecret.pdf", [400, 404]), ("%2E%2E%2Fsecret.pdf", [400, 404]),
                                   (".\(file).journal", [400]), ("absent.pdf", [404]), ("t.sqlite", [400])] {
            let response = try await client.get(url: "\(api.base)/api/courriers/\(target)", headers: auth)
            #expect(statuses.contains(response.status), "\(target): \(response.status)")
            #expect(!response.text.contains("secret"), "\(target)")
        }
    }
}
