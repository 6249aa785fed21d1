"""Apply a remote entry's changes on top of this computer's pending ones (docs/sync.md §8.2).

Rows nobody here touched take the remote after image. Rows with pending local changes are
merged when the two sides changed disjoint fields; otherwise the row takes the remote version
(what every other computer has) and the local version waits in sync_conflict for a person.
"""

import json
from datetime import UTC, datetime

from app.services.team import capture
from app.services.team.capture import Change, changed_fields
from app.storage import search_index


def key_json(key: list) -> str:
    # Must equal what SQLite's json_array() writes in the triggers.
    return json.dumps(key, separators=(",", ":"), ensure_ascii=False)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def open_conflict(conn, table: str, kj: str):
    return conn.execute("SELECT id FROM sync_conflict WHERE tbl = ? AND pk = ? AND resolved_at IS NULL",
                        (table, kj)).fetchone()


def _merged_version(theirs: dict, mine: dict, base: dict) -> dict:
    merged = dict(mine)
    if all(isinstance(d.get("version"), int) for d in (theirs, mine, base)):
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
        capture.write_image(conn, ch.table, ch.key, ch.after)
        if held:
            # The row follows the log; the person resolving sees the newest remote version.
            conn.execute("UPDATE sync_conflict SET theirs_img = ?, theirs_by = ?, theirs_at = ?, "
                         "theirs_device = ?, theirs_seq = ? WHERE id = ?",
                         (json.dumps(ch.after) if ch.after is not None else None, ch.by, ch.at,
                          origin["device"], origin["seq"], held[0]))
        return False
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
                       if f not in capture.META and mine.get(f) != ch.after.get(f)}
            overlap -= {"created_at", "created_by"}
            if not overlap:
                capture.drop_pending(conn, ch.table, kj)   # the same row made on both sides
                capture.write_image(conn, ch.table, ch.key, ch.after)
                return False
        elif deleting and theirs_changed and mine_changed:
            overlap = theirs_changed | mine_changed
        else:
            overlap = {f for f in theirs_changed & mine_changed if mine.get(f) != ch.after.get(f)}
            if not overlap and base is not None and ch.before is not None:
                merged = _merged_version(ch.after, mine, base)
                for f in theirs_changed:
                    merged[f] = ch.after.get(f)
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


def reindex(conn, touched: set[tuple[str, str]]) -> None:
    """Rebuild the local search index for the people, cases and notes an entry touched."""
    from app.services import cases, people

    case_ids = set()
    for table, record_id in touched:
        if table == "person":
            row = conn.execute("SELECT * FROM person WHERE id = ?", (record_id,)).fetchone()
            if row is None:
                search_index.remove(conn, "person", record_id)
            else:
                people._index(conn, record_id, dict(row))
            # Two indexed lookups: an OR here would scan every case.
            case_ids.update(r[0] for r in conn.execute(
                "SELECT id FROM casefile WHERE client_id = ? UNION SELECT id FROM casefile WHERE child_id = ?",
                (record_id, record_id)))
        elif table == "casefile":
            case_ids.add(record_id)
        elif table == "note":
            row = conn.execute("SELECT n.case_id, n.body, c.reference FROM note n JOIN casefile c "
                               "ON c.id = n.case_id WHERE n.id = ?", (record_id,)).fetchone()
            if row is None:
                search_index.remove(conn, "note", record_id)
            else:
                search_index.put(conn, "note", record_id, row[0], row[2], row[1])
    for case_id in case_ids:
        row = conn.execute(cases._CASE_SELECT + "WHERE c.id = ?", (case_id,)).fetchone()
        if row is None:
            search_index.remove(conn, "case", case_id)
        else:
            search_index.put(conn, "case", case_id, case_id,
                             f"{row['reference']} {row['client_name']} {row['child_name']}", "")
