import Foundation
import Gateway
import Synchronization

/// A ``RelanceStore`` in memory: the same rules as the SQLite store (claims, hand-offs,
/// outcomes, releases, the business key, statistics), nothing on disk. For a rehearsal
/// of the sending pipeline without a database, and for the store behaviour suite,
/// which runs the same tests on both stores. Of the other capabilities it has those
/// that are a few lines over its data: the taxpayers (``TaxpayerDirectory``), the API's
/// idempotency keys (``IdempotencyKeys``) and the recovery of claims (``ClaimRecovery``).
public final class InMemoryRelanceStore: RelanceStore, TaxpayerDirectory, IdempotencyKeys, ClaimRecovery {
    /// One row of `delivery_attempt`, as this store keeps it.
    private struct Attempt {
        var number: Int
        var channel: String
        var outcome: String
        var providerID: String?
        var detail: String?
        var finishedAt: Date
    }

    private struct Key {
        var fingerprint: String
        var owner: String
        var createdAt: Date
        var answer: IdempotentAnswer?
    }

    private struct Claim {
        var owner: String
        var lease: Date
    }

    private struct State {
        var nextID: Int64 = 1
        var contribuables: [Int64: Contribuable] = [:]
        var taxes: [Int64: Taxe] = [:]
        var affectations: [Int64: AffectationTaxe] = [:]
        var relances: [Int64: Relance] = [:]
        var claims: [Int64: Claim] = [:]
        var attempts: [Int64: [Attempt]] = [:]
        /// Sends per affectation (the open dossier's count).
        var dossiers: [Int64: Int] = [:]
        var keys: [IdempotencyScope: Key] = [:]
        /// Claimed relances handed to a channel (their hand-off written).
        var handed: Set<Int64> = []

        mutating func id() -> Int64 {
            defer { nextID += 1 }
            return nextID
        }
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: reference data

    @discardableResult
    public func add(_ c: Contribuable) -> Int64 {
        state.withLock { s in
            var c = c
            c.id = s.id()
            s.contribuables[c.id] = c
            return c.id
        }
    }

    @discardableResult
    public func add(_ t: Taxe) -> Int64 {
        state.withLock { s in
            var t = t
            t.id = s.id()
            s.taxes[t.id] = t
            return t.id
        }
    }

    @discardableResult
    public func add(_ a: AffectationTaxe) -> Int64 {
        state.withLock { s in
            var a = a
            a.id = s.id()
            a.taxe = s.taxes[a.taxeID]
            s.affectations[a.id] = a
            return a.id
        }
    }

    /// The attempts of a relance, in order (a hand-off not yet tried is one, `remis`).
    public func attempts(relanceID: Int64) throws(StoreError) -> [(attempt: Int, channel: String, outcome: String, providerID: String?, detail: String?)] {
        state.withLock { ($0.attempts[relanceID] ?? []).map { ($0.number, $0.channel, $0.outcome, $0.providerID, $0.detail) } }
    }

    /// How many times the debt's dossier was contacted (sent relances).
    public func contacts(affectationID: Int64) -> Int { state.withLock { $0.dossiers[affectationID] ?? 0 } }

    // MARK: RelanceStore

    public func relance(_ id: Int64) throws(StoreError) -> Relance? { state.withLock { $0.relances[id] } }

    public func list(_ filter: RelanceFilter) throws(StoreError) -> (items: [Relance], total: Int) {
        let all = state.withLock { s in Array(s.relances.values) }
        let matching = all.filter { r in
            let day = String(ISO8601.string(from: r.datePlanifiee).prefix(10))
            return (filter.contribuableID.map { r.contribuableID == $0 } ?? true)
                && (filter.affectationTaxeID.map { r.affectationTaxeID == $0 } ?? true)
                && (filter.type.map { r.type == $0 } ?? true)
                && (filter.statut.map { r.statut == $0 } ?? true)
                && (filter.dateDebut.map { day >= $0 } ?? true)
                && (filter.dateFin.map { day <= $0 } ?? true)
                && (filter.recherche.map { Self.matches(r.contribuable, $0) } ?? true)
        }.sorted { ($0.datePlanifiee, $0.id) > ($1.datePlanifiee, $1.id) }
        return (Array(matching.dropFirst(filter.skip).prefix(filter.limit)), matching.count)
    }

