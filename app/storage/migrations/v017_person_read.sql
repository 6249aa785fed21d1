-- Which people each account read, and when, on this computer: the bulk-read budget
-- (docs/security.md, "Bulk reads"). Local only (app/storage/capture.py): never replicated.
CREATE TABLE person_read (
    username TEXT NOT NULL,
    person_id TEXT NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (username, person_id)
);
CREATE INDEX person_read_recent ON person_read (username, read_at);
