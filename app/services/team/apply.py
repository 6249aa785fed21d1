"""Apply a remote entry's changes on top of this computer's pending ones (docs/sync.md §8.2).

Rows nobody here touched take the remote after image. Rows with pending local changes are
merged when the two sides changed disjoint fields; otherwise the row takes the remote version
(what every other computer has) and the local version waits in sync_conflict for a person.
"""

import json

from app import clock
from app.services.team import capture
from app.services.team.capture import Change, changed_fields
from app.storage.db import IntegrityError


def key_json(key: list) -> str:
    # Must equal what SQLite's json_array() writes in the triggers.
    return json.dumps(key, separators=(",", ":"), ensure_ascii=False)


def utc_now() -> str:
    return clock.precise_stamp()


def open_conflict(conn, table: str, kj: str):
    return conn.execute("SELECT id FROM sync_conflict WHERE tbl = ? AND pk = ? AND resolved_at IS NULL",
                        (table, kj)).fetchone()


def _merged_version(theirs: dict, mine: dict, base: dict) -> dict:
    merged = dict(mine)
    if capture.meta_of(mine) and all(isinstance(d.get("version"), int) for d in (theirs, mine, base)):
        merged["version"] = theirs["version"] + (mine["version"] - base["version"])
    return merged


def _is_delete(before: dict | None, after: dict | None) -> bool:
    """A hard delete, or a soft delete (deleted_at set)."""
    if after is None:
        return before is not None
    return bool(after.get("deleted_at")) and not (before or {}).get("deleted_at")


def apply_change(conn, ch: Change, origin: dict, pending_keys: set, held_keys: set) -> bool:
    """Apply one remote change. Returns True when it raised a conflict. `pending_keys` and
    `held_keys` are the (table, key) pairs with local changes and with open conflicts."""
    kj = key_json(ch.key)
    pending = (ch.table, kj) in pending_keys
    held = open_conflict(conn, ch.table, kj) if (ch.table, kj) in held_keys else None
    if not pending:
        raised = write_remote(conn, ch, origin, pending_keys) if ch.after is not None else (
            capture.write_image(conn, ch.table, ch.key, None) or False)
        if held:
            # The row follows the log; the person resolving sees the newest remote version.
            conn.execute("UPDATE sync_conflict SET theirs_img = ?, theirs_by = ?, theirs_at = ?, "
                         "theirs_device = ?, theirs_seq = ? WHERE id = ?",
                         (json.dumps(ch.after) if ch.after is not None else None, ch.by, ch.at,
                          origin["device"], origin["seq"], held[0]))
        return raised
    base = capture.base_image(conn, ch.table, kj)
    mine = capture.current_image(conn, ch.table, ch.key)
    theirs_changed = changed_fields(ch.before, ch.after)
    mine_changed = changed_fields(base, mine)
    if base is not None and mine is not None and not mine_changed:
        # Only bookkeeping moved here (a save with no real change): theirs simply applies.
        capture.drop_pending(conn, ch.table, kj)
        capture.write_image(conn, ch.table, ch.key, ch.after)
        return False
    if ch.after is None and mine is None:
        capture.drop_pending(conn, ch.table, kj)       # both deleted it: nothing left to say
        return False
    if ch.after is not None and mine is not None:
        deleting = _is_delete(ch.before, ch.after) or _is_delete(base, mine)
        if ch.before is None and base is None:
            overlap = {f for f in set(mine) | set(ch.after)
                       if f not in capture.meta_of(mine) and mine.get(f) != ch.after.get(f)}
            overlap -= {"created_at", "created_by"}
            if not overlap:
                capture.drop_pending(conn, ch.table, kj)   # the same row made on both sides
                capture.write_image(conn, ch.table, ch.key, ch.after)
                return False
        elif deleting and theirs_changed and mine_changed:
            overlap = theirs_changed | mine_changed
        else:
            stamps = capture.LATEST_WINS.get(ch.table, frozenset())
            overlap = {f for f in theirs_changed & mine_changed
                       if mine.get(f) != ch.after.get(f) and f not in stamps}
            if not overlap and base is not None and ch.before is not None:
                merged = _merged_version(ch.after, mine, base)
                for f in theirs_changed:
                    merged[f] = ch.after.get(f)
                    if f in stamps and f in mine_changed:
                        merged[f] = max(v for v in (mine.get(f), ch.after.get(f)) if v is not None)
                capture.write_image(conn, ch.table, ch.key, merged)
                capture.set_base(conn, ch.table, kj, ch.after)
                return False
        kind = "edit"
    else:
        overlap = theirs_changed | mine_changed
        kind = "delete_theirs" if ch.after is None else "delete_mine"
    _hold(conn, ch, kind, sorted(overlap), base, mine, origin)
    capture.drop_pending(conn, ch.table, kj)
    capture.write_image(conn, ch.table, ch.key, ch.after)
    return True