    public func create(_ new: NewRelance) throws(StoreError) -> Relance {
        let now = Date()
        return try state.withLock { (s: inout State) throws(StoreError) -> Relance in
            guard let who = s.contribuables[new.contribuableID] else { throw .notFound("Contribuable \(new.contribuableID) introuvable") }
            var affectation: AffectationTaxe?
            if let id = new.affectationTaxeID {
                guard let found = s.affectations[id] else { throw .notFound("Affectation de taxe \(id) introuvable") }
                guard found.contribuableID == new.contribuableID else {
                    throw .unprocessable(field: "affectation_taxe_id", reason: "l'affectation \(id) n'est pas celle du contribuable \(new.contribuableID)")
                }
                let week = RelanceGenerator.week(containing: new.datePlanifiee)
                if s.relances.values.contains(where: { $0.affectationTaxeID == id && $0.type == new.type && $0.statut != .annulee
                                                       && RelanceGenerator.week(containing: $0.datePlanifiee) == week }) {
                    throw .keyTaken(new.type, week: week)
                }
                affectation = found
            }
            let message = new.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                ? RelanceGenerator.message(nom: who.nom, prenom: who.prenom, montant: new.montantDue, due: new.dateEcheance) : new.message
            // Dates as the SQLite store keeps them: to the second.
            func stored(_ date: Date) -> Date { ISO8601.date(from: ISO8601.string(from: date)) ?? date }
            let relance = Relance(id: s.id(), contribuableID: new.contribuableID, affectationTaxeID: new.affectationTaxeID, type: new.type,
                                  statut: .enAttente, message: message, montantDue: new.montantDue, dateEcheance: new.dateEcheance.map(stored),
                                  dateEnvoi: nil, datePlanifiee: stored(new.datePlanifiee), dateReponse: nil, canalEnvoi: new.canalEnvoi,
                                  reponseRecue: false, notes: new.notes, utilisateurID: new.utilisateurID, createdAt: stored(now),
                                  updatedAt: stored(now), canal: nil, programmee: new.programmee, contribuable: who,
                                  affectationTaxe: affectation, acteur: new.acteur)
            s.relances[relance.id] = relance
            return relance
        }
    }

    public func claim(_ ids: [Int64], now: Date, reserve: Bool, owner: ClaimOwner, acteur: String?, resend: Bool,
                      routable: (RelanceType) -> Bool) throws(StoreError) -> BatchClaim {
        state.withLock { s in
            var result = BatchClaim()
            for id in ids {
                guard var r = s.relances[id] else { result.refused.append((id, .notFound)); continue }
                if let why = BatchClaim.refusal(statut: r.statut, type: r.type, resend: resend, routable: routable) {
                    result.refused.append((id, why))
                    continue
                }
                let who = r.contribuable ?? Contribuable(nom: "", prenom: "")
                result.claimed.append(ClaimedRelance(id: id, type: r.type, message: r.message,
                                                     recipient: who.recipient(for: r.type, override: r.canalEnvoi),
                                                     contribuableID: r.contribuableID, previous: r.statut,
                                                     details: ClaimedRelance.details(id: id, nom: who.nom, prenom: who.prenom, montant: r.montantDue,
                                                                                     echeance: r.dateEcheance.map { ISO8601.string(from: $0) },
                                                                                     taxe: r.affectationTaxe?.taxe?.nom)))
                guard reserve else { continue }
                r.statut = .envoiEnCours
                r.updatedAt = now
                if let acteur {
                    r.acteur = acteur
                    r.utilisateurID = Relance.utilisateurID(forActeur: acteur) ?? r.utilisateurID
                }
                s.relances[id] = r
                s.claims[id] = Claim(owner: owner.token, lease: now.addingTimeInterval(ClaimOwner.lease))
                s.handed.remove(id)
            }
            return result
        }
    }

    public func write(_ records: [SendRecord], now: Date) throws(StoreError) {
        try state.withLock { (s: inout State) throws(StoreError) in
            // All or none, as a transaction: the records apply to a copy.
            var next = s
            for record in records { try Self.apply(record, to: &next, now: now) }
            s = next
        }
    }

