-- Schema 3: people, organisations, enquiries, cases, notes, actions, safeguarding and search.
-- Every record table carries created/updated stamps, a version counter and a soft delete.

CREATE TABLE organisation (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'other',
    phone TEXT, email TEXT, address TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

CREATE TABLE person (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('child', 'parent_carer', 'family_member', 'professional')),
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    known_as TEXT,
    date_of_birth TEXT,
    school_name TEXT,
    school_phase TEXT,
    primary_need TEXT,
    ehcp_status TEXT,
    organisation_id TEXT REFERENCES organisation(id),
    job_title TEXT,
    address TEXT, postcode TEXT, area TEXT,
    phone_home TEXT, phone_mobile TEXT, phone_work TEXT, email TEXT,
    -- Contact preferences (R9): 1 allowed, 0 not allowed, NULL not yet asked.
    ok_home INTEGER, ok_mobile INTEGER, ok_work INTEGER, ok_voicemail INTEGER,
    ok_message_family INTEGER, ok_message_colleague INTEGER, ok_email INTEGER, ok_post INTEGER,
    contact_note TEXT,
    staff_safety_marker INTEGER NOT NULL DEFAULT 0,
    staff_safety_note TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX person_name ON person (last_name COLLATE NOCASE, first_name COLLATE NOCASE);

-- An adult's relationship to a child, with parental responsibility recorded per child (R3).
CREATE TABLE relationship (
    id TEXT PRIMARY KEY,
    adult_id TEXT NOT NULL REFERENCES person(id),
    child_id TEXT NOT NULL REFERENCES person(id),
    relationship TEXT NOT NULL,
    parental_responsibility INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    UNIQUE (adult_id, child_id)
);
CREATE INDEX relationship_child ON relationship (child_id);

CREATE TABLE reference_counter (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE enquiry (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    route TEXT NOT NULL DEFAULT 'self',
    referrer_id TEXT REFERENCES person(id),
    family_present INTEGER,
    family_agreed INTEGER,
    anonymous INTEGER NOT NULL DEFAULT 0,
    anonymous_first_name TEXT,
    anonymous_area TEXT,
    caller_id TEXT REFERENCES person(id),
    caller_role TEXT NOT NULL,
    child_id TEXT REFERENCES person(id),
    enquiry_type TEXT NOT NULL DEFAULT 'general',
    summary TEXT NOT NULL DEFAULT '',
    statement_shared INTEGER NOT NULL DEFAULT 0,
    statement_how TEXT,
    statement_by TEXT,
    statement_version TEXT,
    handled_by TEXT NOT NULL,
    case_id TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX enquiry_received ON enquiry (received_at);
CREATE INDEX enquiry_caller ON enquiry (caller_id);

CREATE TABLE enquiry_topic (
    enquiry_id TEXT NOT NULL REFERENCES enquiry(id),
    topic TEXT NOT NULL,
    PRIMARY KEY (enquiry_id, topic)
);

CREATE TABLE casefile (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES person(id),
    child_id TEXT NOT NULL REFERENCES person(id),
    worker TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    closure_reason TEXT,
    outcomes TEXT NOT NULL DEFAULT '[]',
    enquiry_id TEXT REFERENCES enquiry(id),
    -- R4: a young person's own case is firewalled from family-side views unless they agreed.
    own_case INTEGER NOT NULL DEFAULT 0,
    shared_with_family INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX casefile_worker_status ON casefile (worker, status, opened_on);
CREATE INDEX casefile_status_opened ON casefile (status, opened_on);
CREATE INDEX casefile_client ON casefile (client_id);
CREATE INDEX casefile_child ON casefile (child_id);

-- Separate enquiries by a parent and their child (R4): the link is for managers' eyes only.
CREATE TABLE case_link (
    id TEXT PRIMARY KEY,
    case_a TEXT NOT NULL REFERENCES casefile(id),
    case_b TEXT NOT NULL REFERENCES casefile(id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

CREATE TABLE note (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    note_type TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    minutes_spent INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX note_case ON note (case_id, occurred_on);

-- Earlier versions of an edited note (R8: the record of what was written is kept).
CREATE TABLE note_revision (
    id TEXT PRIMARY KEY,
    note_id TEXT NOT NULL REFERENCES note(id),
    version INTEGER NOT NULL,
    note_type TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    minutes_spent INTEGER NOT NULL,
    body TEXT NOT NULL,
    written_at TEXT NOT NULL,
    written_by TEXT NOT NULL,
    UNIQUE (note_id, version)
);

CREATE TABLE action_item (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    owner TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX action_owner_due ON action_item (owner, done_at, due_on);
CREATE INDEX action_case ON action_item (case_id);

CREATE TABLE safeguarding_concern (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    raised_on TEXT NOT NULL,
    description TEXT NOT NULL,
    referred_to TEXT,
    external_reference TEXT,
    outcome TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX safeguarding_case ON safeguarding_concern (case_id);

CREATE TABLE incident (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    case_id TEXT REFERENCES casefile(id),
    occurred_on TEXT NOT NULL,
    description TEXT NOT NULL,
    reported_by TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX incident_person ON incident (person_id);

-- One search box over people, cases and notes, kept by the services inside the encrypted file.
-- Notes have their own index so that a common word in 600,000 notes never delays finding a name.
CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED, ref_id UNINDEXED, case_id UNINDEXED, title, body,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE note_search USING fts5 (
    kind UNINDEXED, ref_id UNINDEXED, case_id UNINDEXED, title, body,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TABLE search_key (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL UNIQUE
);
