"""Conflicts held on this computer: list them, show both sides field by field, resolve them
(docs/sync.md §8). A resolution is an ordinary new change, captured and pushed like any edit."""

import json
from dataclasses import dataclass

from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import NotFound, ValidationError
from app.services.team import apply as applier
from app.services.team import capture, key_conflicts
from app.services.team.apply import utc_now
from app.services.team.merge import history, key_record, resolve, sets
from app.services.team.merge.schema import schema
from app.storage.capture import columns, primary_key
from app.storage.db import transaction

CHOICES = resolve.CHOICES


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
    context: str = ""           # the record in its place: "Note of 02/11/2026 by Casey Jones, case CAS-…"
    case_id: str | None = None  # the case it belongs to, if any


@dataclass(frozen=True)
class FieldSide:
    field: str
    base: object
    mine: object
    theirs: object
    conflicting: bool
    editable: bool = True       # a value a person may type (never a key)


@dataclass(frozen=True)
class ConflictDetail:
    summary: ConflictSummary
    fields: list[FieldSide]


def _summary(conn, row) -> ConflictSummary:
    key = json.loads(row["pk"])
    record_id = key[0] if len(key) == 1 else row["pk"]
    image = _img(row["theirs_img"]) or _img(row["mine_img"]) or _img(row["base_img"]) or {}
    case_id, words = _context(conn, row["tbl"], record_id, image)
    fields = ["passphrase"] if row["tbl"] in key_record.TABLES else json.loads(row["fields"])
    return ConflictSummary(row["id"], row["tbl"], record_id, row["kind"],
                           fields, row["mine_by"], row["mine_at"], row["theirs_by"],
                           row["theirs_at"], words, case_id)


RECORD_WORDS = {"person": "Person", "casefile": "Case", "note": "Note", "consent": "Consent",
                "enquiry": "Enquiry", "enquiry_topic": "Enquiry topics", "action": "Action",
                "staff": "Staff member", "disclosure": "Disclosure", "safeguarding_concern": "Safeguarding concern"}
DATE_COLUMNS = ("occurred_on", "due_on", "given_on", "disclosed_on", "raised_on", "received_at", "opened_on")
AUTHOR_COLUMNS = ("author", "created_by")


def _uk(iso) -> str:
    text = str(iso or "")
    return f"{text[8:10]}/{text[5:7]}/{text[0:4]}" if len(text) >= 10 else ""


def _staff_name(conn, username) -> str:
    row = conn.execute("SELECT full_name FROM staff WHERE username = ?", (username,)).fetchone()
    return row[0] if row else str(username)


def _context(conn, table: str, record_id: str, image: dict) -> tuple[str | None, str]:
    """(the case the record belongs to, a line placing it: what, when, by whom, which case)."""
    words = [RECORD_WORDS.get(table, table.replace("_", " ").capitalize())]
    if table in ("staff", "staff_key"):
        # Named for whose account it is, never for who first wrote the record (a manager).
        row = conn.execute("SELECT full_name FROM staff WHERE id = ?", (record_id,)).fetchone()
        name = row[0] if row else image.get("full_name") or "a member of staff"
        return None, f"Sign-in key of {name}" if table == "staff_key" else f"Staff member {name}"
    if table == "person":
        name = " ".join(str(image.get(k) or "") for k in ("first_name", "last_name")).strip()
        return None, f"Person: {name}" if name else "Person"
    case_id = record_id if table == "casefile" else image.get("case_id")
    enquiry_id = record_id if table == "enquiry" else image.get("enquiry_id")
    when = next((image.get(c) for c in DATE_COLUMNS if image.get(c)), None)
    if when and table != "casefile":
        words.append(f"of {_uk(when)}")
    author = next((image.get(c) for c in AUTHOR_COLUMNS if image.get(c)), None)
    if author and table not in ("casefile", "staff"):
        words.append(f"by {_staff_name(conn, author)}")
    if case_id:
        ref = conn.execute("SELECT reference FROM casefile WHERE id = ?", (case_id,)).fetchone()
        words.append(f"{'' if table == 'casefile' else 'in case '}{ref[0] if ref else 'not on this computer'}")
    elif enquiry_id:
        ref = conn.execute("SELECT reference FROM enquiry WHERE id = ?", (enquiry_id,)).fetchone()
        if ref:
            words.append(f"{'' if table == 'enquiry' else 'of enquiry '}{ref[0]}")
    return case_id, " ".join(words)


