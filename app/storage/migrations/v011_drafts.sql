-- Schema 11: what a member of staff was typing when Confide locked, kept (inside the encrypted
-- database) for that person alone and offered back after they unlock. Local to this computer:
-- it is never replicated (app/storage/capture.py LOCAL_ONLY).
CREATE TABLE draft (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    kind TEXT NOT NULL,
    context TEXT NOT NULL,
    fields TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX draft_owner ON draft (owner, created_at);
