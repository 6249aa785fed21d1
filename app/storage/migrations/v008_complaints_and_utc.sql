-- Schema 8: the data protection complaints register (s.164A DPA 2018, in force
-- 19 June 2026). Enquiry times are converted to UTC by the Python half of this step.

CREATE TABLE dp_complaint (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    received_on TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('phone', 'email', 'face_to_face', 'letter', 'web_form', 'other')),
    complainant TEXT NOT NULL,
    about TEXT NOT NULL,
    ack_due_on TEXT NOT NULL,
    acknowledged_on TEXT,
    acknowledged_how TEXT,
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('upheld', 'partly_upheld', 'not_upheld', 'withdrawn')),
    reply TEXT,
    replied_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK (acknowledged_on IS NULL OR acknowledged_on >= received_on),
    CHECK (replied_on IS NULL OR (replied_on >= received_on AND outcome IS NOT NULL))
);
CREATE INDEX dp_complaint_received ON dp_complaint (received_on);
CREATE INDEX dp_complaint_open ON dp_complaint (replied_on, ack_due_on);
