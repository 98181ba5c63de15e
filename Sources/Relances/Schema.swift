/// The database's versions, applied in order at open (PRAGMA user_version says which
/// ran). A migration never changes once released: a change is a new one.
enum Schema {
    static let migrations: [String] = [
        """
        CREATE TABLE contribuable (
            id INTEGER PRIMARY KEY,
            nom TEXT NOT NULL,
            prenom TEXT NOT NULL DEFAULT '',
            telephone TEXT,
            email TEXT,
            adresse TEXT,
            actif INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE taxe (
            id INTEGER PRIMARY KEY,
            nom TEXT NOT NULL,
            montant INTEGER NOT NULL CHECK (montant >= 0),
            periodicite TEXT NOT NULL CHECK (periodicite IN ('journaliere','hebdomadaire','mensuelle','trimestrielle'))
        );
        CREATE TABLE affectation_taxe (
            id INTEGER PRIMARY KEY,
            contribuable_id INTEGER NOT NULL REFERENCES contribuable(id),
            taxe_id INTEGER NOT NULL REFERENCES taxe(id),
            date_debut TEXT NOT NULL,
            date_fin TEXT,
            montant_custom INTEGER CHECK (montant_custom >= 0),
            actif INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX affectation_debut ON affectation_taxe(date_debut, id) WHERE actif = 1;
        CREATE TABLE info_collecte (
            id INTEGER PRIMARY KEY,
            contribuable_id INTEGER NOT NULL REFERENCES contribuable(id),
            taxe_id INTEGER NOT NULL REFERENCES taxe(id),
            montant INTEGER NOT NULL,
            date_collecte TEXT NOT NULL,
            statut TEXT NOT NULL CHECK (statut IN ('pending','completed','failed','cancelled')),
            annule INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX collecte_payeur ON info_collecte(contribuable_id, taxe_id, date_collecte);
        CREATE TABLE relance (
            id INTEGER PRIMARY KEY,
            contribuable_id INTEGER NOT NULL REFERENCES contribuable(id),
            affectation_taxe_id INTEGER REFERENCES affectation_taxe(id),
            type_relance TEXT NOT NULL CHECK (type_relance IN ('sms','email','appel','courrier','visite')),
            statut TEXT NOT NULL CHECK (statut IN ('en_attente','envoi_en_cours','envoyee','echec','annulee')),
            message TEXT NOT NULL DEFAULT '',
            montant_due INTEGER NOT NULL,
            date_echeance TEXT,
            date_envoi TEXT,
            date_planifiee TEXT NOT NULL,
            date_reponse TEXT,
            canal_envoi TEXT,
            reponse_recue INTEGER NOT NULL DEFAULT 0,
            notes TEXT,
            utilisateur_id INTEGER,
            canal TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX relance_planifiee ON relance(date_planifiee);
        CREATE INDEX relance_statut ON relance(statut, date_planifiee);
        CREATE INDEX relance_type ON relance(type_relance, date_planifiee);
        CREATE INDEX relance_contribuable ON relance(contribuable_id, date_planifiee);
        CREATE INDEX relance_affectation ON relance(affectation_taxe_id, date_planifiee);
        CREATE TABLE dossier_impaye (
            id INTEGER PRIMARY KEY,
            affectation_taxe_id INTEGER NOT NULL REFERENCES affectation_taxe(id),
            statut TEXT NOT NULL DEFAULT 'ouvert' CHECK (statut IN ('ouvert','ferme')),
            nombre_relances INTEGER NOT NULL DEFAULT 0,
            dernier_contact TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX dossier_affectation ON dossier_impaye(affectation_taxe_id) WHERE statut = 'ouvert';
        CREATE TABLE delivery_attempt (
            id INTEGER PRIMARY KEY,
            relance_id INTEGER NOT NULL REFERENCES relance(id),
            attempt INTEGER NOT NULL,
            channel TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            provider_id TEXT,
            error_code TEXT,
            detail TEXT
        );
        CREATE INDEX attempt_relance ON delivery_attempt(relance_id, attempt);
        """,
        counters,
        idempotency,
        ledger,
        cancelledOutOfKey,
        sendRules,
        importKeys,
        acteur,
        ledgerByRelance,
        recherche,
        missingAddresses,
    ]