    private static func apply(_ record: SendRecord, to s: inout State, now: Date) throws(StoreError) {
        let id = record.relanceID
        guard var r = s.relances[id] else { throw .notFound("Relance \(id) introuvable") }
        func endClaim() {
            s.claims[id] = nil
            s.handed.remove(id)
            s.attempts[id]?.removeAll { $0.outcome == "remis" }
        }
        switch record {
        case .handOff(_, let channel, let at):
            s.attempts[id, default: []].append(Attempt(number: 1, channel: channel, outcome: "remis", providerID: nil,
                                                       detail: "remis au canal ; résultat pas encore connu", finishedAt: at))
            s.handed.insert(id)
        case .attempt(let a, _, _, _):
            let row: Attempt = switch a.result {
            case .success(let receipt): Attempt(number: a.number, channel: a.channel, outcome: "sent", providerID: receipt.messageID,
                                                detail: receipt.providerAnswer, finishedAt: a.finishedAt)
            case .failure(let error): Attempt(number: a.number, channel: a.channel, outcome: "failed", providerID: nil,
                                              detail: error.description, finishedAt: a.finishedAt)
            }
            // The first attempt completes the row its hand-off wrote; later ones add theirs.
            if let handed = s.attempts[id]?.lastIndex(where: { $0.outcome == "remis" }) {
                s.attempts[id]![handed] = row
            } else {
                s.attempts[id, default: []].append(row)
            }
            return
        case .outcome(_, .sent(let channel, let recipient, let note, let at)):
            r.statut = .envoyee
            r.dateEnvoi = at
            r.canalEnvoi = recipient
            r.canal = channel
            r.notes = note
            r.updatedAt = now
            if let affectation = r.affectationTaxeID { s.dossiers[affectation, default: 0] += 1 }
            endClaim()
        case .outcome(_, .failed(let note)):
            r.statut = .echec
            r.notes = note
            r.updatedAt = now
            endClaim()
        case .release(_, let statut, let datePlanifiee):
            guard r.statut == .envoiEnCours else { endClaim(); return }
            r.statut = statut
            if let datePlanifiee {
                r.datePlanifiee = datePlanifiee
                r.programmee = true
            }
            r.updatedAt = now
            endClaim()
        }
        s.relances[id] = r
    }

    public func renewClaims(of owner: ClaimOwner, now: Date) throws(StoreError) {
        state.withLock { s in
            for (id, claim) in s.claims where claim.owner == owner.token {
                s.claims[id]?.lease = now.addingTimeInterval(ClaimOwner.lease)
            }
        }
    }

    public func inProgress() throws(StoreError) -> [Int64] {
        state.withLock { s in s.relances.values.filter { $0.statut == .envoiEnCours }.map(\.id).sorted() }
    }

    public func pending(limit: Int, now: Date, types: [RelanceType], scheduledOnly: Bool) throws(StoreError) -> [Int64] {
        state.withLock { s in
            s.relances.values.filter { $0.statut == .enAttente && (!scheduledOnly || $0.programmee) && $0.datePlanifiee <= now && types.contains($0.type) }
                .sorted { ($0.datePlanifiee, $0.id) < ($1.datePlanifiee, $1.id) }
                .prefix(max(0, limit)).map(\.id)
        }
    }

    public func statistics(from: String?, to: String?) throws(StoreError) -> RelanceStatistics {
        let all = state.withLock { s in Array(s.relances.values) }
        var byStatut: [RelanceStatut: Int] = [:], byType: [String: Int] = [:], byChannel: [String: Int] = [:]
        var answered = 0
        for r in all {
            let day = String(ISO8601.string(from: r.datePlanifiee).prefix(10))
            if let from, day < from { continue }
            if let to, day > to { continue }
            byStatut[r.statut, default: 0] += 1
            byType[r.type.rawValue, default: 0] += 1
            if let canal = r.canal, !canal.isEmpty { byChannel[canal, default: 0] += 1 }
            if r.statut == .envoyee && r.reponseRecue { answered += 1 }
        }
        for type in RelanceType.allCases where byType[type.rawValue] == nil { byType[type.rawValue] = 0 }
        let sent = byStatut[.envoyee] ?? 0
        let rate = sent == 0 ? 0 : (Double(answered) / Double(sent) * 10_000).rounded() / 100
        return RelanceStatistics(totalRelances: all.count == 0 ? 0 : byStatut.values.reduce(0, +), relancesEnvoyees: sent,
                                 relancesEnAttente: byStatut[.enAttente] ?? 0, relancesEchec: byStatut[.echec] ?? 0,
                                 relancesAvecReponse: answered, tauxReponse: rate, parType: byType, parCanal: byChannel)
    }

    // MARK: TaxpayerDirectory

    public func contribuable(_ id: Int64) throws(StoreError) -> Contribuable? { state.withLock { $0.contribuables[id] } }

    public func searchContribuables(_ term: String, limit: Int, actif: Bool?) throws(StoreError) -> [Contribuable] {
        let all = state.withLock { s in Array(s.contribuables.values) }
        return all.filter { (actif == nil || $0.actif == actif) && Self.matches($0, term) }
            .sorted { ($0.nom, $0.prenom, $0.id) < ($1.nom, $1.prenom, $1.id) }
            .prefix(max(1, min(limit, 1000))).map { $0 }
    }

    /// Whether `c` is found by `term`: the keys the SQLite store keeps in columns (see
    /// ``SearchKey``), folded here. A blank term finds everyone.
    private static func matches(_ c: Contribuable?, _ term: String) -> Bool {
        let name = SearchKey.name(term)
        if term.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return true }
        guard let c else { return false }
        if SearchKey.name("\(c.prenom) \(c.nom) / \(c.nom) \(c.prenom)").contains(name) { return true }
        guard let phone = SearchKey.phone(term), let number = c.telephone.flatMap(SearchKey.phone) else { return false }
        return number.contains(phone)
    }

