extension Schema {
    /// The API's `Idempotency-Key`s: one row per (key, method, path, token), claimed
    /// before the request runs (`status` NULL) and holding the first answer once it
    /// ran. `owner` names the server process that claimed it, so a claim left by a
    /// process that stopped is told apart from one still running. Rows older than a
    /// day are purged.
    static let idempotency = """
        CREATE TABLE idempotency_key (
            key TEXT NOT NULL,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            scope TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            owner TEXT NOT NULL,
            status INTEGER,
            content_type TEXT,
            body TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (key, method, path, scope)
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_created ON idempotency_key(created_at);
        """
}
