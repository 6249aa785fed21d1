-- Schema 4: consent (R5, R6, R10), withdrawals, the disclosure log (R7), managers' review of
-- overrides, and the mailing list.
--
-- Consents, withdrawals and disclosures are records of what happened, so they are never
-- edited: a change is a new row. Triggers refuse any UPDATE that touches a substantive
-- column; only the soft-delete stamps (deleted_at, updated_at, updated_by, version) may
-- change, which a later, audited erasure needs.

CREATE TABLE consent (
    id TEXT PRIMARY KEY,
    -- The case it was recorded in. Sharing and records scopes always belong to a case; the
    -- contact scopes (mailing list, voicemail ...) may be recorded outside one.
    case_id TEXT REFERENCES casefile(id),
    -- Whose information or contact details it is about: the case's child for sharing and
    -- records, the person themself for the contact scopes.
    subject_id TEXT NOT NULL REFERENCES person(id),
    given_by_id TEXT NOT NULL REFERENCES person(id),
    capacity TEXT NOT NULL CHECK (capacity IN ('self', 'parental_responsibility', 'representative')),
    capacity_note TEXT,
    scope TEXT NOT NULL CHECK (scope IN ('share_with', 'obtain_records', 'mailing_list',
                                         'contact_at_work', 'voicemail', 'messages_via_family')),
    counterparty_person_id TEXT REFERENCES person(id),
    -- For a named professional, their organisation when consent was given: the consent does
    -- not follow them to a new employer.
    counterparty_organisation_id TEXT REFERENCES organisation(id),
    purpose TEXT,
    -- The exact words shown: the template's name and version, and the text as rendered.
    wording_name TEXT NOT NULL,
    wording_version TEXT NOT NULL,
    wording_text TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('signed_on_screen', 'written_form', 'verbal_in_person',
                                           'verbal_phone')),
    signed_name TEXT,
    -- Pen strokes (app/domain/signature.py), never an image file.
    signature BLOB,
    given_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    -- Consents given together (one signature, several scopes) share a batch id.
    batch_id TEXT NOT NULL,
    -- A change to a consent is a new consent that names the one it replaces.
    replaces_id TEXT REFERENCES consent(id),
    note TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK (expires_on > given_on),
    CHECK (method != 'signed_on_screen' OR signature IS NOT NULL),
    CHECK (scope NOT IN ('share_with', 'obtain_records') OR (case_id IS NOT NULL AND
           (counterparty_person_id IS NOT NULL OR counterparty_organisation_id IS NOT NULL)))
);
CREATE INDEX consent_case_scope ON consent (case_id, scope);
CREATE INDEX consent_subject_scope ON consent (subject_id, scope);
CREATE INDEX consent_expires ON consent (expires_on);
CREATE INDEX consent_batch ON consent (batch_id);
-- A consent is replaced at most once; the newer one may itself be replaced later.
CREATE UNIQUE INDEX consent_replaces ON consent (replaces_id) WHERE replaces_id IS NOT NULL;

CREATE TRIGGER consent_never_edited BEFORE UPDATE ON consent
WHEN NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id OR NEW.subject_id IS NOT OLD.subject_id
  OR NEW.given_by_id IS NOT OLD.given_by_id OR NEW.capacity IS NOT OLD.capacity
  OR NEW.capacity_note IS NOT OLD.capacity_note OR NEW.scope IS NOT OLD.scope
  OR NEW.counterparty_person_id IS NOT OLD.counterparty_person_id
  OR NEW.counterparty_organisation_id IS NOT OLD.counterparty_organisation_id
  OR NEW.purpose IS NOT OLD.purpose OR NEW.wording_name IS NOT OLD.wording_name
  OR NEW.wording_version IS NOT OLD.wording_version OR NEW.wording_text IS NOT OLD.wording_text
  OR NEW.method IS NOT OLD.method OR NEW.signed_name IS NOT OLD.signed_name
  OR NEW.signature IS NOT OLD.signature OR NEW.given_on IS NOT OLD.given_on
  OR NEW.expires_on IS NOT OLD.expires_on OR NEW.batch_id IS NOT OLD.batch_id
  OR NEW.replaces_id IS NOT OLD.replaces_id OR NEW.note IS NOT OLD.note
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN SELECT RAISE(ABORT, 'a consent is never edited: record a new consent, or a withdrawal'); END;

