-- Schema 12: the annual report reads less. Its workload table counted a year's
-- notes by scanning every note with its text (656,870 notes, most of the file, decrypted
-- page by page); this index holds just what that count needs, in date order.
CREATE INDEX IF NOT EXISTS note_report ON note (occurred_on, author, minutes_spent, deleted_at);
-- IF NOT EXISTS: test fixtures that rewind a vault to an older schema (tests/security/v1_files.py)
-- drop the tables of later steps, not their indexes, then run those steps again.
