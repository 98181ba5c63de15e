extension Schema {
    /// v10: taxpayers found as people type them (see ``SearchKey``), and the daily series
    /// of the dashboard read by day from the counters.
    ///
    /// `cle_nom` is « prénom nom / nom prénom » folded (accents and case off), so either
    /// order of a full name is found; `cle_telephone` the phone's national digits.
    /// Triggers keep both right whoever writes; they update the row they follow (SQLite's
    /// recursive triggers are off, and the keys are not among the columns watched).
    /// `relance_compte_jour`: the dashboard's series asks for a range of days.
    /// `relance.segments`: the SMS segments of a sent SMS's text, counted once by the
    /// dashboard (in Swift, ``SMSText``) and kept; a change of the text forgets it. The
    /// partial index holds what the SMS-per-month figures read, so they read no row.
    static let recherche: String = {
        let name = "prenom || ' ' || nom || ' / ' || nom || ' ' || prenom"
        func keys(_ filter: String) -> String {
            SearchKey.nameSQL(set: "cle_nom", to: name, also: "cle_telephone = \(SearchKey.phoneSQL("telephone"))",
                              table: "contribuable", filter: filter).joined(separator: "\n")
        }
        return """
            ALTER TABLE contribuable ADD COLUMN cle_nom TEXT NOT NULL DEFAULT '';
            ALTER TABLE contribuable ADD COLUMN cle_telephone TEXT NOT NULL DEFAULT '';
            \(keys(""))
            CREATE TRIGGER contribuable_cle_ajout AFTER INSERT ON contribuable BEGIN
            \(keys(" WHERE id = NEW.id"))
            END;
            CREATE TRIGGER contribuable_cle_change AFTER UPDATE OF nom, prenom, telephone ON contribuable BEGIN
            \(keys(" WHERE id = NEW.id"))
            END;
            CREATE INDEX relance_compte_jour ON relance_compte(jour);
            ALTER TABLE relance ADD COLUMN segments INTEGER;
            CREATE TRIGGER relance_segments_texte AFTER UPDATE OF message ON relance BEGIN
                UPDATE relance SET segments = NULL WHERE id = NEW.id;
            END;
            CREATE INDEX relance_sms_envoyee ON relance(date_planifiee, date_envoi, segments)
                WHERE statut = 'envoyee' AND type_relance = 'sms';
            """
    }()
}
