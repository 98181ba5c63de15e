import Foundation

// relances-bench [SUITE ...]: runs the named suites (all by default) and prints one table.
// Suites register in `suites` below, one line each; each lives in a file of its own.
typealias Suite = (name: String, summary: String, run: @Sendable () async throws -> [BenchmarkRow])

let suites: [Suite] = [
    ("generation", "100,000 late debts → relances, against a bare INSERT … SELECT", GenerationBenchmark.run),
    ("generation-scale", "every late debt in one call vs a bare INSERT … SELECT at 100,000 and 1,000,000; then 500 with 1,000,000 relances in the table", ScaleGenerationBenchmark.run),
    ("dry-run", "generate and send 100,000 relances through the file sink", DryRunBenchmark.run),
    ("server", "HTTP server requests/s under wrk (keep-alive JSON GET)", ServerBenchmark.run),
    ("serve", "a real relances serve (token, metrics, access log) under wrk -t2 -c64: /healthz and a list of 20, against the bare router", ServeBenchmark.run),
    ("idle", "/healthz from a newcomer while 2,000 idle connections from 20 addresses stay open", IdleBenchmark.run),
    ("client", "curl client requests/s against the sandbox, 20 ms latency, 64 in flight", ClientBenchmark.run),
    ("sms", "10,000 relances through ventis-sms to the sandbox (20 ms) at 1, 8, 32, 128 in flight", SMSBenchmark.run),
    ("api", "the page's reads with 1,000,000 relances in the store: p99 and requests/s under wrk", APIBenchmark.run),
    ("flaky", "the same 10,000 with 10 % of answers 500 and 2 % timeouts: 0 lost, 0 sent twice", SMSBenchmark.flaky),
    ("import", "a 1,000,000-row taxpayer CSV imported, then again: peak memory", ImportBenchmark.run),
    ("letters", "1,000 letters through letters-pdf into one PDF (target < 2 s)", LettersBenchmark.run),
    ("reliability", "200 clients × 30 s on the API (reads, creates, sends to a file sink): 0 5xx, 0 lost, 0 duplicated, memory", ReliabilityBenchmark.run),
    ("reliability-serve", "a real relances serve under 200 clients for 30 s, then a fault storm: 0 × 5xx, 0 lost, 0 twice, memory bounded", ServeReliabilityBenchmark.run),
]

var wanted = Array(CommandLine.arguments.dropFirst())
if wanted.contains("--help") {
    print("usage: relances-bench [suite ...]\nsuites:\n" + suites.map { "  \($0.name)  \($0.summary)" }.joined(separator: "\n"))
    exit(0)
}
// `--child SUITE`: run one suite and print its rows as JSON lines, for the parent.
let child = wanted.first == "--child"
if child { wanted.removeFirst() }
let unknown = wanted.filter { w in !suites.contains { $0.name == w } }
if !unknown.isEmpty {
    FileHandle.standardError.write(Data("relances-bench: unknown suite \(unknown.joined(separator: ", ")); valid: \(suites.map(\.name).joined(separator: ", "))\n".utf8))
    exit(2)
}
let selected = suites.filter { wanted.isEmpty || wanted.contains($0.name) }
var rows: [BenchmarkRow] = []
if selected.count == 1 {
    if !child { FileHandle.standardError.write(Data("running \(selected[0].name)…\n".utf8)) }
    do { rows = try await selected[0].run() } catch {
        rows = [BenchmarkRow(name: selected[0].name, figure: "failed", note: "\(error)")]
    }
} else {
    // Each suite in a process of its own: memory figures are then the suite's alone,
    // and one suite's threads and caches never slow the next.
    for suite in selected {
        FileHandle.standardError.write(Data("running \(suite.name)…\n".utf8))
        let output = (try? runProcess(CommandLine.arguments[0], ["--child", suite.name], stderr: false)) ?? ""
        let lines = output.split(separator: "\n").compactMap { try? JSONDecoder().decode(BenchmarkRow.self, from: Data($0.utf8)) }
        rows += lines.isEmpty ? [BenchmarkRow(name: suite.name, figure: "failed", note: String(output.suffix(300)))] : lines
    }
}
if child {
    let encoder = JSONEncoder()
    for row in rows { print(String(decoding: (try? encoder.encode(row)) ?? Data(), as: UTF8.self)) }
    exit(0)
}
print("relances-bench on \(coreCount) cores (\(ProcessInfo.processInfo.operatingSystemVersionString))")
let widths = [rows.map(\.name.count).max() ?? 4, rows.map(\.figure.count).max() ?? 6, rows.map(\.target.count).max() ?? 6]
for row in rows {
    let verdict = row.met.map { $0 ? "ok" : "MISSED" } ?? ""
    print([row.name.padding(toLength: widths[0], withPad: " ", startingAt: 0),
           row.figure.padding(toLength: widths[1], withPad: " ", startingAt: 0),
           row.target.padding(toLength: widths[2], withPad: " ", startingAt: 0),
           verdict.padding(toLength: 6, withPad: " ", startingAt: 0), row.note].joined(separator: "  "))
}
