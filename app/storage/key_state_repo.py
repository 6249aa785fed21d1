"""SQL for the key generation and the staff public keys. Services call this."""

import json

from app import clock


def _now() -> str:
    return clock.stamp()


class KeyStateRepo:
    def __init__(self, conn):
        self.conn = conn

    def get(self) -> tuple[int, str, str | None]:
        """(generation, key id, reason a re-key is owed or None)."""
        row = self.conn.execute("SELECT generation, key_id, rekey_due FROM key_state WHERE id = 1").fetchone()
        return (int(row[0]), row[1], row[2]) if row else (0, "", None)

    def set_generation(self, generation: int, key_id: str | None = None) -> None:
        if key_id is None:
            self.conn.execute("UPDATE key_state SET generation = ?, updated_at = ? WHERE id = 1",
                              (generation, _now()))
        else:
            self.conn.execute("UPDATE key_state SET generation = ?, key_id = ?, updated_at = ? WHERE id = 1",
                              (generation, key_id, _now()))

    def owe_rekey(self, reason: str) -> None:
        self.conn.execute("UPDATE key_state SET rekey_due = ?, updated_at = ? WHERE id = 1", (reason, _now()))

    def clear_rekey(self) -> None:
        self.conn.execute("UPDATE key_state SET rekey_due = NULL, updated_at = ? WHERE id = 1", (_now(),))

    def put_staff_key(self, staff_id: str, public_b64: str, private_wrap: dict, actor: str) -> None:
        now = _now()
        wrap = json.dumps(private_wrap, sort_keys=True)
        self.conn.execute(
            "INSERT INTO staff_key (id, public_key, private_wrap, created_at, created_by, updated_at, "
            "updated_by) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "public_key = excluded.public_key, private_wrap = excluded.private_wrap, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by, version = version + 1",
            (staff_id, public_b64, wrap, now, actor, now, actor))

    def public_key(self, staff_id: str) -> str | None:
        row = self.conn.execute("SELECT public_key FROM staff_key WHERE id = ? AND deleted_at IS NULL",
                                (staff_id,)).fetchone()
        return row[0] if row else None

    def active_usernames(self) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT username FROM staff WHERE active = 1 AND deleted_at IS NULL")}

    def inactive_usernames(self) -> set[str]:
        return {r[0] for r in self.conn.execute(
            "SELECT username FROM staff WHERE active = 0 AND deleted_at IS NULL")}
