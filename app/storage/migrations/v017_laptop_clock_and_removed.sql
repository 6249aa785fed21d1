-- Schema 17 (docs/sync.md §14): a laptop's past-due test runs on the office's clock, and a
-- computer removed from the team writes nothing that could never reach the team.

-- THE past-due predicate, as in schema 11, but "today" on a laptop is its clock corrected by
-- the offset it measured against the office's when its cases arrived (clock_offset_s), and
-- never earlier than the latest office time it has seen (office_date_seen): a laptop whose
-- clock is wrong can neither lock its cases early nor keep them longer. An office computer
-- has neither value and reads its own clock (no row there carries its device id anyway).
DROP VIEW laptop_overdue;
CREATE VIEW laptop_overdue AS
    SELECT c.id, c.case_id, c.case_ref, c.due_back FROM case_checkout c
    WHERE c.state = 'out'
      AND c.due_back < max(
          date('now', coalesce((SELECT json_extract(value, '$') FROM sync_state WHERE key = 'clock_offset_s'), 0)
                      || ' seconds'),
          coalesce((SELECT json_extract(value, '$') FROM sync_state WHERE key = 'office_date_seen'), ''))
      AND c.device_id = (SELECT json_extract(value, '$') FROM sync_state WHERE key = 'device_id');

-- Removed from the team (its own device row revoked, learnt at its next sync): every captured
-- write is refused at once, by any service or path, like a past-due laptop's. The staff
-- tables stay writable so people can still sign in; what was written before is exported with
-- `confide pending export` for a manager to import (app/services/team/pending.py).
CREATE TRIGGER removed_read_only BEFORE INSERT ON sync_outbox
WHEN NEW.tbl NOT IN ('staff', 'staff_key', 'staff_record')
     AND EXISTS (SELECT 1 FROM sync_device d WHERE d.revoked_seq IS NOT NULL
                 AND d.device_id = (SELECT json_extract(value, '$') FROM sync_state WHERE key = 'device_id'))
BEGIN
    SELECT RAISE(ABORT, 'CONFIDE_REMOVED: this computer was removed from the team, so nothing new can be recorded on it; ask your manager (confide pending export saves what never reached the team)');
END;
