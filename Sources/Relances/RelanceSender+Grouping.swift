import Foundation
import Gateway
import Synchronization

/// One message per taxpayer per run: several debts of one taxpayer, of one type, to
/// one address, in one batch, go as one message with the total and the count (the
/// type's `groupe` template), instead of several identical-looking ones minutes
/// apart. The relances stay one per debt: each is claimed, and records the one
/// send's attempts, provider id and outcome. `"grouper": false` on a type's template
/// in the routing config sends one message per debt.
///
/// Letters (the types addressed by post) also keep together what cannot be one
/// message: a taxpayer's letters of one run (a manual one beside the debts', or each
/// debt's with `"grouper": false`) are handed to the channel one after the other, in
/// the batch's order, as the parts of one ``Envelope``, so they print on consecutive
/// pages and are posted together.

/// A relance of a batch as the grouping sees it: what the one message names.
public struct GroupMember: Sendable {
    public var id: Int64
    /// Relances of one key may go together: the taxpayer and the type (`12|courrier`);
    /// the sender then keeps apart those whose addresses differ.
    public var key: String
    public var nom: String
    public var prenom: String
    public var montant: Montant
    public var taxe: String
    /// `YYYY-MM-DD…`, for the earliest due date the message names.
    public var echeance: String?
    /// Generated from a debt, so its text is the template's and it may be merged with
    /// the taxpayer's others; a manual relance keeps the operator's text, on its own.
    public var fromDebt: Bool

    public init(id: Int64, key: String, nom: String, prenom: String, montant: Montant, taxe: String, echeance: String?,
                fromDebt: Bool = true) {
        (self.id, self.key, self.nom, self.prenom, self.montant, self.taxe, self.echeance) = (id, key, nom, prenom, montant, taxe, echeance)
        self.fromDebt = fromDebt
    }
}

/// What goes together in a run: one message (several debts of a taxpayer merged), or
/// several, in order, to one address (a taxpayer's letters, `parts`).
struct SendGroup: Sendable {
    /// Each part is one message; a part of several members is their merged message.
    var parts: [[GroupMember]]
    var ids: [Int64] { parts.flatMap { $0.map(\.id) } }
}

extension RelanceStore {
    /// A store that cannot tell a debt's taxpayer and tax groups nothing: every debt
    /// then gets its own message, as with `"grouper": false`.
    public func groupMembers(_ ids: [Int64], types: [RelanceType]) throws(StoreError) -> [GroupMember] { [] }
}

extension RelanceSender {
    /// Splits a batch: the ids sent one by one, and the groups: two or more relances
    /// generated from debts, of one taxpayer and one type, to one address, as one
    /// message (the types that group), and a taxpayer's letters as one envelope (the
    /// types addressed by post), in the order of their first id. Manual relances are
    /// never merged: their text is the operator's. One query, whatever the batch's size.
    func groupsForThisRun(_ ids: [Int64]) -> (singles: [Int64], groups: [SendGroup]) {
        guard ids.count > 1 else { return (ids, []) }
        let routed = RelanceType.sendable.filter { dispatcher.route(for: $0) != nil }
        let merging = Set(routed.filter { !runtime.ungroupedTypes.contains($0) })
        let enveloping = Set(routed.filter { $0.address == .postal })
        guard !merging.isEmpty || !enveloping.isEmpty else { return (ids, []) }
        let rows: [GroupMember]
        do { rows = try store.groupMembers(ids, types: routed.filter { merging.contains($0) || enveloping.contains($0) }) } catch {
            // Grouping is a courtesy: without it every debt still gets its message.
            logger.warning("could not group the batch by taxpayer; sending one message per debt", ["error": "\(error)"])
            return (ids, [])
        }
        let position = Dictionary(ids.enumerated().map { ($1, $0) }) { first, _ in first }
        var byKey: [String: [GroupMember]] = [:]
        for row in rows { byKey[row.key, default: []].append(row) }
        var groups: [SendGroup] = []
        for members in byKey.values where members.count > 1 {
            let members = members.sorted { position[$0.id, default: 0] < position[$1.id, default: 0] }
            guard let type = members.first.flatMap({ $0.key.split(separator: "|").last.flatMap { RelanceType(rawValue: String($0)) } })
            else { continue }
            let merged = merging.contains(type) ? members.filter(\.fromDebt) : []
            // The merged message stands where its first debt stood; the others each alone.
            var parts = merged.count > 1 ? [merged] : []
            for member in members where !(merged.count > 1 && member.fromDebt) { parts.append([member]) }
            parts.sort { position[$0[0].id, default: 0] < position[$1[0].id, default: 0] }
            if enveloping.contains(type) && parts.count > 1 {
                groups.append(SendGroup(parts: parts))
            } else if merged.count > 1 {
                groups.append(SendGroup(parts: [merged]))
            }
        }
        let inGroups = Set(groups.flatMap(\.ids))
        guard !inGroups.isEmpty else { return (ids, []) }
        groups.sort { position[$0.parts[0][0].id, default: 0] < position[$1.parts[0][0].id, default: 0] }
        return (ids.filter { !inGroups.contains($0) }, groups)
    }

