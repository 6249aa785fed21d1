-- Schema 24: easy-read consent (docs/accessibility.md, "Easy-read consent").
-- A consent records whether the easy-read words were the ones agreed to; its wording_name
-- and wording_version already name which words, and wording_text keeps them as shown.
ALTER TABLE consent ADD COLUMN easy_read INTEGER NOT NULL DEFAULT 0 CHECK (easy_read IN (0, 1));

-- Wording the manager wrote: a new version of a consent text (standard or easy read), above
-- the versions shipped in resources/wording. Never edited in place: a change is a new number,
-- so every consent keeps pointing at the words it was given under. Replicated to the team.
CREATE TABLE consent_wording (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number >= 1),
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at TEXT NOT NULL, created_by TEXT, updated_at TEXT NOT NULL, updated_by TEXT,
    version INTEGER NOT NULL DEFAULT 1, deleted_at TEXT,
    UNIQUE (name, number)
);
