import Foundation
import Gateway

/// What a generation (and its sending) would do, computed without writing or sending
/// anything: how many relances, who cannot be reached and why, SMS encodings and
/// segments against the template's budget, the estimated cost, the first messages.
///
/// It reads the same late debts, in the same order, as ``RelanceGenerator`` (the store's
/// ``RelanceGeneration/forEachLateDebt(_:now:_:)``, the generation's own query), renders with the same template, and asks the route's channel the question
/// it asks before sending (``Channel/check(_:)``): so its figures are the real run's.
public struct CampaignPreflight: Sendable {
    public let store: any RelanceGeneration
    /// What the real run would send with: its dispatcher's routes and channels, its budgets.
    public let runtime: SendRuntime
    public let clock: any GatewayClock
    var dispatcher: Dispatcher { runtime.dispatcher }

    public init(store: any RelanceGeneration, runtime: SendRuntime, clock: any GatewayClock = SystemClock()) {
        self.store = store
        self.runtime = runtime
        self.clock = clock
    }

    /// The report, as the API answers it (French keys, like the rest of the API).
    public struct Report: Sendable, Equatable, Codable {
        public var typeRelance: String
        /// The route's first channel, nil when nothing sends the type.
        public var canal: String?
        public var dettesEnRetard = 0
        public var relancesACreer = 0
        /// Late debts whose contribuable has no address for the type (no relance made).
        public var sansAdresse = 0
        /// Relances that would be made but that the channel refuses (a malformed number).
        public var destinatairesInvalides = 0
        /// Relances that would be made and handed to the channel.
        public var envoyables = 0
        /// Each contribuable whose address the channel refuses (a number that cannot be made
        /// valid), oldest debt first, at most ``maxRefused``: someone can put them right.
        public var destinatairesRefuses: [Refused] = []
        /// Why some cannot be reached, most frequent first.
        public var motifs: [Motif] = []
        public var sms: SMSFigures?
        /// FCFA, when the channel's config has a price.
        public var coutEstime: Double?
        public var exemples: [Example] = []

        public struct Motif: Sendable, Equatable, Codable {
            public var motif: String
            public var nombre: Int
        }

        public struct Refused: Sendable, Equatable, Codable {
            public var contribuableID: Int64
            public var nom: String
            public var destinataire: String
            public var motif: String

            enum CodingKeys: String, CodingKey {
                case contribuableID = "contribuable_id", nom, destinataire, motif
            }
        }

        public struct SMSFigures: Sendable, Equatable, Codable {
            public var gsm7 = 0
            public var ucs2 = 0
            public var segments = 0
            public var maxSegmentsParMessage = 0
            /// The template's `max_segments`, if set.
            public var budget: Int?
            public var horsBudget = 0
            /// Characters that forced UCS-2, with how many messages had them.
            public var caracteresUCS2: [String: Int] = [:]

            enum CodingKeys: String, CodingKey {
                case gsm7 = "gsm7", ucs2 = "ucs2", segments, maxSegmentsParMessage = "max_segments_par_message", budget,
                     horsBudget = "hors_budget", caracteresUCS2 = "caracteres_ucs2"
            }
        }

        public struct Example: Sendable, Equatable, Codable {
            public var contribuableID: Int64
            public var destinataire: String
            public var message: String
            public var segments: Int?
            public var probleme: String?

            enum CodingKeys: String, CodingKey {
                case contribuableID = "contribuable_id", destinataire, message, segments, probleme
            }
        }

        enum CodingKeys: String, CodingKey {
            case typeRelance = "type_relance", canal, dettesEnRetard = "dettes_en_retard", relancesACreer = "relances_a_creer",
                 sansAdresse = "sans_adresse", destinatairesInvalides = "destinataires_invalides",
                 destinatairesRefuses = "destinataires_refuses", envoyables, motifs, sms,
                 coutEstime = "cout_estime", exemples
        }
    }

    /// The longest list of refused addresses a report carries (the count has them all).
    public static let maxRefused = 500

    public func run(_ options: RelanceGenerator.Options, examples: Int = 3) throws(StoreError) -> Report {
        let type = options.type
        var report = Report(typeRelance: type.rawValue)
        report.canal = dispatcher.route(for: type)?.channels.first
        let budget = runtime.segmentBudgets[type]
        var sms = type == .sms ? Report.SMSFigures(budget: budget) : nil
        var reasons: [String: Int] = [:]
        var cost: Double?
        var refused: Set<Int64> = []
        try store.forEachLateDebt(options, now: clock.now()) { debt in
            report.dettesEnRetard += 1
            let contribuable = debt.contribuable
            let address = contribuable.address(for: type)
            if type.address != nil && address == nil {
                report.sansAdresse += 1
                reasons[Self.missing(type), default: 0] += 1
                return
            }
            guard report.relancesACreer < options.limite,
                  let message = RelanceGenerator.message(options.template, contribuable: contribuable, montant: debt.montant,
                                                        dateDebut: debt.dateDebut, periodicite: debt.periodicite, taxe: debt.taxe)
            else { return }
            report.relancesACreer += 1
            let delivery = Delivery(id: "preflight-\(debt.affectationID)", type: type, recipient: address ?? "", body: message)
            guard let (_, check, policy) = dispatcher.check(delivery) else { return }
            var segments: Int?
            if let problem = check.problem {
                report.destinatairesInvalides += 1
                reasons[problem, default: 0] += 1
                if report.destinatairesRefuses.count < Self.maxRefused && refused.insert(contribuable.id).inserted {
                    report.destinatairesRefuses.append(.init(contribuableID: contribuable.id,
                                                             nom: [contribuable.nom, contribuable.prenom].filter { !$0.isEmpty }.joined(separator: " "),
                                                             destinataire: address ?? "", motif: problem))
                }
            } else {
                report.envoyables += 1
                if sms != nil {
                    let analysis = SMSText.analyze(check.text)
                    segments = analysis.segments
                    sms!.segments += analysis.segments
                    sms!.maxSegmentsParMessage = max(sms!.maxSegmentsParMessage, analysis.segments)
                    if analysis.encoding == .gsm7 { sms!.gsm7 += 1 } else { sms!.ucs2 += 1 }
                    for ch in analysis.nonGSMCharacters { sms!.caracteresUCS2[String(ch), default: 0] += 1 }
                    if let budget, analysis.segments > budget { sms!.horsBudget += 1 }
                }
                if policy.pricePerMessage != nil || policy.pricePerSegment != nil {
                    cost = (cost ?? 0) + (policy.pricePerMessage ?? 0) + Double(segments ?? 1) * (policy.pricePerSegment ?? 0)
                }
            }
            if report.exemples.count < examples {
                report.exemples.append(.init(contribuableID: contribuable.id, destinataire: address ?? "", message: check.text,
                                             segments: segments, probleme: check.problem))
            }
        }
        report.sms = sms
        report.coutEstime = cost.map { ($0 * 100).rounded() / 100 }
        report.motifs = reasons.map { Report.Motif(motif: $0.key, nombre: $0.value) }
            .sorted { ($0.nombre, $1.motif) > ($1.nombre, $0.motif) }
        return report
    }

    static func missing(_ type: RelanceType) -> String {
        switch type {
        case .sms, .appel: "Pas de numéro de téléphone"
        case .email: "Pas d'adresse e-mail"
        case .courrier, .visite: "Pas d'adresse postale"
        }
    }
}
