import Gateway
import HTTP
import Relances
import RelancesServer

/// The relances API served on a loopback port, as `serve` builds it: what every rig of
/// these tests starts after choosing its store, channels and configuration.
struct LoopbackAPI {
    let server: HTTPServer
    let handler: HTTPHandler
    /// `http://127.0.0.1:<port>`.
    let base: String

    init(store: SQLiteRelanceStore, sender: RelanceSender, configuration: APIConfiguration) throws {
        let service = relancesService(router: buildRelancesRouter(store: store, sender: sender, configuration: configuration),
                                      configuration: configuration)
        handler = service.handler
        var serverConfig = HTTPServerConfiguration()
        serverConfig.logger = configuration.logger
        serverConfig.admission = service.admission
        server = HTTPServer(configuration: serverConfig, handler: handler)
        base = "http://127.0.0.1:\(try server.start())"
    }
}
