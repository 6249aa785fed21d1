"""Apply a remote entry's changes on top of this computer's pending ones (docs/sync.md §8.2).

Rows nobody here touched take the remote after image. For a row with a pending local change,
what it becomes is the pure decision of merge/decide.py; this module only carries it out: the
row written, the pending change dropped or rebased, or the local version held in sync_conflict
for a person while the row takes the remote version (what every other computer has). Sets of
child rows go the same way as one field (apply_set).
"""

import json

from uuid6 import uuid7

from app import clock, faults
from app.errors import ConfideError
from app.services.team import capture, key_conflicts, search_build
from app.services.team.capture import Change
from app.services.team.merge import decide as rule
from app.services.team.merge import history, sets, unique
from app.storage.capture import primary_key
from app.storage.db import IntegrityError

# The mark an erasure's deletes carry in place of a before image (lifecycle/erase.py).
ERASED = "$erased"


# One encoder: json.dumps with these options builds a new one at every call, and a sync of a
# large erasure calls this for tens of thousands of rows.
_KEY_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def key_json(key: list) -> str:
    # Must equal what SQLite's json_array() writes in the triggers.
    return _KEY_ENCODER.encode(key)


def utc_now() -> str:
    return clock.precise_stamp()


def open_conflict(conn, table: str, kj: str):
    return conn.execute("SELECT id FROM sync_conflict WHERE tbl = ? AND pk = ? AND resolved_at IS NULL",
                        (table, kj)).fetchone()


def is_erasure(ch: Change) -> bool:
    """A delete whose before image is only the row's key and the erasure mark."""
    return ch.after is None and isinstance(ch.before, dict) and ch.before.get(ERASED) is True


def erase_rows(conn, erasures: dict[str, list[list]]) -> None:
    """Delete, in a few statements per table, erased rows nobody here had touched (an erasure
    of a thousand cases is tens of thousands of rows). Foreign keys are checked at commit."""
    if not erasures:
        return
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table, keys in erasures.items():
        pk = primary_key(conn, table)
        if len(pk) != 1:
            for key in keys:
                capture.write_image(conn, table, key, None)
            continue
        values = [k[0] for k in keys]
        for i in range(0, len(values), 400):
            chunk = values[i:i + 400]
            conn.execute(f"DELETE FROM {table} WHERE {pk[0]} IN ({', '.join('?' for _ in chunk)})", chunk)


def rules_for(table: str, image: dict) -> rule.Rules:
    """The schema's facts the pure merge needs about one table's row."""
    return rule.Rules(meta=capture.meta_of(image), latest_wins=capture.LATEST_WINS.get(table, frozenset()))


def apply_change(conn, ch: Change, origin: dict, pending_keys: set, held_keys: set) -> bool:
    """Apply one remote change. Returns True when it raised a conflict. `pending_keys` and
    `held_keys` are the (table, key) pairs with local changes and with open conflicts.

    May raise: Unappliable (the row cannot be written here: sync stops before the entry)."""
    faults.point("apply.change")
    kj = key_json(ch.key)
    if is_erasure(ch):
        # A manager's erasure (docs/lifecycle.md): the row goes whatever is pending or held
        # here; nothing of it is kept in a conflict, since that would keep what was erased.
        # Rows made here on the record (not yet pushed) still name it until the entry's end,
        # where sync removes them too (erase_set.cascade_local): checked at commit.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        capture.drop_pending(conn, ch.table, kj)
        conn.execute("DELETE FROM sync_conflict WHERE tbl = ? AND pk = ?", (ch.table, kj))
        capture.write_image(conn, ch.table, ch.key, None)
        return False
    pending = (ch.table, kj) in pending_keys
    held = open_conflict(conn, ch.table, kj) if (ch.table, kj) in held_keys else None
    if not pending:
        raised = write_remote(conn, ch, origin, pending_keys) if ch.after is not None else (
            capture.write_image(conn, ch.table, ch.key, None) or False)
        if held:
            # The row follows the log; the person resolving sees the newest remote version.
            conn.execute("UPDATE sync_conflict SET theirs_img = ?, theirs_by = ?, theirs_at = ?, "
                         "theirs_device = ?, theirs_seq = ? WHERE id = ?",
                         (capture.image_json(ch.after), ch.by, ch.at,
                          origin["device"], origin["seq"], held[0]))
        return raised
    base = capture.base_image(conn, ch.table, kj)
    mine = capture.current_image(conn, ch.table, ch.key)
    decision = rule.decide(base, mine, ch.after, their_base=ch.before,
                           rules=rules_for(ch.table, mine or ch.after or base or {}))
    # A staff key record changed on both computers is settled by rule (docs/sync.md §12).
    decision = key_conflicts.settle(conn, ch.table, decision, base, mine, ch.after, ch.before, origin)
    return execute(conn, ch, decision, base, mine, origin)