def _require(session) -> None:
    # Both sides of a conflict are case records: volunteers see neither.
    session.require(Role.MANAGER, Role.CASEWORKER)


@grants(Scope.CASEWORK)
def list_conflicts(session) -> list[ConflictSummary]:
    """May raise: PermissionDenied, Locked."""
    _require(session)
    return [_summary(session.conn, r) for r in session.conn.execute(
        "SELECT * FROM sync_conflict WHERE resolved_at IS NULL ORDER BY created_at, id")]


@grants(Scope.CASEWORK, "ids of records with a conflict waiting: what the record's screens mark")
def waiting_on(session, case_id: str | None = None, person_id: str | None = None) -> list[ConflictSummary]:
    """The open conflicts on a case's records (the case itself, its notes, actions,
    consents...) or on a person: each screen that shows one of them says a conflict waits.
    May raise: PermissionDenied."""
    return [c for c in list_conflicts(session)
            if (case_id is not None and c.case_id == case_id)
            or (person_id is not None and c.table == "person" and c.record_id == person_id)]


def _load(conn, conflict_id: str):
    row = conn.execute("SELECT * FROM sync_conflict WHERE id = ? AND resolved_at IS NULL",
                       (conflict_id,)).fetchone()
    if row is None:
        raise NotFound("That conflict does not exist or has already been resolved.")
    return row


def _img(text):
    return json.loads(text) if text else None


def _fields_in_conflict(conn, row, base, mine, theirs) -> tuple:
    rules = applier.rules_for(row["tbl"], mine or theirs or base or {})
    return resolve.in_conflict(row["kind"], json.loads(row["fields"]), base, mine, theirs, rules)


@grants(Scope.CASEWORK, "both sides are rows this computer's own user edited")
def conflict_detail(session, conflict_id: str) -> ConflictDetail:
    """Who changed what and when, both sides, field by field. `conflicting` marks the fields a
    person chooses; the others are shown for context and merge by themselves.

    May raise: NotFound, PermissionDenied."""
    _require(session)
    row = _load(session.conn, conflict_id)
    base, mine, theirs = _img(row["base_img"]), _img(row["mine_img"]), _img(row["theirs_img"])
    if row["tbl"] in key_record.TABLES:
        # Keys are never shown, nor chosen between: said in words, settled by rule.
        return ConflictDetail(_summary(session.conn, row), [FieldSide(
            "passphrase", *key_conflicts.detail(session.conn, row), True, editable=False)])
    conflicting = set(_fields_in_conflict(session.conn, row, base, mine, theirs))
    cols = columns(session.conn, row["tbl"])
    names = [c for c in cols if c not in capture.meta_of(cols)]
    sides = []
    for name in names:
        b, m, t = ((img or {}).get(name) for img in (base, mine, theirs))
        if m != t or name in conflicting:
            sides.append(FieldSide(name, b, m, t, name in conflicting))
    return ConflictDetail(_summary(session.conn, row), sides)


