import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Counters, gauges and histograms, rendered in Prometheus' text format for
/// `GET /metrics`. One registry per program, passed to whoever counts.
public final class Metrics: Sendable {
    /// Provider latency buckets, in seconds.
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    private struct Key: Hashable, Comparable {
        var name: String
        var labels: [String: String]
        static func < (a: Key, b: Key) -> Bool { a.rendered < b.rendered }
        var rendered: String {
            labels.isEmpty ? name : name + "{" + labels.keys.sorted().map { "\($0)=\"\(Metrics.escape(labels[$0]!))\"" }.joined(separator: ",") + "}"
        }
    }

    private struct Histogram {
        var buckets: [Double]
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    /// What one shard holds: the series counted on the threads it serves.
    private struct Tally {
        var help: [String: (type: String, text: String)] = [:]
        var counters: [Key: Double] = [:]
        var histograms: [Key: Histogram] = [:]
    }

    /// Counters and histograms are striped over shards picked by the calling thread,
    /// and summed at scrape: a request thread takes only its shard's lock, which another
    /// thread rarely wants, instead of one lock every request thread queued on (a
    /// quarter of `serve`'s CPU under load). Each shard is an object of its own, so two
    /// shards never share a cache line.
    private final class Shard: Sendable {
        let tally = Mutex(Tally())
    }

    private static let shardCount = 16
    private let shards: [Shard] = (0..<Metrics.shardCount).map { _ in Shard() }
    /// Gauges are set, not added: last write wins, which shards could not say. They are
    /// set at scrape time (the queue depth), never on the request path.
    private let gauges = Mutex<(help: [String: (type: String, text: String)], values: [Key: Double])>(([:], [:]))

    public init() {}

    /// The shard of the calling thread.
    private var shard: Shard { shards[ThreadStripe.index(of: Self.shardCount)] }

    /// Adds to a counter (created at 0).
    public func increment(_ name: String, by value: Double = 1, _ labels: [String: String] = [:], help: String = "") {
        shard.tally.withLock { s in
            if s.help[name] == nil { s.help[name] = ("counter", help) }
            s.counters[Key(name: name, labels: labels), default: 0] += value
        }
    }

    /// Sets a gauge.
    public func set(_ name: String, to value: Double, _ labels: [String: String] = [:], help: String = "") {
        gauges.withLock { g in
            g.help[name] = g.help[name] ?? ("gauge", help)
            g.values[Key(name: name, labels: labels)] = value
        }
    }

    /// Records one observation in a histogram.
    public func observe(_ name: String, _ value: Double, _ labels: [String: String] = [:],
                        buckets: [Double] = Metrics.latencyBuckets, help: String = "") {
        shard.tally.withLock { s in
            if s.help[name] == nil { s.help[name] = ("histogram", help) }
            let key = Key(name: name, labels: labels)
            var h = s.histograms[key] ?? Histogram(buckets: buckets, counts: Array(repeating: 0, count: buckets.count))
            for (i, bound) in h.buckets.enumerated() where value <= bound { h.counts[i] += 1 }
            h.sum += value
            h.count += 1
            s.histograms[key] = h
        }
    }

    /// Every shard's figures summed, and the gauges: what a scrape shows.
    private func merged() -> (help: [String: (type: String, text: String)], counters: [Key: Double], gauges: [Key: Double],
                              histograms: [Key: Histogram]) {
        var help: [String: (type: String, text: String)] = [:]
        var counters: [Key: Double] = [:]
        var histograms: [Key: Histogram] = [:]
        for shard in shards {
            shard.tally.withLock { s in
                for (name, entry) in s.help where help[name] == nil || (help[name]!.text.isEmpty && !entry.text.isEmpty) { help[name] = entry }
                for (key, value) in s.counters { counters[key, default: 0] += value }
                for (key, h) in s.histograms {
                    guard var total = histograms[key] else { histograms[key] = h; continue }
                    for i in total.counts.indices where i < h.counts.count { total.counts[i] += h.counts[i] }
                    total.sum += h.sum
                    total.count += h.count
                    histograms[key] = total
                }
            }
        }
        let (gaugeHelp, gaugeValues) = gauges.withLock { ($0.help, $0.values) }
        for (name, entry) in gaugeHelp where help[name] == nil { help[name] = entry }
        return (help, counters, gaugeValues, histograms)
    }

    /// A counter's value (0 when never counted), for tests and summaries.
    public func counter(_ name: String, _ labels: [String: String] = [:]) -> Double {
        let key = Key(name: name, labels: labels)
        return shards.reduce(0) { sum, shard in sum + shard.tally.withLock { $0.counters[key] ?? 0 } }
    }

    /// The sum of a counter over every label set.
    public func total(_ name: String) -> Double {
        shards.reduce(0) { sum, shard in sum + shard.tally.withLock { s in s.counters.filter { $0.key.name == name }.values.reduce(0, +) } }
    }

    /// How many observations a histogram holds.
    public func observations(_ name: String, _ labels: [String: String] = [:]) -> UInt64 {
        let key = Key(name: name, labels: labels)
        return shards.reduce(0) { sum, shard in sum + shard.tally.withLock { $0.histograms[key]?.count ?? 0 } }
    }

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> String {
        let s = merged()
        do {
            var out = ""
            for name in s.help.keys.sorted() {
                let (type, text) = s.help[name]!
                if !text.isEmpty { out += "# HELP \(name) \(text)\n" }
                out += "# TYPE \(name) \(type)\n"
                for (key, value) in s.counters.filter({ $0.key.name == name }).sorted(by: { $0.key < $1.key }) {
                    out += "\(key.rendered) \(Self.number(value))\n"
                }
                for (key, value) in s.gauges.filter({ $0.key.name == name }).sorted(by: { $0.key < $1.key }) {
                    out += "\(key.rendered) \(Self.number(value))\n"
                }
                for (key, h) in s.histograms.filter({ $0.key.name == name }).sorted(by: { $0.key < $1.key }) {
                    for (i, bound) in h.buckets.enumerated() {
                        out += Key(name: "\(name)_bucket", labels: key.labels.merging(["le": Self.number(bound)]) { $1 }).rendered + " \(h.counts[i])\n"
                    }
                    out += Key(name: "\(name)_bucket", labels: key.labels.merging(["le": "+Inf"]) { $1 }).rendered + " \(h.count)\n"
                    out += Key(name: "\(name)_sum", labels: key.labels).rendered + " \(Self.number(h.sum))\n"
                    out += Key(name: "\(name)_count", labels: key.labels).rendered + " \(h.count)\n"
                }
            }
            return out
        }
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