def execute(conn, ch: Change, decision: rule.Decision, base, mine, origin: dict) -> bool:
    """Carry out the pure decision on the row. Returns True when it is a conflict.

    May raise: Unappliable."""
    kj = key_json(ch.key)
    try:
        if isinstance(decision, rule.TakeTheirs):
            capture.drop_pending(conn, ch.table, kj)
            capture.write_image(conn, ch.table, ch.key, decision.image)
            return False
        if isinstance(decision, rule.KeepMine | rule.Merged):
            capture.write_image(conn, ch.table, ch.key, decision.image)
            capture.set_base(conn, ch.table, kj, ch.after)
            return False
        _hold(conn, ch, decision.kind, list(decision.fields), base, mine, origin)
        capture.drop_pending(conn, ch.table, kj)
        capture.write_image(conn, ch.table, ch.key, ch.after)
        return True
    except IntegrityError as exc:
        raise _unappliable(conn, ch) from exc


class Unappliable(ConfideError):
    """A remote row that cannot be written here. Never passed over: sync stops before the
    entry and says so (docs/sync.md §8.2, §11)."""

    def __init__(self, message: str, table: str, by: str | None):
        super().__init__(message)
        self.table, self.by = table, by


def _unappliable(conn, ch: Change, clash: unique.Collision | None = None) -> Unappliable:
    if clash is not None:
        why = (f"it records a {ch.table.replace('_', ' ')} that this computer already has with the same "
               f"{', '.join(c.replace('_', ' ') for c in clash.unique.columns)}")
    else:
        why = (f"a {ch.table.replace('_', ' ')} record in it does not fit the records here (a record it "
               "names is missing, or a value the records need is empty)")
    return Unappliable(why, ch.table, ch.by)


def write_remote(conn, ch: Change, origin: dict, pending_keys: set) -> bool:
    """Write a remote row nobody here touched. When it collides on a unique key (found from the
    schema's unique indexes) with a row made here and not yet pushed (the same withdrawal,
    revision or relationship recorded on two computers), theirs is kept and ours waits as a
    'duplicate' conflict; an earlier version of a record (a history row) is renumbered instead,
    so both stay. Returns True when a conflict was raised.

    May raise: Unappliable (a collision with a row already on the hub, or a row that breaks
    another rule of the schema: the entry is not applied and sync stops)."""
    raised = False
    for _ in range(8):                  # one pending row per unique key at most
        conn.execute("SAVEPOINT remote_row")
        try:
            capture.write_image(conn, ch.table, ch.key, ch.after)
        except IntegrityError as exc:
            conn.execute("ROLLBACK TO remote_row")
            conn.execute("RELEASE remote_row")
            found = unique.collisions(conn, ch.table, ch.after)
            if not found:
                raise _unappliable(conn, ch) from exc
            clash = found[0]
            if (ch.table, key_json(clash.key)) not in pending_keys:
                raise _unappliable(conn, ch, clash) from exc
            raised |= _set_aside(conn, ch, clash, origin, pending_keys)
            continue
        conn.execute("RELEASE remote_row")
        return raised
    raise _unappliable(conn, ch)


def _set_aside(conn, ch: Change, clash: unique.Collision, origin: dict, pending_keys: set) -> bool:
    """Make room for their row: a pending row of ours holding the same unique values."""
    mine = capture.current_image(conn, ch.table, clash.key)
    mine_kj = key_json(clash.key)
    if _same_fact(conn, ch.table, mine, ch.after):
        capture.drop_pending(conn, ch.table, mine_kj)
        pending_keys.discard((ch.table, mine_kj))
        capture.write_image(conn, ch.table, clash.key, None)
        return False
    if history.renumber(conn, ch.table, clash, ch.after):
        return False
    capture.drop_pending(conn, ch.table, mine_kj)
    pending_keys.discard((ch.table, mine_kj))
    capture.write_image(conn, ch.table, clash.key, None)
    _hold(conn, ch, "duplicate", list(clash.unique.columns), None, mine, origin)
    return True


def _same_fact(conn, table: str, mine: dict | None, theirs: dict | None) -> bool:
    """Two rows that differ only in their id, in a table no other row points at: the same
    fact recorded on both computers (the kept text of a note both sides edited from the same
    version). Keeping theirs loses nothing, so there is nothing for a person to choose."""
    if mine is None or theirs is None:
        return False
    pk = set(primary_key(conn, table))
    if any(r[2] == table for t in _tables(conn) for r in conn.execute(f"PRAGMA foreign_key_list({t})")):
        return False
    return ({k: v for k, v in mine.items() if k not in pk} == {k: v for k, v in theirs.items() if k not in pk})


