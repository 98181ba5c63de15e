import Foundation

/// One line of the benchmark table.
struct BenchmarkRow: Sendable, Codable {
    /// What was measured (`server GET /healthz keep-alive`).
    var name: String
    /// The figure with its unit (`41,250 req/s`).
    var figure: String
    /// The target it is held against, if any (`≥ 40,000 req/s`).
    var target: String = ""
    /// Whether the target was met (nil when there is none).
    var met: Bool? = nil
    /// Anything that explains the figure (`128 in flight, 1 token request`).
    var note: String = ""
}

/// The machine's core count, printed with every figure.
let coreCount = ProcessInfo.processInfo.activeProcessorCount

func formatted(_ value: Double, decimals: Int = 0) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.maximumFractionDigits = decimals
    f.minimumFractionDigits = decimals
    f.groupingSeparator = ","
    return f.string(from: NSNumber(value: value)) ?? String(value)
}
