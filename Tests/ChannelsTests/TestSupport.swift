import Foundation
import Gateway
import Synchronization
import TestKit

/// The package's root folder, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary folder, removed by the caller.
func temporaryFolder(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func settings(_ name: String, _ kind: ChannelKind, _ values: [String: String]) -> ChannelSettings {
    var all: [String: String] = [:]
    for spec in kind.settings { if let d = spec.defaultValue { all[spec.name] = d } }
    all.merge(values) { $1 }
    return ChannelSettings(name: name, kind: kind.kind, file: "test.json", values: all)
}

/// Runs a program and answers its standard output, or throws with its standard error.
/// It waits on a thread of its own: a test waiting for a program (a PDF reader, a
/// MIME parser, a key being made) must not hold one of Swift's few cooperative
/// threads, which every other test running at the same time needs.
func run(_ arguments: [String], input: Data? = nil) async throws -> String {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try runBlocking(arguments, input: input) }) }
        thread.start()
    }
}

private func runBlocking(_ arguments: [String], input: Data?) throws -> String {
    let process = try Spawned(arguments[0], Array(arguments.dropFirst()), input: input == nil ? .null : .pipe,
                              output: .pipe, error: .pipe)
    if let input, let stdin = process.input {
        stdin.write(input)
        try stdin.close()
    }
    // The errors are read on another thread, so a child that fills that pipe first
    // never waits on us while we wait for its output.
    let errors = Mutex(Data())
    let reader = Thread { errors.withLock { $0 = process.errorOutput?.readDataToEndOfFile() ?? Data() } }
    reader.start()
    let output = process.output?.readDataToEndOfFile() ?? Data()
    while !reader.isFinished { usleep(1_000) }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "run", code: Int(process.terminationStatus),
                      userInfo: [NSLocalizedDescriptionKey: String(decoding: errors.withLock { $0 }, as: UTF8.self)])
    }
    return String(decoding: output, as: UTF8.self)
}
