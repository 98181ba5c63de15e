import Foundation
@testable import Gateway
import Synchronization
import Testing

/// The access log's sink: the caller appends, one writer writes; a full buffer drops
/// and says so; a flush writes everything taken before it.
@Suite struct BufferedLogSinkTests {
    static func record(_ i: Int) -> LogRecord {
        LogRecord(time: Date(), level: .info, label: "http", message: "request", fields: [("n", String(i))])
    }

    @Test func everyLineIsWrittenInOrderByTheFlush() {
        let memory = MemoryLogSink()
        let sink = BufferedLogSink(wrapping: memory, capacity: 100_000)
        for i in 0..<5_000 { sink.write(Self.record(i)) }
        sink.flush()
        #expect(memory.all.map { $0.fields.first?.1 } == (0..<5_000).map { String($0) })
        #expect(sink.dropped == 0)
        sink.close()
    }

    /// A sink that blocks until released: the writer is stuck on the first line.
    final class Gate: LogSink {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let records = Mutex<[LogRecord]>([])
        func write(_ record: LogRecord) {
            let first = records.withLock { $0.append(record); return $0.count == 1 }
            if first { entered.signal(); release.wait() }
        }
    }

    @Test func aFullBufferDropsCountsAndSaysSo() {
        let gate = Gate()
        let sink = BufferedLogSink(wrapping: gate, capacity: 160)   // 10 a stripe
        sink.write(Self.record(0))
        gate.entered.wait()                       // the writer holds line 0
        for i in 1...25 { sink.write(Self.record(i)) }
        #expect(sink.dropped == 15)               // 10 kept in this thread's stripe, 15 dropped, the caller never waited
        gate.release.signal()
        sink.flush()
        let lines = gate.records.withLock { $0 }
        #expect(lines.prefix(11).map { $0.fields.first?.1 } == (0...10).map { String($0) })
        #expect(lines.last?.level == .warning && lines.last?.fields.first?.1 == "15", "\(lines.map(\.formatted))")
        sink.close()
    }
}

@Suite struct ShardedMetricsTests {
    /// Counted on many threads at once, a counter and a histogram show their sums.
    @Test func countsFromManyThreadsAreSummedAtScrape() {
        let metrics = Metrics()
        let done = DispatchGroup()
        for t in 0..<8 {
            done.enter()
            // Threads, as the server's connections count: truly at once, not a task pool's turns.
            Thread {
                for _ in 0..<1_000 {
                    metrics.increment("hits_total", ["route": "/a"], help: "Hits.")
                    metrics.observe("latency_seconds", 0.01 * Double(t % 2 + 1))
                }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(metrics.counter("hits_total", ["route": "/a"]) == 8_000)
        #expect(metrics.total("hits_total") == 8_000)
        #expect(metrics.observations("latency_seconds") == 8_000)
        let text = metrics.render()
        #expect(text.contains("# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total{route=\"/a\"} 8000\n"), "\(text)")
        #expect(text.contains("latency_seconds_bucket{le=\"0.01\"} 4000\n"), "\(text)")
        #expect(text.contains("latency_seconds_bucket{le=\"+Inf\"} 8000\n"), "\(text)")
        #expect(text.contains("latency_seconds_count 8000\n"), "\(text)")
    }
}