    /// v9: a relance's ledger entries found without reading the whole ledger (the
    /// page's detail shows them: `GET /api/relances/{id}/journal`).
    static let ledgerByRelance = """
        CREATE INDEX ledger_relance ON ledger(relance_id, seq);
        """

    /// v6: only what the office asked for goes out, and a claim says whose it is.
    ///
    /// `programmee`: an operator scheduled the relance for its `date_planifiee` (a date
    /// given at creation, or the « programmer » action); the scheduler sends only those,
    /// never what generation or a manual entry without a date left pending. Relances
    /// already stored stay unscheduled: pending means pending, until someone says when.
    ///
    /// `envoi_par` and `envoi_bail`: who holds an `envoi_en_cours` claim (host, process id
    /// and start time, batch) and until when (a lease the batch renews while it runs), so
    /// `relances recover` leaves a live sender's claims alone. `envoi_remis`: the claim
    /// was handed to a channel (its attempt row is written before the network call); a
    /// claim never handed was certainly not sent, and recover puts it back on its own.
    /// A claim an earlier version left may have been handed: it counts as handed, in
    /// doubt, for a person to decide.
    static let sendRules = """
        ALTER TABLE relance ADD COLUMN programmee INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE relance ADD COLUMN envoi_par TEXT;
        ALTER TABLE relance ADD COLUMN envoi_bail TEXT;
        ALTER TABLE relance ADD COLUMN envoi_remis INTEGER NOT NULL DEFAULT 0;
        UPDATE relance SET envoi_remis = 1 WHERE statut = 'envoi_en_cours';
        """

    /// v7: the keys that make an import idempotent (``CSVImporter``): a taxpayer's
    /// external reference (the office's matricule), a payment's (its receipt), and the
    /// indexes that find a row again by its key. Not unique on the assignments and the
    /// keyless taxpayers: a database imported twice before this version holds doubles,
    /// and must still open; a re-import matches the first of them.
    static let importKeys = """
        ALTER TABLE contribuable ADD COLUMN reference TEXT;
        CREATE UNIQUE INDEX contribuable_reference ON contribuable(reference) WHERE reference IS NOT NULL;
        CREATE INDEX contribuable_nom ON contribuable(nom, prenom);
        CREATE INDEX taxe_nom ON taxe(nom);
        CREATE INDEX affectation_cle ON affectation_taxe(contribuable_id, taxe_id, date_debut);
        ALTER TABLE info_collecte ADD COLUMN reference TEXT;
        CREATE UNIQUE INDEX collecte_reference ON info_collecte(reference) WHERE reference IS NOT NULL;
        """

    /// v5: a cancelled relance no longer holds its business key, so an operator who
    /// cancels one (a wrong text, a wrong number) can make the corrected one the same
    /// week; a relance put back from `annulee` takes the key again, if it is free. The
    /// key of a cancelled one is NULL (never equal to another): cancelling and putting
    /// back set it (``SQLiteRelanceStore/update(_:_:now:)``), while the claims and
    /// outcomes of sending, which change `statut` all day, leave the index alone.
    static let cancelledOutOfKey = """
        DROP INDEX relance_cle_metier;
        CREATE UNIQUE INDEX relance_cle_metier ON relance(affectation_taxe_id, type_relance, periode)
            WHERE affectation_taxe_id IS NOT NULL;
        UPDATE relance SET periode = NULL WHERE statut = 'annulee';
        """

    /// The business key's week of a row (the Monday of its `date_planifiee`, UTC), in
    /// SQL: ``RelanceGenerator/week(containing:)``'s.
    static let weekOfRow = "date(substr(date_planifiee, 1, 10), '-6 days', 'weekday 1')"