@grants(Scope.CASEWORK)
def resolve_conflict(session, conflict_id: str, take: str | None = None,
                     choices: dict[str, object] | None = None) -> None:
    """Settle a conflict (docs/sync.md §8.4). `take` ('mine' or 'theirs') decides every field in
    conflict; `choices` maps a field in conflict to 'mine', 'theirs' or ('edit', value). Fields
    not named take `take`, else 'mine'. Only the fields in conflict are written (and this
    computer's own uncontested edits); the side not chosen is kept in the record's history.

    May raise: NotFound, ValidationError, PermissionDenied.
    """
    _require(session)
    conn = session.conn
    row = _load(conn, conflict_id)
    if row["tbl"] in key_record.TABLES:
        # Whatever is chosen, the rule decides (docs/sync.md §12): choosing an old key pair over
        # a manager's reset would bring back the passphrase the reset shut out.
        with transaction(conn):
            if not key_conflicts.settle_held(conn, session.user.username, conflict_id):
                raise ValidationError(f"{_summary(conn, row).context} cannot be settled on this computer: ask a "
                                      "manager to reset this person's passphrase.")
            session.audit("conflict_resolved", row["tbl"], json.loads(row["pk"])[0])
        return
    if take is not None and take not in CHOICES:
        raise ValidationError("Choose 'mine' or 'theirs'.", field="take")
    choices = dict(choices or {})
    table, key = row["tbl"], json.loads(row["pk"])
    base, mine, theirs = _img(row["base_img"]), _img(row["mine_img"]), _img(row["theirs_img"])
    sides = [(theirs, row["theirs_by"], row["theirs_at"]), (mine, row["mine_by"], row["mine_at"])]
    sides += [(_img(r[0]), r[1], r[2]) for r in conn.execute(   # versions typed before it (apply._hold)
        "SELECT mine_img, mine_by, mine_at FROM sync_conflict WHERE tbl = ? AND pk = ? AND resolution = ? "
        "ORDER BY created_at", (table, row["pk"], json.dumps({"superseded": True})))]
    with transaction(conn):
        set_field = schema(conn).sets.get(table)
        if set_field is not None:
            current = sets.image(set_field, key, sets.members(conn, set_field, key))
        else:
            current = capture.current_image(conn, table, key)
        rules = applier.rules_for(table, mine or theirs or current or {})
        fields = _fields_in_conflict(conn, row, base, mine, theirs)
        keep = frozenset(primary_key(conn, table)) | {"created_at", "created_by"}
        if set_field is not None and any(isinstance(c, tuple | list) for c in choices.values()):
            raise ValidationError("Choose mine or theirs for a set of values; correct the record "
                                  "afterwards to change it.", field=sets.field_name(set_field))
        try:
            plan = resolve.resolve(row["kind"], base, mine, theirs, current, fields, choices, take or "mine",
                                   rules, keep)
        except resolve.NotInConflict as exc:
            raise ValidationError(f"{str(exc).replace('_', ' ').capitalize()} is not in conflict: it merges "
                                  "by itself.", field=str(exc)) from exc
        except resolve.BadChoice as exc:
            raise ValidationError(f"Choose mine, theirs or an edited value for {exc}.", field=str(exc)) from exc
        history.keep_conflict_versions(conn, table, key, sides + [(current, None, None)], plan.image)
        if set_field is not None:
            sets.write(conn, set_field, key, plan.image[sets.field_name(set_field)])
        else:
            _write(conn, table, key, current, plan.image, session.user.username, plan.fields)
        conn.execute("UPDATE sync_conflict SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
                     (utc_now(), session.user.username,
                      json.dumps({"take": take, "choices": {k: v if not isinstance(v, tuple) else list(v)
                                                            for k, v in choices.items()}}), conflict_id))
        session.audit("conflict_resolved", row["tbl"], key[0] if len(key) == 1 else None)


def _write(conn, table: str, key: list, current: dict | None, target: dict | None, by: str,
           fields: tuple = ("*",)) -> None:
    """An ordinary write, seen by the capture triggers. On an existing row only `fields` are
    set ('*': all), with a new version stamped by the resolver."""
    pk = primary_key(conn, table)
    where = " AND ".join(f"{c} = ?" for c in pk)
    if target is None:
        if current is not None:
            conn.execute(f"DELETE FROM {table} WHERE {where}", key)
        return
    have = columns(conn, table)
    values = {c: capture.decode_value(v) for c, v in target.items() if c in have}
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
    written = set(values) if "*" in fields else set(fields) | (capture.meta_of(values) if stamped else set())
    sets_ = [c for c in values if c not in pk and c in written]
    if not sets_:
        return
    conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in sets_)} WHERE {where}",
                 [values[c] for c in sets_] + list(key))
