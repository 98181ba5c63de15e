import Foundation
import Gateway
import HTTP
import Relances

/// The endpoints' logic: read and check the request, call the store or the sender,
/// answer the spec's JSON and French messages.
struct RelancesAPI: Sendable {
    let store: any APIStore
    let sender: RelanceSender
    let clock: any GatewayClock

    func storeCall<T>(_ body: () throws(StoreError) -> T) throws(APIError) -> T {
        do { return try body() } catch { throw APIError(error) }
    }

    func body<T: Decodable>(_ request: HTTPRequest, _ type: T.Type) throws(APIError) -> T {
        if let field = NulCheck.field(in: request.body) {
            throw .unprocessable(field, "caractère NUL (\\u0000) refusé : il couperait le texte ; retirez-le")
        }
        do { return try request.decodeJSON(type) } catch {
            throw .unprocessable(error.field.isEmpty ? "corps" : error.field, error.reason)
        }
    }

    func pathID(_ request: HTTPRequest) throws(APIError) -> Int64 {
        guard let text = request.pathParameters["id"], let id = Int64(text), id > 0 else {
            throw .unprocessable("id", "identifiant entier attendu")
        }
        return id
    }

    /// Whether a planned date is an operator's schedule: a date to come. The office's
    /// page sends « now » when nobody chose a date, and that is not a request to send;
    /// two minutes cover the browser's clock being a little ahead of the server's.
    func isSchedule(_ planned: Date?) -> Bool {
        guard let planned else { return false }
        return planned > clock.now().addingTimeInterval(120)
    }

