import Channels
import Foundation
import Gateway
import HTTP
import ProviderSandbox
import Relances
import RelancesServer
import Synchronization
import Testing
import VentisSMS

/// The API over loopback: the real server, a temporary database, SMS to the sandbox.
final class APIRig: Sendable {
    let store: SQLiteRelanceStore
    let sandbox: ProviderSandbox
    let server: HTTPServer
    let client = CurlHTTPClient(configuration: .init(logger: Logger(sink: MemoryLogSink())))
    let base: String
    let who: Int64
    let noPhone: Int64
    /// The late debt of `noPhone` (another taxpayer's, for `who`).
    let noPhoneAffectation: Int64

    /// `dryRun`: the gateway as `serve --dry-run` builds it from `channels/dry-run.json`,
    /// every message to a file sink in the rig's folder, nothing to the sandbox.
    /// `routing`: a routing config's text (its SMS channel on the sandbox by the
    /// environment), for what the config decides (grouping, templates).
    init(tokens: [String] = [], cors: [String] = [], rateLimit: Double? = nil, clock: any GatewayClock = SystemClock(),
         dryRun: Bool = false, routing: String? = nil, configure: (inout APIConfiguration) -> Void = { _ in }) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteRelanceStore(path: folder.appendingPathComponent("t.sqlite").path)
        sandbox = ProviderSandbox(logger: Logger(sink: MemoryLogSink()))
        try sandbox.start()
        let log = Logger(sink: MemoryLogSink())
        var values: [String: String] = [:]
        for spec in VentisSMS.kind.settings { if let d = spec.defaultValue { values[spec.name] = d } }
        values.merge(["url": sandbox.messagingURL, "keycloak_host": sandbox.keycloakURL, "username": "relances", "password": "sandbox"]) { $1 }
        let ventis = try VentisSMSChannel(settings: ChannelSettings(name: "ventis", kind: "ventis-sms", file: "t", values: values),
                                          context: ChannelContext(logger: log))
        let dispatcher = if dryRun {
            try GatewaySetup.config(configFile: Self.packageRoot.appendingPathComponent("channels/dry-run.json").path, dryRun: true,
                                    environment: Environment()).makeDispatcher(context: ChannelContext(logger: log, baseDirectory: folder))
        } else {
            Dispatcher(routes: [.sms: Route(channels: ["ventis"])], channels: ["ventis": ventis], logger: log)
        }
        let runtime: SendRuntime
        if let routing {
            let file = folder.appendingPathComponent("routing.json")
            try Data(routing.utf8).write(to: file)
            let config = try GatewaySetup.config(configFile: file.path, environment: Environment(sandbox.environment))
            runtime = SendRuntime(config: config, dispatcher: try config.makeDispatcher(context: ChannelContext(logger: log, baseDirectory: folder)))
        } else {
            runtime = SendRuntime(dispatcher: dispatcher, rehearsal: false)
        }
        let sender = RelanceSender(store: store, runtime: runtime, logger: log)
        var config = APIConfiguration(tokens: tokens, corsOrigins: cors, logger: log, rateLimit: rateLimit)
        config.clock = clock
        configure(&config)
        let api = try LoopbackAPI(store: store, sender: sender, configuration: config)
        (server, base) = (api.server, api.base)
        who = try store.add(Contribuable(nom: "NZE", prenom: "Éléonore", telephone: "066 12 34 56", email: "e@exemple.ga"))
        noPhone = try store.add(Contribuable(nom: "OBAME", prenom: "Paul"))
        let taxe = try store.add(Taxe(nom: "Voirie", montant: Montant("5000")!, periodicite: .mensuelle))
        var affectations: [Int64] = []
        for (person, days) in [(who, 40), (noPhone, 35)] {
            let start = ISO8601.string(from: Date().addingTimeInterval(-Double(days) * 86_400)).prefix(10)
            affectations.append(try store.add(AffectationTaxe(contribuableID: person, taxeID: taxe, dateDebut: String(start))))
            try store.openDossier(affectationID: affectations.last!)
        }
        noPhoneAffectation = affectations[1]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Neither blocks: the last reference often goes on the cooperative pool.
    deinit {
        server.beginShutdown(grace: 1)
        sandbox.beginStop()
    }

    func call(_ method: String, _ path: String, json: String? = nil, headers: HTTPHeaders = [:]) async throws -> (Int, Any?, HTTPClientResponse) {
        var h = headers
        if json != nil { h["Content-Type"] = "application/json" }
        let response = try await client.execute(HTTPClientRequest(method: method, url: base + path, headers: h, body: Data((json ?? "").utf8)))
        return (response.status, try? JSONSerialization.jsonObject(with: response.body), response)
    }

