-- Data lifecycle (docs/lifecycle.md): the team's retention schedule, extensions and legal
-- holds, anonymised records, erasures and which computers have carried them out, and the
-- register of right-to-erasure requests. Every table here replicates.

-- One row per kind of record: how long it is kept. NULL years means "while consent lasts"
-- (the mailing list) or "use the default" for a kind not yet set.
CREATE TABLE retention_rule (
    kind TEXT PRIMARY KEY CHECK (kind IN ('closed_case', 'enquiry', 'mailing_list')),
    years INTEGER CHECK (years IS NULL OR years BETWEEN 0 AND 100),
    until_age INTEGER CHECK (until_age IS NULL OR until_age BETWEEN 0 AND 100),
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- A manager's decision to keep a record past its date, with the reason.
CREATE TABLE retention_extension (
    id TEXT PRIMARY KEY,
    case_id TEXT REFERENCES casefile(id),
    enquiry_id TEXT REFERENCES enquiry(id),
    keep_until TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK ((case_id IS NULL) != (enquiry_id IS NULL))
);
CREATE INDEX retention_extension_case ON retention_extension (case_id);
CREATE INDEX retention_extension_enquiry ON retention_extension (enquiry_id);

-- A legal hold: the case may not be erased until the hold is released.
CREATE TABLE legal_hold (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    placed_on TEXT NOT NULL,
    released_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX legal_hold_case ON legal_hold (case_id);

ALTER TABLE casefile ADD COLUMN anonymised_at TEXT;
ALTER TABLE enquiry ADD COLUMN anonymised_at TEXT;

-- What was erased: the kind of record, how many rows, by whom, when and why. Never who it
-- was about (no person or case id, no name): the record of an erasure must not undo it.
CREATE TABLE erasure (
    id TEXT PRIMARY KEY,
    record_kind TEXT NOT NULL,
    records INTEGER NOT NULL,
    rows_erased INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    erased_at TEXT NOT NULL,
    erased_by TEXT NOT NULL,
    request_ref TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- Each computer says when it carried out an erasure (its rows gone, its file compacted).
CREATE TABLE erasure_done (
    erasure_id TEXT NOT NULL REFERENCES erasure(id),
    device_id TEXT NOT NULL,
    done_at TEXT NOT NULL,
    PRIMARY KEY (erasure_id, device_id)
);

-- The register of right-to-erasure requests (UK GDPR Art. 17), beside the SAR register.
CREATE TABLE erasure_request (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    received_on TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    subject_id TEXT REFERENCES person(id),
    due_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'erased', 'refused', 'withdrawn')),
    decided_on TEXT,
    refusal_ground TEXT CHECK (refusal_ground IS NULL OR refusal_ground IN
        ('statutory_duty', 'legal_claims', 'public_interest', 'other')),
    refusal_reason TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK (status != 'refused' OR (refusal_ground IS NOT NULL AND length(refusal_reason) > 0))
);
CREATE INDEX erasure_request_status ON erasure_request (status, due_on);

-- The previous system's reference of each imported record, kept with it.
CREATE TABLE import_reference (
    id TEXT PRIMARY KEY,
    record_table TEXT NOT NULL,
    record_id TEXT NOT NULL,
    source TEXT NOT NULL,
    original_ref TEXT NOT NULL,
    batch TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    UNIQUE (source, record_table, original_ref)
);
CREATE INDEX import_reference_record ON import_reference (record_id);

CREATE INDEX casefile_closed ON casefile (status, closed_on);
