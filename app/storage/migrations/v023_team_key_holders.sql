-- Schema 23: no data change; a team computer whose team keys were made before volunteers were
-- left out of them (their person half was sealed to volunteers too) notes that it does not know
-- who holds the current key, so a manager's computer makes a new one at its next sync
-- (app/services/team/key_holders.py; docs/security.md "Who holds what"). sync_state is local.
INSERT INTO sync_state (key, value)
SELECT 'team_key_holders_unknown', 'true'
WHERE EXISTS (SELECT 1 FROM sync_state WHERE key = 'team_id')
  AND EXISTS (SELECT 1 FROM sync_epoch WHERE epoch > 1);
