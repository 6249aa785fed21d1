"""Insert, update and soft-delete rows with the columns every record carries (docs/architecture.md, "Data rules").

Table and column names come from the code, never from input: `_check_name` enforces it.
"""

import json
import re

from uuid6 import uuid7

from app import clock

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def _check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a column or table name: {name!r}")
    return name


def utc_now() -> str:
    return clock.stamp()


def new_id() -> str:
    return str(uuid7())


def insert(conn, table: str, values: dict, actor: str, *, record_id: str | None = None,
           at: str | None = None) -> str:
    at = at or utc_now()
    row = {"id": record_id or new_id(), **values, "created_at": at, "created_by": actor,
           "updated_at": at, "updated_by": actor}
    columns = ", ".join(_check_name(c) for c in row)
    marks = ", ".join(f":{c}" for c in row)
    conn.execute(f"INSERT INTO {_check_name(table)} ({columns}) VALUES ({marks})", row)
    return row["id"]


def update(conn, table: str, record_id: str, values: dict, actor: str,
           expected_version: int | None = None) -> int:
    """Change fields and bump `version`. With `expected_version`, refuse a stale edit."""
    sets = ", ".join(f"{_check_name(c)} = :{c}" for c in values)
    params = {**values, "_id": record_id, "_at": utc_now(), "_by": actor}
    where = "id = :_id AND deleted_at IS NULL"
    if expected_version is not None:
        where += " AND version = :_version"
        params["_version"] = expected_version
    cursor = conn.execute(
        f"UPDATE {_check_name(table)} SET {sets}{', ' if sets else ''}updated_at = :_at, "
        f"updated_by = :_by, version = version + 1 WHERE {where}", params)
    return cursor.rowcount


def fetch(conn, table: str, record_id: str):
    return conn.execute(f"SELECT * FROM {_check_name(table)} WHERE id = ? AND deleted_at IS NULL",
                        (record_id,)).fetchone()


def next_reference(conn, prefix: str, year: int, digits: int = 5) -> str:
    """ENQ-2026-00012 style: per prefix and year, inside the caller's transaction."""
    conn.execute(
        "INSERT INTO reference_counter (prefix, year, value) VALUES (?, ?, 1) "
        "ON CONFLICT(prefix, year) DO UPDATE SET value = value + 1", (prefix, year))
    value = conn.execute("SELECT value FROM reference_counter WHERE prefix = ? AND year = ?",
                         (prefix, year)).fetchone()[0]
    return f"{prefix}-{year}-{_reference_tag(conn)}{value:0{digits}d}"


def _reference_tag(conn) -> str:
    """On a team vault each computer hands out its own numbers, so computer k > 1 adds its
    letter: two computers offline never make the same reference (docs/sync.md §11)."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = 'reference_tag'").fetchone()
    return json.loads(row[0]) if row else ""
