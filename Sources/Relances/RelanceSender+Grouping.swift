import Foundation
import Gateway
import Synchronization

/// One message per taxpayer per run: several debts of one taxpayer, of one type, to
/// one address, in one batch, go as one message with the total and the count (the
/// type's `groupe` template), instead of several identical-looking ones minutes
/// apart. The relances stay one per debt: each is claimed, and records the one
/// send's attempts, provider id and outcome. `"grouper": false` on a type's template
/// in the routing config sends one message per debt.
/// A relance of a batch as the grouping sees it: what the one message names.
public struct GroupMember: Sendable {
    public var id: Int64
    /// Relances of one key go together: the taxpayer, the type, the address override.
    public var key: String
    public var nom: String
    public var prenom: String
    public var montant: Montant
    public var taxe: String
    /// `YYYY-MM-DD…`, for the earliest due date the message names.
    public var echeance: String?

    public init(id: Int64, key: String, nom: String, prenom: String, montant: Montant, taxe: String, echeance: String?) {
        (self.id, self.key, self.nom, self.prenom, self.montant, self.taxe, self.echeance) = (id, key, nom, prenom, montant, taxe, echeance)
    }
}

extension RelanceStore {
    /// A store that cannot tell a debt's taxpayer and tax groups nothing: every debt
    /// then gets its own message, as with `"grouper": false`.
    public func groupMembers(_ ids: [Int64], types: [RelanceType]) throws(StoreError) -> [GroupMember] { [] }
}

extension RelanceSender {
    /// Splits a batch: the ids sent one by one, and the groups (two or more relances
    /// generated from debts, of one taxpayer, one type, one address override, in the
    /// order of their first id). Manual relances are never grouped: their text is the
    /// operator's. One query, whatever the batch's size.
    func groupsForThisRun(_ ids: [Int64]) -> (singles: [Int64], groups: [[GroupMember]]) {
        guard ids.count > 1 else { return (ids, []) }
        let grouping = RelanceType.sendable.filter { !runtime.ungroupedTypes.contains($0) && dispatcher.route(for: $0) != nil }
        guard !grouping.isEmpty else { return (ids, []) }
        let rows: [GroupMember]
        do { rows = try store.groupMembers(ids, types: grouping) } catch {
            // Grouping is a courtesy: without it every debt still gets its message.
            logger.warning("could not group the batch by taxpayer; sending one message per debt", ["error": "\(error)"])
            return (ids, [])
        }
        var byKey: [String: [GroupMember]] = [:]
        for row in rows { byKey[row.key, default: []].append(row) }
        let grouped = byKey.values.filter { $0.count > 1 }
        let inGroups = Set(grouped.flatMap { $0.map(\.id) })
        guard !inGroups.isEmpty else { return (ids, []) }
        let position = Dictionary(ids.enumerated().map { ($1, $0) }) { first, _ in first }
        let groups = grouped.map { $0.sorted { position[$0.id, default: 0] < position[$1.id, default: 0] } }
            .sorted { position[$0[0].id, default: 0] < position[$1[0].id, default: 0] }
        return (ids.filter { !inGroups.contains($0) }, groups)
    }

    /// Sends the groups, `maxInFlight` at once: each is claimed whole, then goes as one
    /// message per address actually claimed (one claimed alone goes as it is).
    func sendGroups(_ groups: [[GroupMember]], session: any SendingSession, maxInFlight: Int,
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

    private func sendGroup(_ members: [GroupMember], session: any SendingSession, observe: @escaping @Sendable (Step) -> Void) async {
        let claim = await session.claim(members.map(\.id))
        for (id, why) in claim.refused { observe(.refused(id, why, claim.failure)) }
        var byRecipient: [String: [ClaimedRelance]] = [:]
        for relance in claim.claimed { byRecipient[relance.recipient ?? "", default: []].append(relance) }
        for key in byRecipient.keys.sorted() {
            let claimed = byRecipient[key]!
            let group = claimed.compactMap { c in members.first { $0.id == c.id } }
            let lead = claimed.count > 1 ? combined(claimed, group) : claimed[0]
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