    /// v2: counters the statistics read instead of scanning every relance (kept by
    /// triggers, so no write path can forget them), the business key of a generated
    /// relance, and two indexes fewer on the hot insert path.
    ///
    /// `periode` is the Monday (UTC) of the week the relance was planned for: with the
    /// unique index, one affectation gets at most one relance of a type per week, whoever
    /// creates it and however often a request is retried.
    static let counters = """
        ALTER TABLE relance ADD COLUMN periode TEXT;
        DROP INDEX relance_type;
        DROP INDEX relance_affectation;
        CREATE UNIQUE INDEX relance_cle_metier ON relance(affectation_taxe_id, type_relance, periode)
            WHERE affectation_taxe_id IS NOT NULL;
        CREATE TABLE relance_compte (
            jour TEXT NOT NULL,
            statut TEXT NOT NULL,
            type_relance TEXT NOT NULL,
            canal TEXT NOT NULL,
            nombre INTEGER NOT NULL,
            reponses INTEGER NOT NULL,
            PRIMARY KEY (statut, type_relance, canal, jour)
        ) WITHOUT ROWID;
        INSERT INTO relance_compte
            SELECT substr(date_planifiee, 1, 10), statut, type_relance, COALESCE(canal, ''), COUNT(*), SUM(reponse_recue != 0)
            FROM relance GROUP BY 1, 2, 3, 4;
        CREATE TRIGGER relance_compte_ajout AFTER INSERT ON relance BEGIN
            INSERT INTO relance_compte VALUES (substr(NEW.date_planifiee, 1, 10), NEW.statut, NEW.type_relance, COALESCE(NEW.canal, ''),
                                               1, NEW.reponse_recue != 0)
            ON CONFLICT DO UPDATE SET nombre = nombre + 1, reponses = reponses + excluded.reponses;
        END;
        CREATE TRIGGER relance_compte_retrait AFTER DELETE ON relance BEGIN
            UPDATE relance_compte SET nombre = nombre - 1, reponses = reponses - (OLD.reponse_recue != 0)
            WHERE jour = substr(OLD.date_planifiee, 1, 10) AND statut = OLD.statut AND type_relance = OLD.type_relance
              AND canal = COALESCE(OLD.canal, '');
        END;
        CREATE TRIGGER relance_compte_change AFTER UPDATE OF date_planifiee, statut, type_relance, canal, reponse_recue ON relance BEGIN
            UPDATE relance_compte SET nombre = nombre - 1, reponses = reponses - (OLD.reponse_recue != 0)
            WHERE jour = substr(OLD.date_planifiee, 1, 10) AND statut = OLD.statut AND type_relance = OLD.type_relance
              AND canal = COALESCE(OLD.canal, '');
            INSERT INTO relance_compte VALUES (substr(NEW.date_planifiee, 1, 10), NEW.statut, NEW.type_relance, COALESCE(NEW.canal, ''),
                                               1, NEW.reponse_recue != 0)
            ON CONFLICT DO UPDATE SET nombre = nombre + 1, reponses = reponses + excluded.reponses;
        END;
        """

    /// v4: the proof-of-dispatch ledger, one row per delivery attempt, each chained to
    /// the previous one by SHA-256 (see ``Ledger``). The triggers make the append-only
    /// rule hold for anyone writing SQL too; ``Ledger/verify(in:)`` still catches an edit
    /// made after dropping them, or to the file itself.
    static let ledger = """
        CREATE TABLE ledger (
            seq INTEGER PRIMARY KEY,
            relance_id INTEGER NOT NULL,
            recipient TEXT NOT NULL,
            channel TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            provider_id TEXT NOT NULL,
            outcome TEXT NOT NULL,
            at TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX ledger_at ON ledger(at);
        CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN
            SELECT RAISE(ABORT, 'the ledger is append-only: its entries cannot be changed');
        END;
        CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN
            SELECT RAISE(ABORT, 'the ledger is append-only: its entries cannot be deleted');
        END;
        """
}
