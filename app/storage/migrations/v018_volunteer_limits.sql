-- Schema 18: which people each account read, and when, on this computer: the bulk-read budget
-- (docs/security.md, "Bulk reads"). Local only (app/storage/capture.py): never replicated.
CREATE TABLE person_read (
    username TEXT NOT NULL,
    person_id TEXT NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (username, person_id)
);
CREATE INDEX person_read_recent ON person_read (username, read_at);

-- Each volunteer's compartment on this computer: the key of their own database file, which
-- holds only what a volunteer may see (docs/security.md, "Volunteers hold no key to casework").
-- Only staff open this database, so only staff hold these keys. Local only: never replicated.
CREATE TABLE volunteer_compartment (
    username TEXT PRIMARY KEY,
    key_hex TEXT NOT NULL,
    tag INTEGER NOT NULL UNIQUE,
    absorbed_seq INTEGER NOT NULL DEFAULT 0,
    token TEXT,
    refreshed_at TEXT
);
