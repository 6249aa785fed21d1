-- Schema 26: the retention review (the manager's dashboard) counts and lists the records past
-- their date over indexes (docs/lifecycle.md "The review"). Before, it read the row of every
-- closed case and of its child, and every case once more to see which enquiries a case names:
-- 1.5 s of CPU at 50,000 cases, growing with every case ever closed. And the dashboard's open
-- cases by worker are counted from an index of open cases alone.
-- IF NOT EXISTS: tests/security/v1_files.py rewinds by dropping later tables, not indexes.
CREATE INDEX IF NOT EXISTS casefile_enquiry ON casefile (enquiry_id) WHERE enquiry_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS casefile_closed_live ON casefile (closed_on, child_id, id)
    WHERE status = 'closed' AND deleted_at IS NULL AND anonymised_at IS NULL;
CREATE INDEX IF NOT EXISTS person_born ON person (id, date_of_birth);
CREATE INDEX IF NOT EXISTS enquiry_general ON enquiry (received_at, id)
    WHERE case_id IS NULL AND deleted_at IS NULL AND anonymised_at IS NULL;
CREATE INDEX IF NOT EXISTS casefile_open_worker ON casefile (worker) WHERE status = 'open' AND deleted_at IS NULL;
