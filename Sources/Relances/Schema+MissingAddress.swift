extension Schema {
    /// The taxpayers without a phone, an e-mail or a postal address (blank counts as
    /// none), one partial index each: a generation counts the late debts it cannot
    /// remind from them (``RelanceGenerator/withoutAddress(_:type:lateness:upcoming:)``), at a
    /// cost in those taxpayers, where a scan of every taxpayer cost 0.8 s at 1,000,000.
    /// Each condition is ``Contribuable/addressSQL(for:table:)``'s, written out: SQLite
    /// uses a partial index only for a query that states its condition the same way.
    static let missingAddresses = """
        CREATE INDEX contribuable_sans_telephone ON contribuable(id)
            WHERE NULLIF(TRIM(telephone, ' ' || char(9) || char(13) || char(10)), '') IS NULL;
        CREATE INDEX contribuable_sans_email ON contribuable(id)
            WHERE NULLIF(TRIM(email, ' ' || char(9) || char(13) || char(10)), '') IS NULL;
        CREATE INDEX contribuable_sans_adresse ON contribuable(id)
            WHERE NULLIF(TRIM(adresse, ' ' || char(9) || char(13) || char(10)), '') IS NULL;
        """
}