def write_remote(conn, ch: Change, origin: dict, pending_keys: set) -> bool:
    """Write a remote row nobody here touched. When it collides on a unique key with a row made
    here and not yet pushed (the same withdrawal, revision or relationship recorded on two
    computers), theirs is kept, ours waits as a 'duplicate' conflict. Returns True then.

    May raise: IntegrityError (a collision with a row already on the hub: the entry is refused)."""
    conn.execute("SAVEPOINT remote_row")
    try:
        capture.write_image(conn, ch.table, ch.key, ch.after)
    except IntegrityError as exc:
        conn.execute("ROLLBACK TO remote_row")
        conn.execute("RELEASE remote_row")
        mine_key = _colliding_pending_row(conn, ch, str(exc), pending_keys)
        if mine_key is None:
            raise
        mine = capture.current_image(conn, ch.table, mine_key)
        fields = [c for c in _unique_columns(str(exc), ch.table)]
        mine_kj = key_json(mine_key)
        capture.drop_pending(conn, ch.table, mine_kj)
        pending_keys.discard((ch.table, mine_kj))
        capture.write_image(conn, ch.table, mine_key, None)
        if not _same_fact(conn, ch.table, mine, ch.after):
            _hold(conn, ch, "duplicate", fields, None, mine, origin)
        capture.write_image(conn, ch.table, ch.key, ch.after)
        return True
    conn.execute("RELEASE remote_row")
    return False


def _same_fact(conn, table: str, mine: dict | None, theirs: dict | None) -> bool:
    """Two rows that differ only in their id, in a table no other row points at: the same
    fact recorded on both computers (the kept text of a note both sides edited from the same
    version). Keeping theirs loses nothing, so there is nothing for a person to choose."""
    from app.storage.capture import primary_key

    if mine is None or theirs is None:
        return False
    pk = set(primary_key(conn, table))
    if any(r[2] == table for t in _tables(conn) for r in conn.execute(f"PRAGMA foreign_key_list({t})")):
        return False
    return ({k: v for k, v in mine.items() if k not in pk} == {k: v for k, v in theirs.items() if k not in pk})


def _tables(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                       "name NOT LIKE 'sqlite_%'")]


def _unique_columns(message: str, table: str) -> list[str]:
    # "UNIQUE constraint failed: note_revision.note_id, note_revision.version"
    if "UNIQUE constraint failed:" not in message:
        return []
    names = message.split("UNIQUE constraint failed:", 1)[1].split(",")
    return [n.strip().split(".", 1)[1] for n in names if n.strip().startswith(table + ".")]


def _colliding_pending_row(conn, ch: Change, message: str, pending_keys: set) -> list | None:
    cols = _unique_columns(message, ch.table)
    if not cols or any(c not in ch.after for c in cols):
        return None
    from app.storage.capture import primary_key

    pk = primary_key(conn, ch.table)
    where = " AND ".join(f"{c} IS ?" for c in cols)
    for row in conn.execute(f"SELECT {', '.join(pk)} FROM {ch.table} WHERE {where}",
                            [capture.decode_value(ch.after[c]) for c in cols]):
        key = list(row)
        if (ch.table, key_json(key)) in pending_keys:
            return key
    return None


