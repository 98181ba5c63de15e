import Foundation
import Gateway
import HTTP
import Relances

/// `PUT /api/contribuables/{id}`: a field given changes (null or blank: cleared), a
/// field not given stays.
struct ContactBody: Decodable {
    var telephone: String??
    var email: String??
    var adresse: String??

    enum CodingKeys: String, CodingKey { case telephone, email, adresse }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        telephone = c.contains(.telephone) ? .some(try c.decodeIfPresent(String.self, forKey: .telephone)) : nil
        email = c.contains(.email) ? .some(try c.decodeIfPresent(String.self, forKey: .email)) : nil
        adresse = c.contains(.adresse) ? .some(try c.decodeIfPresent(String.self, forKey: .adresse)) : nil
    }
}

/// The dashboard's series, the CSV export of the list, and a taxpayer's contact details.
extension RelancesAPI {
    /// The most rows one export gives: more is refused with what to do, not cut short.
    static let exportLimit = 50_000

    /// The list's filters from the query: `GET /api/relances` and its CSV export read the same.
    func listFilter(_ q: QueryReader) throws(APIError) -> RelanceFilter {
        var f = RelanceFilter()
        f.contribuableID = try q.id("contribuable_id")
        f.affectationTaxeID = try q.id("affectation_taxe_id")
        f.type = try q.type()
        f.statut = try q.statut()
        f.dateDebut = try q.day("date_debut")
        f.dateFin = try q.day("date_fin")
        f.recherche = try q.text("recherche", max: 100)
        return f
    }

    /// `GET /api/relances/statistiques/quotidiennes?jours=30`
    func dailyStatistics(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let text = QueryReader(request).values["jours"] ?? ""
        let days: Int
        if text.isEmpty { days = 30 } else {
            guard let n = Int(text), (1...366).contains(n) else {
                throw .badRequest("jours : nombre de jours entre 1 et 366 attendu, reçu « \(text) »")
            }
            days = n
        }
        let stats = try storeCall { () throws(StoreError) in try store.dailyStatistics(days: days, today: clock.now(), smsPrice: smsPrice) }
        return .json(stats)
    }

    /// What the SMS route's first channel bills (its `price` in the routing file); nil unpriced.
    var smsPrice: SMSPrice? {
        let dispatcher = sender.dispatcher
        guard let name = dispatcher.route(for: .sms)?.channels.first, let policy = dispatcher.config?.channels[name]?.policy,
              policy.pricePerMessage != nil || policy.pricePerSegment != nil else { return nil }
        return SMSPrice(perMessage: policy.pricePerMessage ?? 0, perSegment: policy.pricePerSegment ?? 0)
    }

    /// `GET /api/relances/export.csv`: the list with its filters, every page.
    func exportCSV(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let filter = try listFilter(QueryReader(request))
        var csv = RelancesCSV()
        let fits = try storeCall { () throws(StoreError) in
            try store.forEachRelance(filter, maximum: Self.exportLimit) { csv.append($0) }
        }
        guard fits else {
            throw .unprocessable("export", "plus de \(Self.exportLimit) relances correspondent : réduisez la période (date de début, date de fin) ou ajoutez un filtre")
        }
        let (y, m, d) = CivilDate.fromDays(Int((clock.now().timeIntervalSince1970 / 86_400).rounded(.down)))
        var r = HTTPResponse(status: 200, body: csv.data)
        r.headers["Content-Type"] = "text/csv; charset=utf-8"
        r.headers["Content-Disposition"] = "attachment; filename=\"relances-\(String(format: "%04d-%02d-%02d", y, m, d)).csv\""
        r.headers["Cache-Control"] = "no-store"
        return r
    }

    /// `GET /api/contribuables/{id}`: the taxpayer, or 404.
    func contribuable(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        guard let c = try storeCall({ () throws(StoreError) in try store.contribuable(id) }) else { throw .notFound("Contribuable non trouvé") }
        return .json(ContribuableJSON(c))
    }

    /// `PUT /api/contribuables/{id}`: telephone, email, adresse, checked as the import
    /// and the channels check them; a blank value clears the field.
    func updateContact(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let id = try pathID(request)
        let b = try body(request, ContactBody.self)
        func cleaned(_ v: String??) -> String?? {
            v.map { $0.flatMap { let t = $0.trimmingCharacters(in: .whitespacesAndNewlines); return t.isEmpty ? nil : t } }
        }
        let patch = ContactPatch(telephone: cleaned(b.telephone), email: cleaned(b.email), adresse: cleaned(b.adresse))
        guard patch.telephone != nil || patch.email != nil || patch.adresse != nil else {
            throw .unprocessable("corps", "rien à changer : donnez telephone, email ou adresse")
        }
        if case .some(.some(let phone)) = patch.telephone, let why = ContactRules.phoneProblem(phone) {
            throw .unprocessable("telephone", why)
        }
        if case .some(.some(let email)) = patch.email, let why = ContactRules.emailProblem(email) {
            throw .unprocessable("email", why)
        }
        if case .some(.some(let address)) = patch.adresse, address.count > ContactRules.addressLimit {
            throw .unprocessable("adresse", "\(ContactRules.addressLimit) caractères au plus (\(address.count) reçus)")
        }
        guard let c = try storeCall({ () throws(StoreError) in try store.updateContact(id, patch) }) else {
            throw .notFound("Contribuable non trouvé")
        }
        return .json(ContribuableJSON(c))
    }
}