    func date(_ text: String?, _ field: String) throws(APIError) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let d = ISO8601.date(from: text) else { throw .unprocessable(field, "date ISO-8601 attendue (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM:SSZ)") }
        return d
    }

    // MARK: endpoints

    func list(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let q = QueryReader(request)
        var f = try listFilter(q)
        f.skip = try q.int("skip", default: 0, in: 0...Int(Int32.max))
        f.limit = try q.int("limit", default: 100, in: 1...1000)
        let (items, total) = try storeCall { () throws(StoreError) in try store.list(f) }
        return .json(data: RelanceJSON.listBody(items, total: total, skip: f.skip, limit: f.limit))
    }

    func one(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        guard let r = try storeCall({ () throws(StoreError) in try store.relance(id) }) else { throw .notFound("Relance non trouvée") }
        return .json(data: RelanceJSON(relance: r).body)
    }

    func create(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let b = try body(request, CreateBody.self)
        guard let type = RelanceType(rawValue: b.type_relance) else { throw .badRequest("Type de relance invalide") }
        guard let planned = try date(b.date_planifiee, "date_planifiee") else { throw .unprocessable("date_planifiee", "champ requis manquant") }
        guard let montant = b.montant_due, montant.centimes > 0 else { throw .badRequest("Merci d'indiquer un montant dû") }
        try Self.checkLength(b.message, "message")
        guard let who = try storeCall({ () throws(StoreError) in try store.contribuable(b.contribuable_id) }) else {
            throw .notFound("Contribuable non trouvé")
        }
        let due = try date(b.date_echeance, "date_echeance")
        let new = NewRelance(contribuableID: b.contribuable_id, affectationTaxeID: b.affectation_taxe_id, type: type,
                             montantDue: montant, datePlanifiee: planned, dateEcheance: due,
                             message: message(b.message, type: type, for: who, montant: montant, due: due),
                             canalEnvoi: b.canal_envoi, notes: b.notes,
                             utilisateurID: Relance.utilisateurID(forActeur: request.principal) ?? b.utilisateur_id,
                             programmee: isSchedule(planned), acteur: request.principal)
        let created = try storeCall { () throws(StoreError) in try store.create(new) }
        return .json(RelanceJSON(relance: created), status: 201)
    }

    func update(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        let b = try body(request, UpdateBody.self)
        var patch = RelancePatch()
        if let s = b.statut {
            // `envoi_en_cours` is the sender's own: no statut an operator can ask for.
            guard let statut = RelanceStatut(rawValue: s), statut != .envoiEnCours else { throw .badRequest("Statut invalide") }
            patch.statut = statut
        }
        if let d = b.date_envoi { patch.dateEnvoi = .some(try date(d, "date_envoi")) }
        if let d = b.date_reponse { patch.dateReponse = .some(try date(d, "date_reponse")) }
        patch.reponseRecue = b.reponse_recue
        patch.notes = b.notes
        patch.acteur = request.principal
        guard let r = try storeCall({ () throws(StoreError) in try store.update(id, patch, now: clock.now()) }) else {
            throw .notFound("Relance non trouvée")
        }
        return .json(RelanceJSON(relance: r))
    }

    func send(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        // The page sends no body; « renvoyer » is an explicit `{"renvoyer": true}`.
        let resend = request.body.isEmpty ? false : (try body(request, SendBody.self).renvoyer ?? false)
        switch await sender.send(id, resend: resend, acteur: request.principal) {
        case .done(let r), .deferred(let r), .rehearsed(let r): return .json(RelanceJSON(relance: r))
        case .refused(let why): throw .badRequest(why)
        case .notFound: throw .notFound("Relance non trouvée")
        case .storeFailed(let why): throw APIError(status: 500, detail: why, cause: "relance \(id): \(why)")
        }
    }

    /// `POST /api/relances/envoyer` `{"ids": [...]}`: the relances chosen (the page's
    /// « Envoyer les relances en attente »), sent as one run, as `relances send` does: a
    /// taxpayer's debts as one message, their letters together. Up to 1,000 a call.
    func sendMany(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
        guard let given = try body(request, SendManyBody.self).ids, !given.isEmpty, given.count <= Self.sendManyLimit else {
            throw .unprocessable("ids", "donnez de 1 à \(Self.sendManyLimit) identifiants de relances, par ex. {\"ids\": [12, 13]}")
        }
        guard given.allSatisfy({ $0 > 0 }) else { throw .unprocessable("ids", "un identifiant de relance est un entier positif") }
        var seen = Set<Int64>()
        let ids = given.filter { seen.insert($0).inserted }
        let summary = await sender.send(ids, maxInFlight: 16, acteur: request.principal)
        // Results the store could not write are logged by the store's writer; the answer
        // counts them, and the page says to run `relances recover`.
        return .json(SendManyAnswer(envoyees: summary.sent, echecs: summary.failed, reportees: summary.deferred,
                                    non_envoyees: summary.notSent.sorted { $0.key < $1.key }.map { .init(id: $0.key, raison: $0.value) },
                                    non_enregistrees: summary.unrecorded))
    }

    static let sendManyLimit = 1000

    func generate(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
        var values = QueryReader(request).values
        if !request.body.isEmpty {
            let b = try body(request, GenerateBody.self)
            values.merge(b.values) { _, fromBody in fromBody }
        }
        let q = QueryReader(values: values)
        let days = try q.int("jours_retard_min", default: 7, in: 0...36_500)
        let type = try q.type() ?? .sms
        let limit = try q.int("limite", default: 50, in: 1...500)
        let send = try q.bool("envoyer_automatiquement", default: false)
        let preflight = try q.bool("preflight", default: false)
        var options = RelanceGenerator.Options(joursRetardMin: days, type: type, limite: limit)
        options.inclureEcheancesAVenir = try q.bool("inclure_echeances_a_venir", default: false)
        options.acteur = request.principal
        options.utilisateurID = Relance.utilisateurID(forActeur: request.principal)
        if let template = sender.runtime.templates[type] { options.template = MessageTemplate(template) }
        if preflight {
            // As `generate --preflight --dry-run` is refused: the pre-flight asks the real
            // channels, and a dry run's sink would only answer with its own figures.
            guard !sender.isRehearsal else {
                throw .unprocessable("preflight", "l'aperçu interroge les vrais canaux ; relancez le serveur sans --dry-run")
            }
            // What the run would do; nothing written, nothing sent.
            let report = try storeCall { () throws(StoreError) in
                try CampaignPreflight(store: store, runtime: sender.runtime, clock: clock).run(options)
            }
            return .json(report)
        }
        // The answer lists the relances created: the count of debts without an address
        // (the pre-flight's `sans_adresse`) is not part of it, so not paid for.
        options.countsWithoutAddress = false
        let result = try storeCall { () throws(StoreError) in try RelanceGenerator(store: store, clock: clock).generate(options) }
        if send { _ = await sender.send(result.created, maxInFlight: 16, acteur: request.principal) }
        var relances: [RelanceJSON] = []
        for id in result.created {
            if let r = try storeCall({ () throws(StoreError) in try store.relance(id) }) { relances.append(RelanceJSON(relance: r)) }
        }
        return .json(relances)
    }

    /// `GET /api/relances/{id}/journal`: its delivery attempts and ledger entries.
    func journal(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        guard let j = try storeCall({ () throws(StoreError) in try store.journal(relanceID: id) }) else { throw .notFound("Relance non trouvée") }
        return .json(JournalJSON(relanceID: id, journal: j))
    }

    func history(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        let limit = try QueryReader(request).int("limit", default: 50, in: 1...200)
        guard try storeCall({ () throws(StoreError) in try store.contribuable(id) }) != nil else { throw .notFound("Contribuable non trouvé") }
        var f = RelanceFilter()
        f.contribuableID = id
        f.limit = limit
        let (items, _) = try storeCall { () throws(StoreError) in try store.list(f) }
        return .json(items.map(RelanceJSON.init))
    }

    func statistics(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let q = QueryReader(request)
        let from = try q.day("date_debut"), to = try q.day("date_fin")
        let stats = try storeCall { () throws(StoreError) in try store.statistics(from: from, to: to) }
        return .json(stats)
    }

    /// At most this many taxpayers in one `manuelles` call: a mistake (a whole file
    /// pasted) is refused before anything is created, rather than sent to thousands.
    static let manualLimit = 500
    /// The longest `message` accepted (characters): ten SMS segments and then some;
    /// the type's `max_segments` is checked again at send.
    static let messageLimit = 2_000

    static func checkLength(_ text: String?, _ field: String) throws(APIError) {
        guard let text, text.count > messageLimit else { return }
        throw .unprocessable(field, "\(messageLimit) caractères au plus (\(text.count) reçus) : raccourcissez le texte")
    }

    /// The text to store: the operator's, else (empty, as the page sends when nothing
    /// is typed) the type's template filled for this taxpayer, never an empty message.
    func message(_ typed: String?, type: RelanceType, for who: Contribuable, montant: Montant, due: Date?) -> String {
        if let typed, !typed.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return typed }
        let template = sender.runtime.templates[type].map(MessageTemplate.init) ?? .standard
        return RelanceGenerator.message(template, nom: who.nom, prenom: who.prenom, montant: montant, due: due)
    }

    func manual(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let b = try body(request, ManualBody.self)
        guard let type = RelanceType(rawValue: b.type_relance) else { throw .badRequest("Type de relance invalide") }
        guard !b.contribuables.isEmpty else { throw .unprocessable("contribuables", "au moins un contribuable") }
        guard b.contribuables.count <= Self.manualLimit else {
            throw .unprocessable("contribuables", "\(Self.manualLimit) au plus par envoi (\(b.contribuables.count) reçus) : découpez la liste")
        }
        try Self.checkLength(b.message, "message")
        // A date given is the operator's schedule; without one the relances wait for « Envoyer ».
        let given = try date(b.date_planifiee, "date_planifiee")
        let planned = given ?? clock.now()
        let globalDue = try date(b.date_echeance, "date_echeance")
        // A taxpayer picked twice gets one relance: the first value given of each field.
        var items: [(index: Int, item: ManualBody.Item)] = []
        var seen: [Int64: Int] = [:]
        for (i, item) in b.contribuables.enumerated() {
            try Self.checkLength(item.message, "contribuables[\(i)].message")
            if let at = seen[item.contribuable_id] { items[at].item.merge(item) } else {
                seen[item.contribuable_id] = items.count
                items.append((i, item))
            }
        }
        var batch: [NewRelance] = []
        for (i, item) in items {
            guard let montant = item.montant_due ?? b.montant_due, montant.centimes > 0 else {
                throw .badRequest("Merci d'indiquer un montant dû (global ou par contribuable)")
            }
            let due = try date(item.date_echeance, "contribuables[\(i)].date_echeance") ?? globalDue
            guard let who = try storeCall({ () throws(StoreError) in try store.contribuable(item.contribuable_id) }) else {
                throw .notFound("Contribuable \(item.contribuable_id) introuvable")
            }
            // A phone override is for what goes to a phone; an e-mail goes to the e-mail.
            let override = type == .sms || type == .appel ? item.telephone_override : nil
            batch.append(NewRelance(contribuableID: item.contribuable_id, type: type, montantDue: montant, datePlanifiee: planned,
                                    dateEcheance: due, message: message(item.message ?? b.message, type: type, for: who, montant: montant, due: due),
                                    canalEnvoi: override, notes: item.notes ?? b.notes,
                                    utilisateurID: Relance.utilisateurID(forActeur: request.principal) ?? b.utilisateur_id,
                                    programmee: isSchedule(given), acteur: request.principal))
        }
        let created = try storeCall { () throws(StoreError) in try store.create(batch, now: clock.now()) }
        return .json(created.map(RelanceJSON.init), status: 201)
    }

    /// `PATCH /api/relances/{id}/programmer`: schedules a pending (or failed) relance
    /// for `date_planifiee`; the scheduler sends it then.
    func schedule(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        let b = try body(request, ScheduleBody.self)
        guard let at = try date(b.date_planifiee, "date_planifiee") else { throw .unprocessable("date_planifiee", "champ requis manquant") }
        guard at > clock.now().addingTimeInterval(-60) else {
            throw .unprocessable("date_planifiee", "date passée : pour envoyer maintenant, utilisez « Envoyer »")
        }
        guard let r = try storeCall({ () throws(StoreError) in try store.schedule(id, at: at, now: clock.now(), acteur: request.principal) }) else {
            throw .notFound("Relance non trouvée")
        }
        return .json(RelanceJSON(relance: r))
    }

    /// `PATCH /api/relances/{id}/effectuee`: an `appel` or a `visite` done, with its note.
    func markDone(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        let b = try body(request, DoneBody.self)
        guard let r = try storeCall({ () throws(StoreError) in try store.markDone(id, notes: b.notes ?? "", now: clock.now(), acteur: request.principal) }) else {
            throw .notFound("Relance non trouvée")
        }
        return .json(RelanceJSON(relance: r))
    }

    func searchContribuables(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let q = QueryReader(request)
        let limit = try q.int("limit", default: 20, in: 1...200)
        let actif: Bool? = q.values["actif"].map { _ in true } == nil ? nil : try q.bool("actif", default: true)
        let found = try storeCall { () throws(StoreError) in try store.searchContribuables(q.values["search"] ?? "", limit: limit, actif: actif) }
        return .json(found.map(ContribuableJSON.init))
    }

    struct ChannelAnswer: Encodable {
        var name: String
        var kind: String
        var healthy: Bool
        var detail: String
        var types: [String]
    }

    func channels() async -> HTTPResponse {
        let dispatcher = sender.dispatcher
        var out: [ChannelAnswer] = []
        for name in dispatcher.channels.keys.sorted() {
            let health = await dispatcher.channels[name]!.checkHealth()
            let types = RelanceType.allCases.filter { dispatcher.routes[$0]?.all.contains(name) == true }.map(\.rawValue)
            out.append(ChannelAnswer(name: name, kind: dispatcher.config?.channels[name]?.kind.kind ?? "?", healthy: health.isHealthy,
                                     detail: health.detail, types: types))
        }
        var routes: [String: [String: [String]]] = [:]
        for (type, route) in dispatcher.routes { routes[type.rawValue] = ["channels": route.channels, "fallback": route.fallback] }
        struct Answer: Encodable { var channels: [ChannelAnswer]; var routes: [String: [String: [String]]] }
        return .json(Answer(channels: out, routes: routes))
    }
}