    public func updateContact(_ id: Int64, _ patch: ContactPatch) throws(StoreError) -> Contribuable? {
        state.withLock { s in
            guard var c = s.contribuables[id] else { return nil }
            if let v = patch.telephone { c.telephone = v }
            if let v = patch.email { c.email = v }
            if let v = patch.adresse { c.adresse = v }
            s.contribuables[id] = c
            // Relances read their taxpayer at send, as SQLite joins it: the new details.
            for (rid, r) in s.relances where r.contribuableID == id { s.relances[rid]?.contribuable = c }
            return c
        }
    }

    // MARK: IdempotencyKeys

    public func claimIdempotencyKey(_ scope: IdempotencyScope, fingerprint: String, owner: String, now: Date,
                                    lifetime: TimeInterval) throws(StoreError) -> IdempotencyClaim {
        state.withLock { s in
            s.keys = s.keys.filter { $0.value.createdAt >= now.addingTimeInterval(-lifetime) }
            guard let key = s.keys[scope] else {
                s.keys[scope] = Key(fingerprint: fingerprint, owner: owner, createdAt: now)
                return .claimed
            }
            if key.fingerprint != fingerprint { return .mismatch }
            guard let answer = key.answer else { return .inProgress(interrupted: key.owner != owner) }
            return .replay(answer)
        }
    }

    public func completeIdempotencyKey(_ scope: IdempotencyScope, owner: String, answer: IdempotentAnswer) throws(StoreError) {
        state.withLock { s in
            if s.keys[scope]?.owner == owner { s.keys[scope]?.answer = answer }
        }
    }

    public func releaseIdempotencyKey(_ scope: IdempotencyScope, owner: String) throws(StoreError) {
        state.withLock { s in
            if let key = s.keys[scope], key.owner == owner, key.answer == nil { s.keys[scope] = nil }
        }
    }

    // MARK: ClaimRecovery

    public func heldClaims() throws(StoreError) -> [HeldClaim] {
        state.withLock { s in
            s.relances.values.filter { $0.statut == .envoiEnCours }.map(\.id).sorted().map { id in
                HeldClaim(id: id, owner: s.claims[id]?.owner, lease: s.claims[id]?.lease, handed: s.handed.contains(id))
            }
        }
    }

    public func settleFromLastAttempt(_ id: Int64, now: Date) throws(StoreError) -> Bool {
        state.withLock { s in
            guard var r = s.relances[id], r.statut == .envoiEnCours, let last = s.attempts[id]?.last, last.outcome == "sent" else { return false }
            r.statut = .envoyee
            r.dateEnvoi = last.finishedAt
            r.canalEnvoi = (r.contribuable ?? Contribuable(nom: "", prenom: "")).recipient(for: r.type, override: r.canalEnvoi) ?? ""
            r.canal = last.channel
            r.notes = "Envoyé via \(last.channel). ID: \(last.providerID ?? "?") (résultat rétabli par `relances recover` d'après la tentative enregistrée)"
            r.updatedAt = now
            if let affectation = r.affectationTaxeID { s.dossiers[affectation, default: 0] += 1 }
            s.relances[id] = r
            s.claims[id] = nil
            s.handed.remove(id)
            return true
        }
    }

    public func putBack(_ held: HeldClaim, now: Date) throws(StoreError) -> Bool {
        end(held, now: now) { r in
            r.statut = .enAttente
            r.programmee = true
        }
    }

    public func closeUnknown(_ held: HeldClaim, note: String, now: Date) throws(StoreError) -> Bool {
        end(held, now: now) { r in
            r.statut = .echec
            r.notes = note
        }
    }

    /// Ends a dead sender's claim as `change` says, if it is still the one `held`
    /// describes; its hand-off, if any, becomes an outcome unknown.
    private func end(_ held: HeldClaim, now: Date, _ change: (inout Relance) -> Void) -> Bool {
        state.withLock { s in
            let id = held.id
            guard var r = s.relances[id], r.statut == .envoiEnCours, s.claims[id]?.owner == held.owner,
                  s.handed.contains(id) == held.handed else { return false }
            change(&r)
            r.updatedAt = now
            s.relances[id] = r
            s.claims[id] = nil
            s.handed.remove(id)
            for i in s.attempts[id]?.indices ?? 0..<0 where s.attempts[id]![i].outcome == "remis" {
                s.attempts[id]![i].outcome = "inconnu"
                s.attempts[id]![i].detail = "remis au canal avant un arrêt : résultat inconnu"
            }
            return true
        }
    }
}
