-- Schema 2: when each account last unlocked and last changed its passphrase (staff screen).
ALTER TABLE staff ADD COLUMN last_unlock_at TEXT;
ALTER TABLE staff ADD COLUMN passphrase_changed_at TEXT;
