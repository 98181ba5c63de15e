import Foundation
import Gateway
import HTTP
import Relances

/// `GET /metrics`: every registry the program counts in, in Prometheus' text format,
/// plus the queue depth read from the store at scrape time (a gauge kept up to date by
/// every write would cost the hot path; one indexed count per scrape costs nothing).
struct MetricsEndpoint: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let store: any DashboardSeries
    /// Where the API counts its requests and the gauge is set.
    let metrics: Metrics
    /// The dispatcher's (sends, retries, latency, token fetches), when it is another one.
    let others: [Metrics]
    let logger: Logger

    init(store: any DashboardSeries, metrics: Metrics, dispatcher: Metrics, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.others = dispatcher === metrics ? [] : [dispatcher]
        self.logger = logger
    }

    func scrape(_ request: HTTPRequest) -> HTTPResponse {
        do {
            for (statut, count) in try store.queueDepth() {
                metrics.set("relances_queue_depth", to: Double(count), ["statut": statut.rawValue],
                            help: "Relances waiting (en_attente) or being sent (envoi_en_cours), read at scrape time.")
            }
        } catch {
            // The other figures are still worth a scrape: the gauge keeps its last value.
            logger.error("queue depth unavailable for /metrics", ["error": error.description])
        }
        let text = ([metrics] + others).map { $0.render() }.joined()
        return .text(text, contentType: Self.contentType)
    }
}
