// The worked example of channels/README.md, word for word: WorkedExampleTests keeps
// the two equal, so the example in the README compiles and works.
import Foundation
import Gateway
import HTTP

public enum Webhook {
    public static let kind = ChannelKind(
        kind: "webhook", summary: "POSTs each message as JSON to a URL", accepts: .any,
        settings: [
            SettingSpec("url", environment: "WEBHOOK_URL", required: true, help: "where to POST"),
            SettingSpec("token", .secret, environment: "WEBHOOK_TOKEN", help: "bearer token"),
        ] + TransportSettings.specs(),   // verify_ssl, ca_file, timeouts, proxy, max_connections
        make: { settings, context throws(ConfigError) in try WebhookChannel(settings: settings, context: context) })
}

public final class WebhookChannel: Channel {
    public let name: String
    public let accepts = AddressKind.any
    let url: String
    let token: Secret
    let client: CurlHTTPClient
    let clock: any GatewayClock

    init(settings: ChannelSettings, context: ChannelContext) throws(ConfigError) {
        guard let url = settings.string("url"), url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw settings.problem("url", "must be an http(s) URL")
        }
        let logger = context.logger.labelled("webhook")
        name = settings.name
        self.url = url
        token = settings.secret("token")
        // The shared threads, with this channel's TLS settings; no connection is made here.
        client = context.httpClient(try TransportSettings(settings, context: context, logger: logger), logger: logger)
        clock = context.clock
    }

    public func send(_ delivery: Delivery) async throws(ChannelError) -> Receipt {
        let body = Data(#"{"id":"\#(delivery.id)"}"#.utf8)   // build the real JSON with JSONEncoder
        let response: HTTPClientResponse
        do {
            response = try await client.execute(HTTPClientRequest(
                method: "POST", url: url,
                headers: ["Authorization": "Bearer \(token.value)", "Content-Type": "application/json",
                          "Idempotency-Key": delivery.id],
                body: body))
        } catch {
            throw ChannelError(transport: error)          // the kit's one mapping
        }
        if let failure = ChannelError(status: response.status, body: response.text, url: url) {
            throw failure.hint("vérifiez WEBHOOK_URL et WEBHOOK_TOKEN")
        }
        return Receipt(channel: name, messageID: delivery.id, acceptedAt: clock.now(), recipient: delivery.recipient,
                       providerAnswer: response.text, note: "Transmis au système de la mairie (\(name)). ID: \(delivery.id)")
    }
}
