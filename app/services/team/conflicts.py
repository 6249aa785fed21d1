"""Conflicts held on this computer: list them, show both sides field by field, resolve them
(docs/sync.md §8). A resolution is an ordinary new change, captured and pushed like any edit."""

import json
from dataclasses import dataclass

from app.domain.staff import Role
from app.errors import NotFound, ValidationError
from app.services.team import capture
from app.services.team.apply import utc_now
from app.storage.capture import columns, primary_key
from app.storage.db import transaction

CHOICES = ("mine", "theirs")


@dataclass(frozen=True)
class ConflictSummary:
    id: str
    table: str
    record_id: str
    kind: str
    fields: list[str]
    mine_by: str | None
    mine_at: str | None
    theirs_by: str | None
    theirs_at: str | None


@dataclass(frozen=True)
class FieldSide:
    field: str
    base: object
    mine: object
    theirs: object
    conflicting: bool


@dataclass(frozen=True)
class ConflictDetail:
    summary: ConflictSummary
    fields: list[FieldSide]


def _summary(row) -> ConflictSummary:
    key = json.loads(row["pk"])
    return ConflictSummary(row["id"], row["tbl"], key[0] if len(key) == 1 else row["pk"], row["kind"],
                           json.loads(row["fields"]), row["mine_by"], row["mine_at"], row["theirs_by"],
                           row["theirs_at"])


def _require(session) -> None:
    # Both sides of a conflict are case records: volunteers see neither.
    session.require(Role.MANAGER, Role.CASEWORKER)


def list_conflicts(session) -> list[ConflictSummary]:
    """May raise: PermissionDenied, Locked."""
    _require(session)
    return [_summary(r) for r in session.conn.execute(
        "SELECT * FROM sync_conflict WHERE resolved_at IS NULL ORDER BY created_at, id")]


def _load(conn, conflict_id: str):
    row = conn.execute("SELECT * FROM sync_conflict WHERE id = ? AND resolved_at IS NULL",
                       (conflict_id,)).fetchone()
    if row is None:
        raise NotFound("That conflict does not exist or has already been resolved.")
    return row


def _img(text):
    return json.loads(text) if text else None


def conflict_detail(session, conflict_id: str) -> ConflictDetail:
    """Who changed what and when, both sides, field by field. May raise: NotFound, PermissionDenied."""
    _require(session)
    row = _load(session.conn, conflict_id)
    base, mine, theirs = _img(row["base_img"]), _img(row["mine_img"]), _img(row["theirs_img"])
    conflicting = set(json.loads(row["fields"]))
    cols = columns(session.conn, row["tbl"])
    names = [c for c in cols if c not in capture.meta_of(cols)]
    sides = []
    for name in names:
        b, m, t = ((img or {}).get(name) for img in (base, mine, theirs))
        if m != t or name in conflicting:
            sides.append(FieldSide(name, b, m, t, name in conflicting))
    return ConflictDetail(_summary(row), sides)


def resolve_conflict(session, conflict_id: str, take: str | None = None,
                     choices: dict[str, object] | None = None) -> None:
    """Settle a conflict. `take` ('mine' or 'theirs') decides every field; `choices` maps a
    field to 'mine', 'theirs' or ('edit', value). Fields not named take `take`, else 'mine'.

    May raise: NotFound, ValidationError, PermissionDenied.
    """
    _require(session)
    conn = session.conn
    row = _load(conn, conflict_id)
    if take is not None and take not in CHOICES:
        raise ValidationError("Choose 'mine' or 'theirs'.", field="take")
    choices = dict(choices or {})
    table, key = row["tbl"], json.loads(row["pk"])
    mine, theirs = _img(row["mine_img"]), _img(row["theirs_img"])
    default = take or "mine"
    whole = choices.pop("*", default)
    with transaction(conn):
        current = capture.current_image(conn, table, key)
        if row["kind"] == "duplicate":
            # The same record made on two computers: theirs stays; 'mine' carries my values over.
            target = dict(current or theirs)
            if whole == "mine" and mine is not None:
                keep = set(primary_key(conn, table)) | {"created_at", "created_by"} | capture.meta_of(mine)
                target.update({k: v for k, v in mine.items() if k not in keep})
        elif mine is None or theirs is None:
            target = mine if whole == "mine" else theirs
        else:
            target = dict(current or theirs)
            for name in set(mine) | set(theirs):
                if name in capture.meta_of(theirs):
                    continue
                choice = choices.get(name, default)
                if isinstance(choice, tuple) and choice and choice[0] == "edit":
                    target[name] = choice[1]
                elif choice == "mine":
                    target[name] = mine.get(name)
                elif choice == "theirs":
                    target[name] = theirs.get(name)
                else:
                    raise ValidationError(f"Choose mine, theirs or an edited value for {name}.",
                                          field=name)
        _write(conn, table, key, current, target, session.user.username)
        conn.execute("UPDATE sync_conflict SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
                     (utc_now(), session.user.username,
                      json.dumps({"take": take, "choices": {k: v if not isinstance(v, tuple) else list(v)
                                                            for k, v in choices.items()}}), conflict_id))
        session.audit("conflict_resolved", row["tbl"], key[0] if len(key) == 1 else None)


def _write(conn, table: str, key: list, current: dict | None, target: dict | None, by: str) -> None:
    """An ordinary write, seen by the capture triggers."""
    pk = primary_key(conn, table)
    where = " AND ".join(f"{c} = ?" for c in pk)
    if target is None:
        if current is not None:
            conn.execute(f"DELETE FROM {table} WHERE {where}", key)
        return
    values = {c: capture.decode_value(v) for c, v in target.items() if c in columns(conn, table)}
    stamped = "updated_at" in values      # record stamps (docs/architecture.md, "Data rules"): a new version by us
    if stamped:
        values["updated_at"] = utc_now()[:19] + "+00:00"
        values["updated_by"] = by
    if current is None:
        if stamped and "version" in values:
            values["version"] = int(values.get("version") or 0) + 1
        cols = list(values)
        conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                     [values[c] for c in cols])
        return
    if stamped and "version" in values:
        values["version"] = int(current.get("version") or 0) + 1
    sets = [c for c in values if c not in pk]
    conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in sets)} WHERE {where}",
                 [values[c] for c in sets] + list(key))
