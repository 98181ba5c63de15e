extension Schema {
    /// Who acted: the name the API authenticated (a JWT's `sub`, an API token's label)
    /// on the relance (who last created, changed or sent it) and on each ledger entry
    /// (the relance's when it was sent). Empty in the ledger for entries written before, whose hashes
    /// therefore stay what they were (``LedgerEntry/canonical``).
    static let acteur = """
        ALTER TABLE relance ADD COLUMN acteur TEXT;
        ALTER TABLE ledger ADD COLUMN acteur TEXT NOT NULL DEFAULT '';
        """
}