    func detail(_ value: Any?) -> String? { (value as? [String: Any])?["detail"] as? String }
}

@Suite struct APITests {
    /// Over its rate, a client gets 429 with Retry-After at once; another token has its
    /// own bucket; time refills it; the page and /healthz are not limited.
    @Test func aClientOverItsRateGets429AndOthersDoNot() async throws {
        let clock = ManualClock(Date())
        let rig = try APIRig(tokens: ["a", "b"], rateLimit: 2, clock: clock)
        let a: HTTPHeaders = ["Authorization": "Bearer a"], b: HTTPHeaders = ["Authorization": "Bearer b"]
        var statuses: [Int] = []
        for _ in 0..<6 { statuses.append(try await rig.call("GET", "/api/relances/statistiques", headers: a).0) }
        #expect(statuses == [200, 200, 200, 200, 429, 429])   // a burst of twice the rate, then refused
        let (refused, body, response) = try await rig.call("GET", "/api/relances", headers: a)
        #expect(refused == 429 && rig.detail(body) == "Trop de requêtes : réessayez dans 1 s" && response.headers["Retry-After"] == "1")
        #expect(try await rig.call("GET", "/api/relances", headers: b).0 == 200)
        #expect(try await rig.call("GET", "/healthz").0 == 200)
        clock.advance(by: 1)
        #expect(try await rig.call("GET", "/api/relances", headers: a).0 == 200)
        #expect(try await rig.call("GET", "/api/relances", headers: a).0 == 200)
        #expect(try await rig.call("GET", "/api/relances", headers: a).0 == 429)
    }

