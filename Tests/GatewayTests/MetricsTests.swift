import Foundation
import Gateway
import ProviderSandbox
import Testing

@Suite struct MetricsTests {
    @Test func aKnownBatchGivesKnownCountersInPrometheusFormat() async {
        let metrics = Metrics()
        let clock = ManualClock()
        let flaky = RecordingChannel("ventis", script: [.failure(.timeout(seconds: 30)), .success(()), .failure(.refused(code: "21", message: "x"))])
        let dispatcher = Dispatcher(routes: [.sms: Route(channels: ["ventis"])], channels: ["ventis": flaky],
                                    clock: clock, logger: Logger(sink: MemoryLogSink()), metrics: metrics)
        _ = await dispatcher.send(Delivery(id: "r1", type: .sms, recipient: "1", body: "a"))   // timeout, then sent
        _ = await dispatcher.send(Delivery(id: "r2", type: .sms, recipient: "2", body: "b"))   // refused
        #expect(metrics.counter("relances_attempts_total", ["channel": "ventis", "outcome": "sent"]) == 1)
        #expect(metrics.counter("relances_attempts_total", ["channel": "ventis", "outcome": "timeout"]) == 1)
        #expect(metrics.counter("relances_attempts_total", ["channel": "ventis", "outcome": "refused"]) == 1)
        #expect(metrics.counter("relances_retries_total", ["channel": "ventis"]) == 1)
        #expect(metrics.observations("relances_provider_seconds", ["channel": "ventis"]) == 3)
        let text = metrics.render()
        #expect(text.contains("# TYPE relances_attempts_total counter\n"))
        #expect(text.contains("relances_attempts_total{channel=\"ventis\",outcome=\"sent\"} 1\n"))
        #expect(text.contains("relances_provider_seconds_bucket{channel=\"ventis\",le=\"+Inf\"} 3\n"))
        #expect(text.contains("relances_provider_seconds_count{channel=\"ventis\"} 3\n"))
    }

    @Test func labelsAreEscaped() {
        let metrics = Metrics()
        metrics.set("queue_depth", to: 4, ["route": "a\"b\\c"])
        #expect(metrics.render().contains("queue_depth{route=\"a\\\"b\\\\c\"} 4\n"))
    }
}
