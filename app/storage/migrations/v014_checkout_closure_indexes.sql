-- Schema 14: the office computer's check-out closure (app/services/team/laptop/closure.py)
-- walks a case's links and incidents by case; these two were its only full-table scans.
-- IF NOT EXISTS: tests/security/v1_files.py rewinds by dropping later tables, not indexes.
CREATE INDEX IF NOT EXISTS case_link_a ON case_link (case_a);
CREATE INDEX IF NOT EXISTS incident_case ON incident (case_id);
