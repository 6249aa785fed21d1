-- Schema 9: the key generation (roll-back detection), a re-key owed after a crash, and each
-- member of staff's public key with the passphrase-wrapped private key that travels with them.
-- key_state is this computer's own (its data key is its own): never replicated.
CREATE TABLE key_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL DEFAULT 0,
    key_id TEXT NOT NULL DEFAULT '',
    rekey_due TEXT,
    updated_at TEXT NOT NULL
);

INSERT INTO key_state (id, generation, updated_at) VALUES (1, 0, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));

CREATE TABLE staff_key (
    id TEXT PRIMARY KEY REFERENCES staff(id),
    public_key TEXT NOT NULL,
    private_wrap TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    deleted_at TEXT
);
