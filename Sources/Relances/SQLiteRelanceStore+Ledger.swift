import Foundation
import Gateway

extension SQLiteRelanceStore {
    /// Appends entries to the ledger in a transaction of their own.
    @discardableResult
    public func appendToLedger(_ entries: [LedgerEntry]) throws(StoreError) -> [LedgerEntry] {
        try database.transaction { (s: Session) throws(StoreError) in try Ledger.append(entries, in: s) }
    }

    /// Checks the whole chain (see ``Ledger/verify(in:)``).
    public func verifyLedger() throws(StoreError) -> LedgerVerification {
        try database.withConnection { (s: Session) throws(StoreError) in try Ledger.verify(in: s) }
    }

    /// The entries of the days `from` to `to` (`YYYY-MM-DD`, UTC, inclusive).
    public func ledgerEntries(from: String, to: String) throws(StoreError) -> [LedgerEntry] {
        try database.withConnection { (s: Session) throws(StoreError) in try Ledger.entries(from: from, to: to, in: s) }
    }
}

extension SQLiteRelanceStore {
    /// The recipient and the text a send of the relance uses, as ``RelanceSender`` builds
    /// them: the operator's override or the contribuable's address, and the message.
    static func sentTo(_ id: Int64, in s: Session) throws(StoreError) -> (recipient: String, text: String)? {
        try s.row("""
            SELECT r.type_relance, r.canal_envoi, r.message, c.telephone, c.email, c.adresse
            FROM relance r JOIN contribuable c ON c.id = r.contribuable_id WHERE r.id = ?
            """, [.int(id)]) { r in
            let type = RelanceType(rawValue: r.text(0)) ?? .sms
            let who = Contribuable(nom: "", prenom: "", telephone: r.optionalText(3), email: r.optionalText(4), adresse: r.optionalText(5))
            return (who.recipient(for: type, override: r.optionalText(1)) ?? "", r.text(2))
        }
    }
}