-- At most one withdrawal per consent; it takes effect from withdrawn_on.
CREATE TABLE consent_withdrawal (
    id TEXT PRIMARY KEY,
    consent_id TEXT NOT NULL UNIQUE REFERENCES consent(id),
    withdrawn_on TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('verbal_phone', 'verbal_in_person', 'in_writing')),
    note TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

CREATE TRIGGER consent_withdrawal_never_edited BEFORE UPDATE ON consent_withdrawal
WHEN NEW.id IS NOT OLD.id OR NEW.consent_id IS NOT OLD.consent_id
  OR NEW.withdrawn_on IS NOT OLD.withdrawn_on OR NEW.method IS NOT OLD.method
  OR NEW.note IS NOT OLD.note OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by
BEGIN SELECT RAISE(ABORT, 'a withdrawal is never edited'); END;

-- The disclosure log (R7): information given to a third party, and requests for records
-- (asking for records also tells the holder that the family came to us).
CREATE TABLE disclosure (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES casefile(id),
    kind TEXT NOT NULL CHECK (kind IN ('share', 'records_request')),
    counterparty_person_id TEXT REFERENCES person(id),
    counterparty_organisation_id TEXT REFERENCES organisation(id),
    disclosed_on TEXT NOT NULL,
    channel TEXT NOT NULL,
    what TEXT NOT NULL,
    basis TEXT NOT NULL CHECK (basis IN ('consent', 'override')),
    consent_id TEXT REFERENCES consent(id),
    lawful_reason TEXT CHECK (lawful_reason IN ('statutory_duty', 'safeguarding', 'vital_interests')),
    justification TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    CHECK (counterparty_person_id IS NOT NULL OR counterparty_organisation_id IS NOT NULL),
    CHECK ((basis = 'consent' AND consent_id IS NOT NULL AND lawful_reason IS NULL)
        OR (basis = 'override' AND consent_id IS NULL AND lawful_reason IS NOT NULL
            AND length(justification) > 0))
);
CREATE INDEX disclosure_case ON disclosure (case_id, disclosed_on);
CREATE INDEX disclosure_override ON disclosure (basis) WHERE basis = 'override';

CREATE TRIGGER disclosure_never_edited BEFORE UPDATE ON disclosure
WHEN NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id OR NEW.kind IS NOT OLD.kind
  OR NEW.counterparty_person_id IS NOT OLD.counterparty_person_id
  OR NEW.counterparty_organisation_id IS NOT OLD.counterparty_organisation_id
  OR NEW.disclosed_on IS NOT OLD.disclosed_on OR NEW.channel IS NOT OLD.channel
  OR NEW.what IS NOT OLD.what OR NEW.basis IS NOT OLD.basis OR NEW.consent_id IS NOT OLD.consent_id
  OR NEW.lawful_reason IS NOT OLD.lawful_reason OR NEW.justification IS NOT OLD.justification
  OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by IS NOT OLD.created_by
BEGIN SELECT RAISE(ABORT, 'the disclosure log is never edited'); END;

-- A manager's review of an override (reviewed_by is created_by).
CREATE TABLE override_review (
    id TEXT PRIMARY KEY,
    disclosure_id TEXT NOT NULL UNIQUE REFERENCES disclosure(id),
    note TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);

-- Membership follows the mailing-list consent (R10): withdrawing it sets left_on.
CREATE TABLE mailing_list_member (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id),
    consent_id TEXT NOT NULL REFERENCES consent(id),
    joined_on TEXT NOT NULL,
    left_on TEXT,
    left_reason TEXT,
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT
);
CREATE UNIQUE INDEX mailing_list_current ON mailing_list_member (person_id)
    WHERE left_on IS NULL AND deleted_at IS NULL;
