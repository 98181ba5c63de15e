import Foundation
import Relances
import Synchronization
import Testing

/// Chromium, if this machine can start it (Debian's `chromium`, installed by .ci/run).
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static let canStart: Bool = {
        guard let path else {
            print("page browser test skipped: no chromium binary (apt-get install chromium)")
            return false
        }
        let ok = (try? run(path, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "about:blank"], timeout: 60))?.contains("<html") == true
        if !ok { print("page browser test skipped: \(path) cannot start here") }
        return ok
    }()

    /// Runs chromium headless and answers its standard output; kills it after `timeout`.
    static func run(_ path: String, _ arguments: [String], timeout: Double) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let data = Mutex(Data())
        let reader = Thread { data.withLock { $0 = out.fileHandleForReading.readDataToEndOfFile() } }
        reader.start()
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate() }
        while !reader.isFinished { usleep(10_000) }
        return String(decoding: data.withLock { $0 }, as: UTF8.self)
    }
}

@Suite struct PageBrowserTests {
    @Test(.enabled(if: Chromium.canStart, "chromium cannot start on this machine"))
    func thePageShowsCardsAndTableThenGeneratesAndSends() async throws {
        let rig = try APIRig()
        try DemoData.populate(rig.store, contribuables: 60)
        let chromium = try #require(Chromium.path)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--virtual-time-budget=15000"]

        // Before: the page loads, shows the cards and an empty table.
        let before = try await offPool { try Chromium.run(chromium, flags + ["--dump-dom", rig.base + "/"], timeout: 90) }
        #expect(before.contains("data-pret=\"oui\""))
        #expect(before.contains("id=\"stat-total\">0<"))
        #expect(before.contains("Aucune relance."))

        // The generation flow, both confirmations answered yes, the same function as the button.
        let after = try await offPool { try Chromium.run(chromium, flags + ["--dump-dom", rig.base + "/#test-generer"], timeout: 120) }
        let summary = try #require(after.range(of: #"data-resume="(\d+)/(\d+)/(\d+)""#, options: .regularExpression).map { String(after[$0]) })
        let figures = summary.dropFirst(13).dropLast().split(separator: "/").compactMap { Int($0) }
        #expect(figures.count == 3 && figures[0] > 0 && figures[1] + figures[2] == figures[0])
        // The first confirmation showed the pre-flight, and its figures were the run's.
        #expect(after.contains("data-preflight=\"\(figures[0])/\(figures[1])/\(figures[2])\""))
        #expect(after.contains("relance(s) sms seraient créées (canal"))
        #expect(after.contains("relance(s) générée(s)"))
        #expect(after.contains("class=\"pilule envoyee\""))
        let stats = try rig.store.statistics(from: nil, to: nil)
        #expect(stats.relancesEnvoyees == figures[1] && stats.relancesEnvoyees > 0)
        #expect(rig.sandbox.received.count >= figures[1])

        // Under the build folder: outside every target (SwiftPM would warn) and out of git.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = root.appendingPathComponent(".build/test-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let shot = output.appendingPathComponent("relances-page.png").path
        try? FileManager.default.removeItem(atPath: shot)
        _ = try await offPool { try Chromium.run(chromium, flags + ["--screenshot=\(shot)", rig.base + "/"], timeout: 90) }
        #expect(FileManager.default.fileExists(atPath: shot))
        print("page screenshot: \(shot)")
    }
}

/// Runs blocking work on a thread of its own, so Swift's cooperative pool (which the
/// server's handlers use) stays free.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
