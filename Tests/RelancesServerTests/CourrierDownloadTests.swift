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
        let rig = try LettersRig(token: "t0ken-courriers")
        let (folder, letters, log) = (rig.folder, rig.letters, rig.log)
        defer { rig.close() }
        let receipt = try await letters.send(Delivery(id: "relance-1", type: .courrier, recipient: "BP 1, Libreville", body: "Rappel",
                                                      metadata: ["contribuable_nom": "Éléonore Nzé"]))
        await letters.close()
        let file = try #require(receipt.details["file"])
        // A secret next to the folder, and a link inside it that points there.
        try Data("secret".utf8).write(to: folder.appendingPathComponent("secret.pdf"))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("pdf/lien.pdf").path,
                                                   withDestinationPath: folder.appendingPathComponent("secret.pdf").path)

        let api = rig.api
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

/// The API on loopback with one `letters-pdf` channel (courrier → `lettres`, a PDF run
/// that ends only when closed) and a token, over a temporary folder.
struct LettersRig {
    let folder: URL
    let log = Logger(sink: MemoryLogSink())
    let letters: any Channel
    let store: SQLiteRelanceStore
    let dispatcher: Dispatcher
    let api: LoopbackAPI

    init(token: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("courriers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let kind = try #require(BuiltinChannels.table["letters-pdf"])
        letters = try kind.make(ChannelSettings(name: "lettres", kind: kind.kind, file: "t",
                                                values: ["directory": folder.appendingPathComponent("pdf").path, "run_idle_seconds": "600"]),
                                ChannelContext(logger: log))
        store = try SQLiteRelanceStore(path: folder.appendingPathComponent("t.sqlite").path)
        dispatcher = Dispatcher(routes: [.courrier: Route(channels: ["lettres"])], channels: ["lettres": letters], logger: log)
        api = try LoopbackAPI(store: store, sender: RelanceSender(store: store, runtime: SendRuntime(dispatcher: dispatcher, rehearsal: false), logger: log),
                              configuration: APIConfiguration(tokens: [token], logger: log))
    }

    func close() {
        api.server.beginShutdown(grace: 1)
        try? FileManager.default.removeItem(at: folder)
    }
}
