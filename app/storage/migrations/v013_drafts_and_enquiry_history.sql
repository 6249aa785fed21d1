-- Schema 13: what a member of staff was typing when Confide locked, kept (inside the encrypted
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

-- Earlier versions of a corrected enquiry, kept like a note's (what was recorded stays visible).
CREATE TABLE enquiry_revision (
    id TEXT PRIMARY KEY,
    enquiry_id TEXT NOT NULL REFERENCES enquiry(id),
    version INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    summary TEXT NOT NULL,
    topics TEXT NOT NULL,
    anonymous_first_name TEXT,
    anonymous_area TEXT,
    written_at TEXT NOT NULL,
    written_by TEXT NOT NULL,
    UNIQUE (enquiry_id, version)
);
