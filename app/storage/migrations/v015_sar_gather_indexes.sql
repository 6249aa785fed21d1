-- Schema 15: a subject access request finds the subject's records through indexes.
-- Gathering them scanned every enquiry (no index on child_id) and every consent with its
-- wording (none on given_by_id), three times per pack: seconds on a 50,000-case database.
-- IF NOT EXISTS: test fixtures that rewind a vault to an older schema (tests/security/v1_files.py)
-- drop the tables of later steps, not the indexes of earlier tables, then run the steps again.
CREATE INDEX IF NOT EXISTS enquiry_child ON enquiry (child_id);
CREATE INDEX IF NOT EXISTS consent_given_by ON consent (given_by_id);
