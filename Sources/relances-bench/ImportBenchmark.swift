import Foundation
import Relances

/// A 1,000,000-row taxpayer file imported the way `relances import` imports it, then
/// imported again (every row unchanged): the process's peak memory must stay small,
/// whatever the file's size, since the importer streams it.
enum ImportBenchmark {
    static let rows = 1_000_000

    static func run() async throws -> [BenchmarkRow] {
        let folder = try RelanceBench.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("contribuables.csv")
        try write(csv)
        let size = Double((try FileManager.default.attributesOfItem(atPath: csv.path)[.size] as? Int) ?? 0) / 1_048_576
        let store = try SQLiteRelanceStore(path: folder.appendingPathComponent("import.sqlite").path)
        RelanceBench.resetPeakMemory()
        let start = Date()
        let first = try importFile(csv, into: store)
        let elapsed = Date().timeIntervalSince(start)
        let peak = RelanceBench.peakMemoryMB()
        let again = Date()
        let second = try importFile(csv, into: store)
        let reimport = Date().timeIntervalSince(again)
        let peakAgain = RelanceBench.peakMemoryMB()
        return [
            BenchmarkRow(name: "import 1,000,000 contribuables, peak memory", figure: String(format: "%.0f MB", peak),
                         target: "≤ 150 MB", met: peak <= 150,
                         note: String(format: "%.0f MB file, %.1f s, %@", size, elapsed, first)),
            BenchmarkRow(name: "re-import of the same file, peak memory", figure: String(format: "%.0f MB", peakAgain),
                         target: "≤ 150 MB", met: peakAgain <= 150, note: String(format: "%.1f s, %@", reimport, second)),
        ]
    }

    /// Taxpayers as the office's export has them, with their matricule.
    static func write(_ url: URL) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var chunk = "matricule;nom;prenom;telephone;email;adresse\n"
        for i in 0..<rows {
            chunk += "M\(i);NOM\(i);Prénom;07\(String(format: "%07d", i));c\(i)@exemple.ga;\"BP \(i); Akébé, Libreville\"\n"
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
    }

    static func importFile(_ url: URL, into store: any TaxRollImport) throws -> String {
        let s = try CSVImporter(store: store).importFile(atPath: url.path, as: .contribuables)
        return "\(s.created) created, \(s.updated) updated, \(s.unchanged) unchanged"
    }
}
