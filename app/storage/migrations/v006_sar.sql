-- Schema 6: subject access requests (R13): the register, the reviewer's decisions, the
-- redactions and the record of what was sent.

CREATE TABLE subject_access_request (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    received_on TEXT NOT NULL,
    subject_id TEXT NOT NULL REFERENCES person(id),
    requester_kind TEXT NOT NULL CHECK (requester_kind IN ('subject', 'parent', 'representative')),
    requester_id TEXT REFERENCES person(id),
    requester_name TEXT NOT NULL,
    authority_note TEXT,
    identity_method TEXT,
    identity_received_on TEXT,
    identity_checked_by TEXT,
    clarification_requested_on TEXT,
    clarification_received_on TEXT,
    extension_months INTEGER NOT NULL DEFAULT 0,
    extension_reason TEXT,
    extension_recorded_on TEXT,
    -- R4: a young person's own case goes to a parent's request only with their agreement.
    young_person_agreed INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    due_on TEXT,
    sent_on TEXT,
    sent_method TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX sar_due ON subject_access_request (status, due_on);
CREATE INDEX sar_received ON subject_access_request (received_on);

-- The reviewer's include/exclude decision for one gathered item.
CREATE TABLE sar_decision (
    sar_id TEXT NOT NULL REFERENCES subject_access_request(id),
    item_key TEXT NOT NULL,
    included INTEGER NOT NULL,
    reason TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (sar_id, item_key)
);

-- A span of one field of one item, hidden in the pack. The text is kept so that a later edit
-- of the record cannot silently shift the box onto other words.
CREATE TABLE sar_redaction (
    id TEXT PRIMARY KEY,
    sar_id TEXT NOT NULL REFERENCES subject_access_request(id),
    item_key TEXT NOT NULL,
    field TEXT NOT NULL,
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    redacted_text TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('third_party', 'serious_harm', 'legal_privilege', 'other')),
    note TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK (end_at > start_at),
    CHECK (reason != 'other' OR length(note) > 0)
);
CREATE INDEX sar_redaction_sar ON sar_redaction (sar_id, item_key);

-- What was sent: the content as it was (so the same pack can be made again), its SHA-256,
-- when and how. Never edited.
CREATE TABLE sar_disclosure (
    id TEXT PRIMARY KEY,
    sar_id TEXT NOT NULL REFERENCES subject_access_request(id),
    generated_at TEXT NOT NULL,
    generated_by TEXT NOT NULL,
    content TEXT NOT NULL,
    items INTEGER NOT NULL,
    redactions INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    sent_on TEXT,
    sent_method TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX sar_disclosure_sar ON sar_disclosure (sar_id);
