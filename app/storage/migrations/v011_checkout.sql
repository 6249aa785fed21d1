-- Schema 11: cases checked out to laptops (docs/sync.md §14).

-- One row per case taken out on a laptop. Replicated everywhere, laptops included: it holds
-- ids, a case reference, a computer's name and a staff user name, never a family's data. No
-- foreign key to casefile: a laptop holds rows for cases it does not hold.
CREATE TABLE case_checkout (
    id TEXT PRIMARY KEY,
    case_ref TEXT NOT NULL,
    case_id TEXT,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    staff_username TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    due_back TEXT NOT NULL,
    -- requested -> out -> returned | released (lost laptop) ; requested -> refused
    state TEXT NOT NULL DEFAULT 'requested',
    out_at TEXT,
    returned_at TEXT,
    reason TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX case_checkout_device ON case_checkout (device_id, state);
CREATE INDEX case_checkout_case ON case_checkout (case_id, state);
CREATE INDEX case_checkout_state ON case_checkout (state, due_back);

-- The team's check-out policy (the manager sets it; it replicates, unlike `setting`).
CREATE TABLE checkout_policy (
    id TEXT PRIMARY KEY,
    due_days INTEGER NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- THE past-due predicate (one place): cases out on this computer whose due-back date has
-- passed. The trigger below and the services' read-only check both read this view.
CREATE VIEW laptop_overdue AS
    SELECT c.id, c.case_id, c.case_ref, c.due_back FROM case_checkout c
    WHERE c.state = 'out' AND c.due_back < date('now')
      AND c.device_id = (SELECT json_extract(value, '$') FROM sync_state WHERE key = 'device_id');

-- Past due, a laptop's casework is read-only until checked in: every captured write (every
-- service, every path) lands in sync_outbox, so refusing it here refuses the write itself.
-- The check-out register and staff records stay writable (check-in marks a row returned).
-- Remote changes and the check-in's erasure run with capture off and are not affected.
CREATE TRIGGER laptop_read_only BEFORE INSERT ON sync_outbox
WHEN NEW.tbl NOT IN ('case_checkout', 'checkout_policy', 'staff', 'staff_key', 'staff_record')
     AND EXISTS (SELECT 1 FROM laptop_overdue)
BEGIN
    SELECT RAISE(ABORT, 'CONFIDE_PAST_DUE: the cases on this laptop are past their due-back date and are read-only until they are checked in');
END;
