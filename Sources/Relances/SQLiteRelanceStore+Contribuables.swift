import Foundation
import Gateway

/// A change of a taxpayer's contact details (`PUT /api/contribuables/{id}`): a field
/// given changes (nil inside: cleared), a field not given stays.
public struct ContactPatch: Sendable, Equatable {
    public var telephone: String??
    public var email: String??
    public var adresse: String??

    public init(telephone: String?? = nil, email: String?? = nil, adresse: String?? = nil) {
        self.telephone = telephone
        self.email = email
        self.adresse = adresse
    }
}

extension SQLiteRelanceStore {
    /// Taxpayers whose name (either order, accents and case aside) or phone number
    /// (spaces and the +241/0 prefixes aside) contains `term` (see ``SearchKey``).
    public func searchContribuables(_ term: String, limit: Int, actif: Bool?) throws(StoreError) -> [Contribuable] {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let match = SearchKey.match(term) { conditions.append(match.sql); values += match.values }
        if let actif { conditions.append("actif = ?"); values.append(.int(actif ? 1 : 0)) }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.withConnection { (s: Session) throws(StoreError) in
            try s.rows("SELECT id, nom, prenom, telephone, email, adresse, actif FROM contribuable \(whereClause) ORDER BY nom, prenom, id LIMIT \(max(1, min(limit, 1000)))",
                       values, Self.contribuable)
        }
    }

    /// Changes a taxpayer's contact details, checked by the caller; nil when `id` is
    /// unknown. Relances not yet sent go to the new details (they are read at send).
    public func updateContact(_ id: Int64, _ patch: ContactPatch) throws(StoreError) -> Contribuable? {
        var sets: [String] = []
        var values: [SQLValue] = []
        if let v = patch.telephone { sets.append("telephone = ?"); values.append(.optional(v)) }
        if let v = patch.email { sets.append("email = ?"); values.append(.optional(v)) }
        if let v = patch.adresse { sets.append("adresse = ?"); values.append(.optional(v)) }
        if !sets.isEmpty {
            let changed = try database.withConnection { (s: Session) throws(StoreError) -> Int in
                try s.run("UPDATE contribuable SET \(sets.joined(separator: ", ")) WHERE id = ?", values + [.int(id)])
            }
            if changed == 0 { return nil }
        }
        return try contribuable(id)
    }
}