    /// The limit comes before the token check: a client guessing tokens is refused 429
    /// after its burst, not answered 401 for ever; a wrong token counts against its
    /// address, which `/metrics` shares, while a valid token keeps its own bucket.
    @Test func aWrongTokenIsRateLimitedBeforeItIsRefused() async throws {
        let clock = ManualClock(Date())
        let rig = try APIRig(tokens: ["s3cret-token"], rateLimit: 2, clock: clock)
        var statuses: [Int] = []
        for guess in 0..<6 {
            statuses.append(try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer guess-\(guess)"]).0)
        }
        #expect(statuses == [401, 401, 401, 401, 429, 429])
        let (refused, body, response) = try await rig.call("GET", "/metrics", headers: ["Authorization": "Bearer s3cret-tokem"])
        #expect(refused == 429 && rig.detail(body) == "Trop de requêtes : réessayez dans 1 s" && response.headers["Retry-After"] == "1")
        #expect(try await rig.call("GET", "/api/relances").0 == 429)   // no header: the same address
        #expect(try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer s3cret-token"]).0 == 200)
        clock.advance(by: 1)
        #expect(try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer guess-6"]).0 == 401)
    }

    /// With no tokens configured the Authorization header is checked by nobody, so it
    /// is not a key: changing it on every request does not buy a fresh bucket.
    @Test func anUncheckedAuthorizationHeaderDoesNotEscapeTheLimit() async throws {
        let rig = try APIRig(rateLimit: 2, clock: ManualClock(Date()))
        var statuses: [Int] = []
        for i in 0..<6 {
            statuses.append(try await rig.call("GET", "/api/relances/statistiques", headers: ["Authorization": "Bearer client-\(i)"]).0)
        }
        #expect(statuses == [200, 200, 200, 200, 429, 429])
    }

    @Test func createGetAndTheShapeOfARelance() async throws {
        let rig = try APIRig()
        let (status, created, _) = try await rig.call("POST", "/api/relances", json: """
            {"contribuable_id": \(rig.who), "type_relance": "sms", "montant_due": "5000.5", "date_planifiee": "2026-11-24T08:00:00Z",
             "message": "Rappel", "date_echeance": "2026-12-24"}
            """)
        #expect(status == 201)
        let r = try #require(created as? [String: Any])
        #expect(r["montant_due"] as? String == "5000.50")
        #expect(r["statut"] as? String == "en_attente")
        #expect(r["date_planifiee"] as? String == "2026-11-24T08:00:00Z")
        #expect(r["date_echeance"] as? String == "2026-12-24T00:00:00Z")
        #expect(r["date_envoi"] is NSNull && r["affectation_taxe_id"] is NSNull && r["affectation_taxe"] is NSNull)
        #expect((r["contribuable"] as? [String: Any])?["nom"] as? String == "NZE")
        #expect(r["reponse_recue"] as? Bool == false)
        let id = try #require(r["id"] as? Int)
        let (s2, one, _) = try await rig.call("GET", "/api/relances/\(id)/")
        #expect(s2 == 200 && (one as? [String: Any])?["id"] as? Int == id)
        let (s3, missing, _) = try await rig.call("GET", "/api/relances/99999")
        #expect(s3 == 404 && rig.detail(missing) == "Relance non trouvée")
        let (s4, unknown, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": 999, "type_relance": "sms", "montant_due": "1", "date_planifiee": "2026-11-24"}"#)
        #expect(s4 == 404 && rig.detail(unknown) == "Contribuable non trouvé")
        let (s5, badType, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": 1, "type_relance": "fax", "montant_due": "1", "date_planifiee": "2026-11-24"}"#)
        #expect(s5 == 400 && rig.detail(badType) == "Type de relance invalide")
        let (s6, malformed, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": "un", "type_relance": "sms"}"#)
        #expect(s6 == 422 && rig.detail(malformed)?.hasPrefix("contribuable_id") == true)
        let (s7, broken, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": "#)
        #expect(s7 == 422 && rig.detail(broken) != nil)
    }

    /// The store itself refuses another taxpayer's affectation, in the insert's own
    /// transaction (the API no longer checks it beside the store); the API answers its
    /// refusal as 422 naming the field, and an unknown affectation as 404.
    @Test func theStoreRefusesAnotherTaxpayersAffectation() async throws {
        let rig = try APIRig()
        let others = rig.noPhoneAffectation
        let planned = ISO8601.date(from: "2026-11-24T08:00:00Z")!
        let wrong = NewRelance(contribuableID: rig.who, affectationTaxeID: others, type: .sms, montantDue: Montant("10")!, datePlanifiee: planned)
        let refusal = StoreError.unprocessable(field: "affectation_taxe_id", reason: "l'affectation \(others) n'est pas celle du contribuable \(rig.who)")
        #expect(throws: refusal) { try rig.store.create(wrong) }
        #expect(throws: refusal) { try rig.store.create([wrong]) }   // the batch too
        #expect(try rig.store.list(.init()).total == 0)
        let (s422, mismatch, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.who), "affectation_taxe_id": \#(others), "type_relance": "sms", "montant_due": "10", "date_planifiee": "2026-11-24"}"#)
        #expect(s422 == 422 && rig.detail(mismatch) == "affectation_taxe_id : l'affectation \(others) n'est pas celle du contribuable \(rig.who)")
        let (s404, unknown, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.who), "affectation_taxe_id": 424242, "type_relance": "sms", "montant_due": "10", "date_planifiee": "2026-11-24"}"#)
        #expect(s404 == 404 && rig.detail(unknown) == "Affectation de taxe 424242 introuvable")
        let (s201, _, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.noPhone), "affectation_taxe_id": \#(others), "type_relance": "sms", "montant_due": "10", "date_planifiee": "2026-11-24"}"#)
        #expect(s201 == 201)
    }

    @Test func listDefaultsBoundsAndFilters() async throws {
        let rig = try APIRig()
        for day in ["2026-11-20", "2026-11-22", "2026-11-24"] {
            _ = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.who), "type_relance": "email", "montant_due": 100, "date_planifiee": "\#(day)T10:00:00Z"}"#)
        }
        let (s, page, _) = try await rig.call("GET", "/api/relances")
        let body = try #require(page as? [String: Any])
        #expect(s == 200 && body["total"] as? Int == 3 && body["skip"] as? Int == 0 && body["limit"] as? Int == 100)
        let dates = (body["items"] as? [[String: Any]])?.compactMap { $0["date_planifiee"] as? String }
        #expect(dates == ["2026-11-24T10:00:00Z", "2026-11-22T10:00:00Z", "2026-11-20T10:00:00Z"])
        let (_, ranged, _) = try await rig.call("GET", "/api/relances/?date_debut=2026-11-21&date_fin=2026-11-22&type_relance=email")
        #expect((ranged as? [String: Any])?["total"] as? Int == 1)
        for (query, status, detail) in [("limit=0", 422, nil), ("limit=1001", 422, nil), ("skip=-1", 422, nil), ("limit=abc", 422, nil),
                                        ("type_relance=fax", 400, "Type de relance invalide"), ("statut=perdu", 400, "Statut invalide"),
                                        ("date_debut=24/11/2026", 400, "Format de date_debut invalide. Utilisez YYYY-MM-DD")] as [(String, Int, String?)] {
            let (s, answer, _) = try await rig.call("GET", "/api/relances?\(query)")
            #expect(s == status, "\(query)")
            if let detail { #expect(rig.detail(answer) == detail) }
        }
    }

    @Test func generationWithSendingThroughTheSandbox() async throws {
        let rig = try APIRig()
        // The pre-flight first: what the run will do, and nothing written or sent.
        let (ps, preflight, _) = try await rig.call("POST", "/api/relances/generer-automatique", json: #"{"type_relance": "sms", "limite": 10, "preflight": true}"#)
        let p = try #require(preflight as? [String: Any])
        #expect(ps == 200 && p["relances_a_creer"] as? Int == 1 && p["envoyables"] as? Int == 1 && p["sans_adresse"] as? Int == 1)
        #expect(p["canal"] as? String == "ventis" && (p["sms"] as? [String: Any])?["segments"] as? Int == 1)
        #expect(try rig.store.list(.init()).total == 0 && rig.sandbox.received.isEmpty)
        let (s, created, _) = try await rig.call("POST", "/api/relances/generer-automatique", json: #"{"jours_retard_min": 7, "type_relance": "sms", "limite": 10, "envoyer_automatiquement": true}"#)
        let items = try #require(created as? [[String: Any]])
        #expect(s == 200 && items.count == 1)   // the taxpayer without a phone is passed over
        #expect(items[0]["statut"] as? String == "envoyee")
        #expect((items[0]["notes"] as? String)?.hasPrefix("SMS envoyé via Ventis. UUID: ") == true)
        #expect(rig.sandbox.received.map(\.to) == ["24166123456"])
        // The options may also come in the query string; nothing is late any more this week.
        let (_, again, _) = try await rig.call("POST", "/api/relances/generer-automatique?limite=5")
        #expect((again as? [Any])?.count == 0)
        let (bad, answer, _) = try await rig.call("POST", "/api/relances/generer-automatique?limite=501")
        #expect(bad == 422 && rig.detail(answer)?.hasPrefix("limite") == true)
        let (_, stats, _) = try await rig.call("GET", "/api/relances/statistiques")
        let st = try #require(stats as? [String: Any])
        #expect(st["total_relances"] as? Int == 1 && st["relances_envoyees"] as? Int == 1 && st["relances_echec"] as? Int == 0)
        #expect((st["par_canal"] as? [String: Int]) == ["ventis": 1])
        #expect((st["par_type"] as? [String: Int])?["visite"] == 0)
        let (sd, dateError, _) = try await rig.call("GET", "/api/relances/statistiques?date_debut=hier")
        #expect(sd == 400 && rig.detail(dateError) == "Format de date_debut invalide. Utilisez YYYY-MM-DD")
    }

    /// Under a dry-run gateway the pre-flight is refused, as `generate --preflight
    /// --dry-run` is: it would report the sink's figures, not the real channels'. The
    /// generation itself still runs, to the sink.
    @Test func aDryRunServerRefusesThePreflight() async throws {
        let rig = try APIRig(dryRun: true)
        let (status, answer, _) = try await rig.call("POST", "/api/relances/generer-automatique", json: #"{"type_relance": "sms", "limite": 10, "preflight": true}"#)
        #expect(status == 422 && rig.detail(answer) == "preflight : l'aperçu interroge les vrais canaux ; relancez le serveur sans --dry-run")
        let (s, created, _) = try await rig.call("POST", "/api/relances/generer-automatique", json: #"{"type_relance": "sms", "limite": 10, "envoyer_automatiquement": true}"#)
        let items = try #require(created as? [[String: Any]])
        #expect(s == 200 && items.count == 1 && items[0]["statut"] as? String == "en_attente")   // rehearsed: still to send for real
        #expect(rig.sandbox.received.isEmpty)
    }

    @Test func sendingOnceConcurrentlyAndRefusals() async throws {
        let rig = try APIRig()
        let (_, created, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.who), "type_relance": "sms", "montant_due": "10", "date_planifiee": "2026-11-24", "message": "Rappel"}"#)
        let id = try #require((created as? [String: Any])?["id"] as? Int)
        async let a = rig.call("PATCH", "/api/relances/\(id)/envoyer")
        async let b = rig.call("PATCH", "/api/relances/\(id)/envoyer")
        let statuses = try await [a.0, b.0].sorted()
        #expect(statuses == [200, 400])
        #expect(rig.sandbox.received.count == 1)
        let (_, visite, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.who), "type_relance": "visite", "montant_due": "10", "date_planifiee": "2026-11-24"}"#)
        let visiteID = try #require((visite as? [String: Any])?["id"] as? Int)
        let (sv, refused, _) = try await rig.call("PATCH", "/api/relances/\(visiteID)/envoyer")
        #expect(sv == 400 && rig.detail(refused)?.contains("à la main") == true)
        let (_, after, _) = try await rig.call("GET", "/api/relances/\(visiteID)")
        #expect((after as? [String: Any])?["statut"] as? String == "en_attente")
        let (s404, _, _) = try await rig.call("PATCH", "/api/relances/424242/envoyer")
        #expect(s404 == 404)
    }

    @Test func partialUpdateHistoryManualAndSearch() async throws {
        let rig = try APIRig()
        let (_, created, _) = try await rig.call("POST", "/api/relances", json: #"{"contribuable_id": \#(rig.who), "type_relance": "appel", "montant_due": "10", "date_planifiee": "2026-11-24"}"#)
        let id = try #require((created as? [String: Any])?["id"] as? Int)
        let (su, updated, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"reponse_recue": true, "date_reponse": "2026-11-25T09:00:00Z", "notes": "A promis de payer"}"#)
        let u = try #require(updated as? [String: Any])
        #expect(su == 200 && u["reponse_recue"] as? Bool == true && u["notes"] as? String == "A promis de payer" && u["statut"] as? String == "en_attente")
        let (sb, badStatut, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"statut": "perdu"}"#)
        #expect(sb == 400 && rig.detail(badStatut) == "Statut invalide")
        let (_, history, _) = try await rig.call("GET", "/api/relances/contribuable/\(rig.who)/historique?limit=5")
        #expect((history as? [Any])?.count == 1)
        let (noAmount, noAmountAnswer, _) = try await rig.call("POST", "/api/relances/manuelles", json: #"{"type_relance": "sms", "contribuables": [{"contribuable_id": \#(rig.who)}]}"#)
        #expect(noAmount == 400 && rig.detail(noAmountAnswer) == "Merci d'indiquer un montant dû (global ou par contribuable)")
        let (unknown, unknownAnswer, _) = try await rig.call("POST", "/api/relances/manuelles", json: #"{"type_relance": "sms", "montant_due": "100", "contribuables": [{"contribuable_id": \#(rig.who)}, {"contribuable_id": 777}]}"#)
        #expect(unknown == 404 && rig.detail(unknownAnswer) == "Contribuable 777 introuvable")
        let (_, all, _) = try await rig.call("GET", "/api/relances")
        #expect((all as? [String: Any])?["total"] as? Int == 1)   // nothing from the refused batch
        let (sm, manual, _) = try await rig.call("POST", "/api/relances/manuelles", json: """
            {"type_relance": "sms", "montant_due": "100", "message": "Bonjour", "contribuables": [
              {"contribuable_id": \(rig.who), "telephone_override": "0770000000"}, {"contribuable_id": \(rig.noPhone), "montant_due": "250.5"}]}
            """)
        let items = try #require(manual as? [[String: Any]])
        #expect(sm == 201 && items.map { $0["montant_due"] as? String } == ["100.00", "250.50"])
        #expect(items[0]["canal_envoi"] as? String == "0770000000")
        let (_, found, _) = try await rig.call("GET", "/api/contribuables/?search=nz&limit=20&actif=true")
        #expect((found as? [[String: Any]])?.map { $0["nom"] as? String } == ["NZE"])
        let (_, byPhone, _) = try await rig.call("GET", "/api/contribuables?search=12%2034")
        #expect((byPhone as? [Any])?.count == 1)
    }

    @Test func tokensAreRequiredWhenConfiguredAndCORSIsAnswered() async throws {
        let rig = try APIRig(tokens: ["s3cret-token"], cors: ["https://backoffice.mairie.ga"])
        let (missing, missingBody, r1) = try await rig.call("GET", "/api/relances")
        #expect(missing == 401 && r1.headers["WWW-Authenticate"] == "Bearer" && rig.detail(missingBody) != nil)
        let (wrong, _, _) = try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer s3cret-tokem"])
        #expect(wrong == 401)
        let (right, _, _) = try await rig.call("GET", "/api/relances", headers: ["Authorization": "Bearer s3cret-token"])
        #expect(right == 200)
        let (health, _, _) = try await rig.call("GET", "/healthz")
        #expect(health == 200)
        let (page, _, pageResponse) = try await rig.call("GET", "/")
        #expect(page == 200 && pageResponse.headers["Content-Type"]?.hasPrefix("text/html") == true)
        let (pre, _, preflight) = try await rig.call("OPTIONS", "/api/relances", headers: ["Origin": "https://backoffice.mairie.ga", "Access-Control-Request-Method": "GET"])
        #expect(pre == 204 && preflight.headers["Access-Control-Allow-Origin"] == "https://backoffice.mairie.ga")
        #expect(preflight.headers["Access-Control-Allow-Headers"]?.contains("Authorization") == true)
        let (other, _, _) = try await rig.call("OPTIONS", "/api/relances", headers: ["Origin": "https://evil.example"])
        #expect(other == 403)
        let (_, _, withOrigin) = try await rig.call("GET", "/api/relances", headers: ["Origin": "https://backoffice.mairie.ga", "Authorization": "Bearer s3cret-token"])
        #expect(withOrigin.headers["Access-Control-Allow-Origin"] == "https://backoffice.mairie.ga")
        #expect(withOrigin.headers["Access-Control-Expose-Headers"] == "Retry-After, Idempotency-Replayed")
        let (_, _, foreign) = try await rig.call("GET", "/api/relances", headers: ["Origin": "https://evil.example", "Authorization": "Bearer s3cret-token"])
        #expect(foreign.headers["Access-Control-Allow-Origin"] == nil && foreign.headers["Access-Control-Expose-Headers"] == nil)
    }

    @Test func channelsReportTheirHealth() async throws {
        let rig = try APIRig()
        let (s, body, _) = try await rig.call("GET", "/api/channels")
        let channels = try #require((body as? [String: Any])?["channels"] as? [[String: Any]])
        #expect(s == 200 && channels.count == 1 && channels[0]["healthy"] as? Bool == true && channels[0]["types"] as? [String] == ["sms"])
        rig.sandbox.beginStop()
        await rig.sandbox.stopped()
        let (_, down, _) = try await rig.call("GET", "/api/channels")
        #expect(((down as? [String: Any])?["channels"] as? [[String: Any]])?.first?["healthy"] as? Bool == true)   // the token is still valid
    }
}

/// A server error is logged with its cause before the answer, which does not carry it.
@Suite struct ServerErrorLogTests {
    @Test func aDatabaseFailureIsLoggedWithItsCauseBeforeThe500() async throws {
        let log = MemoryLogSink()
        let rig = try APIRig { $0.logger = Logger(sink: log) }
        let id = try rig.store.create(NewRelance(contribuableID: rig.who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: Date())).id
        try rig.store.database.execute("""
            CREATE TRIGGER refuse_updates BEFORE UPDATE ON relance BEGIN SELECT RAISE(ABORT, 'disque plein (simulé)'); END
            """)
        let (status, json, _) = try await rig.call("PUT", "/api/relances/\(id)", json: #"{"statut": "annulee", "notes": "payée"}"#)
        #expect(status == 500)
        let detail = (json as? [String: Any])?["detail"] as? String
        #expect(detail == "Erreur de la base de données")
        let line = try #require(log.lines.first { $0.contains("request failed") }, "no log line for the 500: \(log.lines)")
        #expect(line.contains("disque plein (simulé)") && line.contains("/api/relances/{id}") && line.contains("PUT"))
    }

    /// The send's own 500 (nothing could be claimed) goes through the same place: logged
    /// with its route and cause before the answer.
    @Test func aSendTheStoreCannotClaimIsLoggedBeforeThe500() async throws {
        let log = MemoryLogSink()
        let rig = try APIRig { $0.logger = Logger(sink: log) }
        let id = try rig.store.create(NewRelance(contribuableID: rig.who, type: .sms, montantDue: Montant("5000")!, datePlanifiee: Date())).id
        try rig.store.database.execute("""
            CREATE TRIGGER refuse_updates BEFORE UPDATE ON relance BEGIN SELECT RAISE(ABORT, 'disque plein (simulé)'); END
            """)
        let (status, _, _) = try await rig.call("PATCH", "/api/relances/\(id)/envoyer")
        #expect(status == 500)
        let line = try #require(log.lines.first { $0.contains("request failed") }, "no log line for the 500: \(log.lines)")
        #expect(line.contains("/api/relances/{id}/envoyer") && line.contains("PATCH") && line.contains("relance \(id)"))
        #expect(try rig.store.relance(id)?.statut == .enAttente)
    }
}
