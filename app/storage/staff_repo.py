"""SQL for the staff table. Services call this; nothing above the services sees SQL."""


from uuid6 import uuid7

from app import clock
from app.domain.staff import Role, StaffMember

_COLUMNS = "id, username, full_name, role, active, last_unlock_at, passphrase_changed_at"


def _now() -> str:
    return clock.stamp()


def _member(row) -> StaffMember | None:
    if row is None:
        return None
    return StaffMember(row[0], row[1], row[2], Role(row[3]), bool(row[4]), row[5], row[6])


class StaffRepo:
    def __init__(self, conn):
        self.conn = conn

    def insert(self, username: str, full_name: str, role: Role, actor: str, at: str | None = None) -> StaffMember:
        at = at or _now()
        staff_id = str(uuid7())
        self.conn.execute(
            "INSERT INTO staff (id, username, full_name, role, active, created_at, created_by, "
            "updated_at, updated_by) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
            (staff_id, username, full_name, role.value, at, actor, at, actor))
        return self.get_by_id(staff_id)

    def get_by_id(self, staff_id: str) -> StaffMember | None:
        return _member(self.conn.execute(
            f"SELECT {_COLUMNS} FROM staff WHERE id = ? AND deleted_at IS NULL", (staff_id,)).fetchone())

    def get_by_username(self, username: str) -> StaffMember | None:
        return _member(self.conn.execute(
            f"SELECT {_COLUMNS} FROM staff WHERE username = ? AND deleted_at IS NULL",
            (username,)).fetchone())

    def list(self, include_inactive: bool = True) -> list[StaffMember]:
        where = "deleted_at IS NULL" + ("" if include_inactive else " AND active = 1")
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM staff WHERE {where} ORDER BY active DESC, full_name COLLATE NOCASE")
        return [_member(r) for r in rows]

    def count_active_managers(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM staff WHERE role = 'manager' AND active = 1 AND deleted_at IS NULL"
        ).fetchone()[0]

    def update(self, staff_id: str, actor: str, **fields) -> None:
        allowed = {"full_name", "role", "active"}
        sets = [f"{name} = ?" for name in fields if name in allowed]
        values = [fields[name] for name in fields if name in allowed]
        if len(sets) != len(fields):
            raise ValueError(f"unknown staff fields: {set(fields) - allowed}")
        self.conn.execute(
            f"UPDATE staff SET {', '.join(sets)}, updated_at = ?, updated_by = ?, version = version + 1 "
            "WHERE id = ?", (*values, _now(), actor, staff_id))

    def touch(self, staff_id: str, last_unlock_at: str | None = None,
              passphrase_changed_at: str | None = None) -> None:
        # Activity stamps are not edits of the record: version and updated_* stay as they are.
        if last_unlock_at:
            self.conn.execute("UPDATE staff SET last_unlock_at = ? WHERE id = ?", (last_unlock_at, staff_id))
        if passphrase_changed_at:
            self.conn.execute("UPDATE staff SET passphrase_changed_at = ? WHERE id = ?",
                              (passphrase_changed_at, staff_id))
