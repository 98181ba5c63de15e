import Foundation
import Gateway
import LettersPDF

/// 1,000 letters through the `letters-pdf` channel into one PDF: each send (laid out,
/// journaled and flushed) and the PDF written at the run's end, temporary name and rename.
enum LettersBenchmark {
    static func run() async throws -> [BenchmarkRow] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-letters-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let channel = try LettersPDFChannel(
            settings: ChannelSettings(name: "lettres", kind: LettersPDF.kind.kind, file: "bench",
                                      values: ["directory": folder.path, "run_idle_seconds": "600",
                                               "office_address": "Service des taxes municipales\nBP 44, Libreville, Gabon",
                                               "signature": "Le Receveur municipal\nService des taxes"]),
            context: ChannelContext(logger: Logger(level: .error)))
        let count = 1_000
        let started = Date()
        var file = ""
        for i in 0..<count {
            let receipt = try await channel.send(Delivery(
                id: "relance-\(i)", type: .courrier, recipient: "Quartier Louis, BP \(1000 + i), Libreville",
                body: "Nous vous rappelons que votre taxe de marché est échue depuis le 25/11/2026. Merci de régulariser votre situation auprès de la régie municipale.",
                metadata: ["contribuable_nom": "Éloïse Mba-Ékomié \(i)", "taxe": "Taxe de marché", "montant": "45000.00",
                           "date_echeance": "2026-11-25", "reference": "REL-\(i)"]))
            file = receipt.details["file"] ?? ""
        }
        await channel.close()
        let seconds = Date().timeIntervalSince(started)
        let size = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file).path)[.size] as? Int) ?? 0
        return [BenchmarkRow(name: "letters-pdf 1,000 letters → one PDF", figure: "\(formatted(seconds, decimals: 2)) s",
                             target: "< 2 s", met: seconds < 2 && size > 0,
                             note: "each letter journaled and flushed; \(formatted(Double(size) / 1024)) KiB, \(count) pages")]
    }
}
