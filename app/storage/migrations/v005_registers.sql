-- Schema 5: the registers the confidentiality policy asks for (R11, R15).

-- The staff register: one row per staff account.
CREATE TABLE staff_record (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL UNIQUE REFERENCES staff(id),
    start_date TEXT,
    agreement_signed_on TEXT,
    induction_on TEXT,
    dp_training_on TEXT,
    notes TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- Paper files and where they are (R11).
CREATE TABLE paper_file (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    case_id TEXT REFERENCES casefile(id),
    home_location TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

CREATE TABLE paper_file_movement (
    id TEXT PRIMARY KEY,
    file_id TEXT NOT NULL REFERENCES paper_file(id),
    checked_out_by TEXT NOT NULL,
    checked_out_on TEXT NOT NULL,
    taken_to TEXT,
    expected_back TEXT NOT NULL,
    returned_on TEXT,
    returned_by TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX paper_file_movement_open ON paper_file_movement (returned_on, expected_back);
CREATE INDEX paper_file_movement_file ON paper_file_movement (file_id, checked_out_on);

CREATE TABLE policy_review (
    id TEXT PRIMARY KEY,
    reviewed_on TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    minutes_reference TEXT,
    next_review_on TEXT NOT NULL,
    notes TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- The dashboard's overdue-actions list covers every owner.
CREATE INDEX action_open_due ON action_item (done_at, due_on);
