-- Schema 28: the report reads its rows from indexes, not from the tables (docs/national.md,
-- "What a report reads"). At 200,000 cases the annual report looked up each of a year's
-- enquiries, children and history entries in its table, one page a row: more pages than the
-- page cache holds, each read and decrypted again on every report. Each index below keeps
-- its name and leading columns (every query that used it still can) and gains the columns
-- the report reads, so the report's scans stay inside them. No index is added: a save writes
-- as many index entries as before.
-- DROP ... IF EXISTS: tests/security/v1_files.py rewinds by dropping later tables, not indexes.
DROP INDEX IF EXISTS case_state_change_case;
CREATE INDEX case_state_change_case ON case_state_change (case_id, changed_on, created_at, state, deleted_at);
DROP INDEX IF EXISTS case_level_change_case;
CREATE INDEX case_level_change_case ON case_level_change (case_id, changed_on, created_at, level, deleted_at);
DROP INDEX IF EXISTS person_born;
CREATE INDEX person_born ON person (id, date_of_birth, school_phase, primary_need);
DROP INDEX IF EXISTS enquiry_received;
CREATE INDEX enquiry_received ON enquiry (received_at, deleted_at, channel, route, caller_role, caller_id, id);
DROP INDEX IF EXISTS service_evaluation_day;
CREATE INDEX service_evaluation_day ON service_evaluation (received_on, deleted_at, method, answers);
DROP INDEX IF EXISTS casefile_closed;
CREATE INDEX casefile_closed ON casefile (status, closed_on, deleted_at, opened_on, child_id, worker, closure_reason,
                                          level, outcomes, id);
DROP INDEX IF EXISTS casefile_status_opened;
CREATE INDEX casefile_status_opened ON casefile (status, opened_on, deleted_at, closed_on, child_id, worker,
                                                closure_reason, level, outcomes, id);