def _tables(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                       "name NOT LIKE 'sqlite_%'")]


def apply_set(conn, group: sets.Group, origin: dict) -> bool:
    """Carry out the pure decision on one parent's set of child rows (merge/sets.py). Returns
    True when it is a conflict, held on the set (table = the child table, key = the parent's)."""
    sf, parent = group.set_field, group.parent
    decision, base, mine, theirs = sets.decide(conn, group)
    name = sets.field_name(sf)
    last = group.changes[-1]
    # Child rows carry no stamps: the parent's, written by the same correction, say who and when.
    stamps = capture.current_image(conn, sf.parent, parent) or {}
    ch = Change(sf.table, parent, base, theirs, last.by or stamps.get("updated_by"),
                last.at or stamps.get("updated_at"))
    if isinstance(decision, rule.Conflict):
        mine_at = conn.execute("SELECT max(at) FROM sync_outbox WHERE tbl = ? AND pk LIKE ?",
                               (sf.table, key_json(parent)[:-1] + ",%")).fetchone()[0]
        _hold(conn, ch, decision.kind, list(decision.fields), base, mine, origin, mine_at)
        sets.drop_pending(conn, sf, parent)
        sets.write(conn, sf, parent, theirs[name])
        return True
    if isinstance(decision, rule.TakeTheirs):
        sets.drop_pending(conn, sf, parent)
        sets.write(conn, sf, parent, theirs[name])
    else:
        sets.write(conn, sf, parent, decision.image[name])
        sets.rebase_pending(conn, sf, parent, {sets.hashable(v) for v in theirs[name]})
    held = open_conflict(conn, sf.table, key_json(parent))
    if held:
        # The set follows the log; the person resolving sees the newest remote version.
        conn.execute("UPDATE sync_conflict SET theirs_img = ?, theirs_by = ?, theirs_at = ?, theirs_device = ?, "
                     "theirs_seq = ? WHERE id = ?", (json.dumps(image_now(conn, sf, parent)), ch.by, ch.at,
                                                     origin["device"], origin["seq"], held[0]))
    return False


def image_now(conn, sf, parent: list) -> dict:
    return sets.image(sf, parent, sets.members(conn, sf, parent))


def _hold(conn, ch: Change, kind: str, fields: list, base, mine, origin: dict, mine_at: str | None = None) -> None:
    kj = key_json(ch.key)
    held = open_conflict(conn, ch.table, kj)
    if held:
        # Edited here again while it waited: the newer conflict replaces it, and the version
        # typed first waits beside it, to go into the record's history when a person resolves
        # (conflicts.resolve_conflict): nothing is written to records while applying.
        conn.execute("UPDATE sync_conflict SET resolved_at = ?, resolution = ? WHERE id = ?",
                     (utc_now(), json.dumps({"superseded": True}), held[0]))
    mine_by = (mine or base or {}).get("updated_by")
    mine_at = mine_at or conn.execute("SELECT max(at) FROM sync_outbox WHERE tbl = ? AND pk = ?",
                                      (ch.table, kj)).fetchone()[0]
    conn.execute(
        "INSERT INTO sync_conflict (id, tbl, pk, kind, fields, base_img, mine_img, theirs_img, mine_by, "
        "mine_at, theirs_by, theirs_at, theirs_device, theirs_seq, created_at) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (str(uuid7()), ch.table, kj, kind, json.dumps(fields), _dump(base), _dump(mine),
         _dump(ch.after), mine_by, mine_at, ch.by or (ch.after or {}).get("updated_by"),
         ch.at or (ch.after or {}).get("updated_at"), origin["device"], origin["seq"], utc_now()))


def _dump(image):
    return capture.image_json(image)


# What the local search index is made of (people._index, a case's title, a note's entry;
# see snapshot.index_everything): a remote edit to a row nobody here touched that changes
# none of these leaves the index as it was. tests/team/test_sync_search.py compares the index
# after sync with a full rebuild.
SEARCH_READS = {
    "person": frozenset({"first_name", "last_name", "known_as", "school_name", "area", "postcode"}),
    "casefile": frozenset({"reference", "client_id", "child_id"}),
    "note": frozenset({"body", "case_id"}),
    "document": frozenset({"title", "source", "letter_text", "found_text", "case_id", "deleted_at"}),
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
    search_build.reindex_ids(conn, "document", [record_id for table, record_id in touched if table == "document"])
