-- Schema 22: documents kept inside the vault (docs/documents.md). A document belongs to a case
-- or to a person; its bytes are in document_chunk rows of at most 512 KiB each, so no file is
-- ever one huge row (a bounded piece for the hub too, docs/sync.md §8.3).
CREATE TABLE document (
    id TEXT PRIMARY KEY,
    case_id TEXT REFERENCES casefile(id),
    person_id TEXT REFERENCES person(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ehc_plan', 'report', 'letter_received', 'letter_sent', 'evidence', 'other')),
    document_date TEXT NOT NULL,
    source TEXT NOT NULL,
    -- R6: a document received from a professional names the records request it came under
    -- (a disclosure row of kind records_request: its consent, or its override).
    from_professional INTEGER NOT NULL DEFAULT 0,
    records_request_id TEXT REFERENCES disclosure(id),
    -- R5/R7: a letter Confide wrote to a professional names its disclosure.
    disclosure_id TEXT REFERENCES disclosure(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    chunk_count INTEGER NOT NULL DEFAULT 0,
    -- A letter written here: its template, the template's version and the text as sent.
    letter_template TEXT,
    letter_template_version INTEGER,
    letter_text TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK (case_id IS NOT NULL OR person_id IS NOT NULL),
    CHECK (from_professional = 0 OR records_request_id IS NOT NULL)
);
CREATE INDEX document_case ON document (case_id, document_date) WHERE case_id IS NOT NULL;
CREATE INDEX document_person ON document (person_id, document_date) WHERE person_id IS NOT NULL;
CREATE INDEX document_records_request ON document (records_request_id) WHERE records_request_id IS NOT NULL;
CREATE INDEX document_disclosure ON document (disclosure_id) WHERE disclosure_id IS NOT NULL;

CREATE TABLE document_chunk (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES document(id),
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (document_id, seq)
);

-- Letter templates a manager edited: each save is a new version; the shipped wording
-- (resources/wording/letter_<name>.v1.txt) is version 1 until then.
CREATE TABLE letter_template (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    UNIQUE (name, template_version)
);

-- Local only (sync_ prefix): rows of a laptop's check-out package that travel after it, a few
-- per bundle, so no hub entry holds a whole document (docs/sync.md §14, "Pieces").
CREATE TABLE sync_piece_queue (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL
);