def _hold(conn, ch: Change, kind: str, fields: list, base, mine, origin: dict) -> None:
    from uuid6 import uuid7

    kj = key_json(ch.key)
    held = open_conflict(conn, ch.table, kj)
    if held:
        conn.execute("DELETE FROM sync_conflict WHERE id = ?", (held[0],))
    mine_by = (mine or base or {}).get("updated_by")
    mine_at = conn.execute("SELECT max(at) FROM sync_outbox WHERE tbl = ? AND pk = ?",
                           (ch.table, kj)).fetchone()[0]
    conn.execute(
        "INSERT INTO sync_conflict (id, tbl, pk, kind, fields, base_img, mine_img, theirs_img, mine_by, "
        "mine_at, theirs_by, theirs_at, theirs_device, theirs_seq, created_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (str(uuid7()), ch.table, kj, kind, json.dumps(fields), _dump(base), _dump(mine),
         _dump(ch.after), mine_by, mine_at, ch.by or (ch.after or {}).get("updated_by"),
         ch.at or (ch.after or {}).get("updated_at"), origin["device"], origin["seq"], utc_now()))


def _dump(image):
    return json.dumps(image) if image is not None else None


# What the local search index is made of (people._index, a case's title, a note's entry;
# see snapshot.index_everything): a remote edit to a row nobody here touched that changes
# none of these leaves the index as it was. tests/team/test_sync_search.py compares the index
# after sync with a full rebuild.
SEARCH_READS = {
    "person": frozenset({"first_name", "last_name", "known_as", "school_name", "area", "postcode"}),
    "casefile": frozenset({"reference", "client_id", "child_id"}),
    "note": frozenset({"body", "case_id"}),
}
CASE_TITLE_READS = frozenset({"first_name", "last_name"})    # a case's title names its people


def _touches(ch: Change, fields: frozenset) -> bool:
    """An insert or a delete touches everything; an edit, the fields whose value it changed."""
    if ch.before is None or ch.after is None:
        return True
    return any(ch.before.get(f) != ch.after.get(f) for f in fields)


def changes_search(ch: Change) -> bool:
    return _touches(ch, SEARCH_READS.get(ch.table, frozenset()))


def changes_case_titles(ch: Change) -> bool:
    return ch.table == "person" and _touches(ch, CASE_TITLE_READS)


def reindex(conn, touched, rows: dict | None = None, renamed: set | None = None) -> None:
    """Rebuild the local search index for the people, cases and notes an entry touched, in
    bulk (search_build.reindex_ids). `rows` is no longer needed (kept for callers).
    `renamed`: the people whose cases' titles must be rebuilt too (default: every touched person)."""
    from app.services.team import search_build

    person_ids = [record_id for table, record_id in touched if table == "person"]
    named = [p for p in person_ids if renamed is None or p in renamed]
    named += [p for p in (renamed or ()) if ("person", p) not in touched]
    case_ids = {record_id for table, record_id in touched if table == "casefile"}
    for i in range(0, len(named), 400):
        chunk = named[i:i + 400]
        marks = ", ".join("?" for _ in chunk)
        # A person's name is in their cases' titles. Two indexed lookups: OR would scan.
        case_ids.update(r[0] for r in conn.execute(
            f"SELECT id FROM casefile WHERE client_id IN ({marks}) UNION "
            f"SELECT id FROM casefile WHERE child_id IN ({marks})", chunk + chunk))
    search_build.reindex_ids(conn, "person", person_ids)
    search_build.reindex_ids(conn, "case", case_ids)
    search_build.reindex_ids(conn, "note", [record_id for table, record_id in touched if table == "note"])