    /// Sends the groups, `maxInFlight` at once: each is claimed whole, then goes as one
    /// message per address actually claimed (one claimed alone goes as it is).
    func sendGroups(_ groups: [SendGroup], session: any SendingSession, maxInFlight: Int,
                    observe: @escaping @Sendable (Step) -> Void) async {
        guard !groups.isEmpty else { return }
        let next = GroupCursor()
        await withTaskGroup(of: Void.self) { tasks in
            for _ in 0..<max(1, min(maxInFlight, groups.count)) {
                tasks.addTask { [self] in
                    while !Task.isCancelled, !isStopping {
                        let index = next.take()
                        guard index < groups.count else { return }
                        await sendGroup(groups[index], session: session, observe: observe)
                    }
                }
            }
        }
    }

    /// Claims a group whole, then sends, per address actually claimed, each of its
    /// parts in order: a part's claimed relances as one message (one claimed alone goes
    /// as it is); two parts or more to one address as the parts of one envelope.
    private func sendGroup(_ group: SendGroup, session: any SendingSession, observe: @escaping @Sendable (Step) -> Void) async {
        let claim = await session.claim(group.ids)
        for (id, why) in claim.refused { observe(.refused(id, why, claim.failure)) }
        var byRecipient: [String: [ClaimedRelance]] = [:]
        for relance in claim.claimed { byRecipient[relance.recipient ?? "", default: []].append(relance) }
        for key in byRecipient.keys.sorted() {
            let claimed = byRecipient[key]!
            let parts = group.parts.map { part in part.compactMap { m in claimed.first { $0.id == m.id }.map { ($0, m) } } }
                .filter { !$0.isEmpty }
            let envelope = parts.count > 1 ? "REL-\(parts[0][0].0.id)" : nil
            for (index, part) in parts.enumerated() {
                if Task.isCancelled || isStopping {
                    // Stopping: the letters not yet handed go back as they were, for the next run.
                    let back = part.map { (c, _) in End(kind: .stopped, record: .release(relanceID: c.id, to: c.previous, datePlanifiee: nil)) }
                    session.submit(back.map(\.record))
                    for (c, end) in zip(part.map(\.0), back) { observe(.ended(c.id, end)) }
                    continue
                }
                var lead = part.count > 1 ? combined(part.map(\.0), part.map(\.1)) : part[0].0
                if let envelope { lead.envelope = Envelope(id: envelope, part: index + 1, parts: parts.count) }
                await sendPart(lead, part.map(\.0), session: session, observe: observe)
            }
        }
    }

    /// One message for `claimed` (one relance, or a taxpayer's debts merged), its
    /// outcome written to each.
    private func sendPart(_ lead: ClaimedRelance, _ claimed: [ClaimedRelance], session: any SendingSession,
                          observe: @escaping @Sendable (Step) -> Void) async {
        let ids = claimed.map(\.id)
        let attempts = RecordBuffer()
        let end = await deliver(lead, handOff: { record in
            for id in ids where !(await session.handOff(record.with(relanceID: id))) { return false }
            return true
        }) { attempt in
            for id in ids { attempts.append(.attempt(attempt, relanceID: id, recipient: lead.recipient, text: lead.message)) }
        }
        // Each relance ends as the one send did; one put back goes back as it was.
        let records = claimed.map { c -> SendRecord in
            if case .release(_, let to, let date) = end.record, to == lead.previous, date == nil {
                return .release(relanceID: c.id, to: c.previous, datePlanifiee: nil)
            }
            return end.record.with(relanceID: c.id)
        }
        session.submit(attempts.records + records)
        for id in ids { observe(.ended(id, end)) }
    }

    /// The one message for several claimed relances of a taxpayer: the type's `groupe`
    /// template with the total, the count, the taxes and the earliest due date.
    func combined(_ claimed: [ClaimedRelance], _ members: [GroupMember]) -> ClaimedRelance {
        var lead = claimed[0]
        let total = Montant(centimes: members.reduce(0) { $0 + $1.montant.centimes })
        let taxes = members.map { MessageValues.taxe($0.taxe) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let earliest = members.compactMap { $0.echeance.map { String($0.prefix(10)) } }.min()
        let echeance = earliest.map { $0.split(separator: "-").reversed().joined(separator: "/") } ?? ""
        let template = runtime.groupTemplates[lead.type].map(MessageTemplate.init) ?? .standardGroupe
        var values = MessageValues.values(nom: members[0].nom, prenom: members[0].prenom, montant: total, echeance: echeance,
                                          taxe: "", nombre: members.count)
        values["taxe"] = taxes.count > 1 ? taxes.dropLast().joined(separator: ", ") + " et " + taxes.last! : taxes.first ?? ""
        lead.message = template.render(values)
        lead.details["montant"] = total.description
        lead.details["taxe"] = values["taxe"]
        lead.details["reference"] = claimed.map { "REL-\($0.id)" }.joined(separator: ", ")
        return lead
    }
}

extension SendRecord {
    /// The same record for another relance of a grouped send.
    func with(relanceID id: Int64) -> SendRecord {
        switch self {
        case .handOff(_, let channel, let at): .handOff(relanceID: id, channel: channel, at: at)
        case .attempt(let attempt, _, let recipient, let text): .attempt(attempt, relanceID: id, recipient: recipient, text: text)
        case .outcome(_, let outcome): .outcome(relanceID: id, outcome)
        case .release(_, let statut, let date): .release(relanceID: id, to: statut, datePlanifiee: date)
        }
    }
}

/// The next group to send, shared by a batch's senders.
final class GroupCursor: Sendable {
    private let position = Mutex(0)
    func take() -> Int { position.withLock { n in defer { n += 1 }; return n } }
}
