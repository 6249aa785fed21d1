-- The national picture (docs/national.md): the network's intervention levels and the states
-- open, inactive and closed, each change kept; service users' evaluations, held apart from any
-- case; the Minimum Standards self-assessment register; the manager's inactivity period.

-- Each level a case has had, from when (a case's level can change as the work does).
CREATE TABLE case_level_change (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    level TEXT NOT NULL,
    previous_level TEXT,
    changed_on TEXT NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX case_level_change_case ON case_level_change (case_id, changed_on);

-- Each state a case has been in, from when: the report counts the state on the period's last day.
CREATE TABLE case_state_change (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    state TEXT NOT NULL,
    previous_state TEXT,
    changed_on TEXT NOT NULL,
    how TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX case_state_change_case ON case_state_change (case_id, changed_on);
CREATE INDEX case_state_change_day ON case_state_change (changed_on);

-- Whether the evaluation was offered at closure (answered on screen, printed form given, or
-- declined): the answers themselves are in service_evaluation with nothing that names the case.
ALTER TABLE casefile ADD COLUMN evaluation TEXT;

-- A service user's answers. No case, person or worker: only the day, the level of the work and
-- how it was answered, so no report can trace answers to a family.
CREATE TABLE service_evaluation (
    id TEXT PRIMARY KEY,
    received_on TEXT NOT NULL,
    level TEXT,
    method TEXT NOT NULL,
    questions_version TEXT NOT NULL,
    answers TEXT NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE INDEX service_evaluation_day ON service_evaluation (received_on);

-- The Minimum Standards self-assessment register, shown in the annual report.
CREATE TABLE minimum_standard (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    title TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    rating TEXT NOT NULL DEFAULT 'not_assessed',
    owner TEXT NOT NULL DEFAULT '',
    review_on TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- The manager's service-wide rules for the network's states (one row, replicated to every computer).
CREATE TABLE national_policy (
    id TEXT PRIMARY KEY,
    inactive_after_days INTEGER NOT NULL,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- The history so far, from what each case already says. Ids are derived from the case, so every
-- computer of a team writes the same rows and they meet as one.
INSERT INTO case_state_change (id, case_id, state, previous_state, changed_on, how,
                               created_at, created_by, updated_at, updated_by)
SELECT id || ':opened', id, 'open', NULL, opened_on, 'opened', created_at, created_by, created_at, created_by
FROM casefile;

INSERT INTO case_state_change (id, case_id, state, previous_state, changed_on, how,
                               created_at, created_by, updated_at, updated_by)
SELECT id || ':closed', id, 'closed', 'open', closed_on, 'closed', updated_at, updated_by, updated_at, updated_by
FROM casefile WHERE closed_on IS NOT NULL;

INSERT INTO case_level_change (id, case_id, level, previous_level, changed_on, reason,
                               created_at, created_by, updated_at, updated_by)
SELECT id || ':level', id, level, NULL, opened_on, NULL, created_at, created_by, created_at, created_by
FROM casefile;
