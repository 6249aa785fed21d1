-- Schema 19: local-only copies of hub entries and snapshots (docs/sync.md §15). Never
-- replicated (sync_* tables are not captured).

-- Every hub entry this computer wrote (kept for good) or applied (kept for the retention
-- window of copies.RETAIN_DAYS, control entries for good), as the hub held it, so that
-- `confide hub check` can find a damaged, missing or rolled-back entry and `confide hub
-- repair` can put it back.
CREATE TABLE sync_entry_copy (
    seq INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    payload BLOB NOT NULL,
    created_at TEXT,
    own INTEGER NOT NULL DEFAULT 0,
    kept_at TEXT NOT NULL
);
CREATE INDEX sync_entry_copy_kept ON sync_entry_copy (kept_at) WHERE own = 0 AND kind = 'bundle';

-- The snapshots this computer wrote or started from: what the hub must still hold.
CREATE TABLE sync_snapshot_seen (
    upto_seq INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    own INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL,
    PRIMARY KEY (upto_seq, device_id)
);
