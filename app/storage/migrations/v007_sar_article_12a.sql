-- Schema 7: subject access under Article 12A UK GDPR and the parent's authority for a young
-- person's data; a review is completed before any pack is made.

-- Each clarification that stopped the clock, as a JSON list of [asked_on, received_on]
-- (ISO dates). The latest request for clarification stays in clarification_requested_on
-- until its answer arrives.
ALTER TABLE subject_access_request ADD COLUMN clarification_pauses TEXT NOT NULL DEFAULT '[]';
UPDATE subject_access_request
   SET clarification_pauses = json_array(json_array(clarification_requested_on, clarification_received_on))
 WHERE clarification_requested_on IS NOT NULL AND clarification_received_on IS NOT NULL;

-- A parent asking for the data of a young person aged 16+ (or a child competent to decide):
-- the young person's authority, or a manager's decision with its reason.
ALTER TABLE subject_access_request ADD COLUMN child_competent INTEGER;
ALTER TABLE subject_access_request ADD COLUMN child_authority TEXT
    CHECK (child_authority IN ('young_person', 'manager_decision'));
ALTER TABLE subject_access_request ADD COLUMN child_authority_note TEXT;
ALTER TABLE subject_access_request ADD COLUMN child_authority_by TEXT;
ALTER TABLE subject_access_request ADD COLUMN child_authority_on TEXT;

-- Who completed the review, when, and a fingerprint of what they saw (items, texts,
-- decisions, redactions): a pack is made only while it still matches.
ALTER TABLE subject_access_request ADD COLUMN review_completed_at TEXT;
ALTER TABLE subject_access_request ADD COLUMN review_completed_by TEXT;
ALTER TABLE subject_access_request ADD COLUMN review_fingerprint TEXT;
