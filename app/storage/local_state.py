"""This computer's own key-value state (the `sync_state` table, never replicated): the team's
sync state (app/services/team/state.py) and the last backup's time. Here, not with the
team's code, so that the unlock screen's modules (the last backup's line) need none of it."""

import json


def get(conn, key: str, default=None):
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def put(conn, key: str, value) -> None:
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                 "SET value = excluded.value", (key, json.dumps(value)))
