"""Which rows an erasure takes (docs/lifecycle.md "What an erasure takes"), read from the
schema's foreign keys like a laptop's closure (team/laptop/schema.py), so a casework table a
later migration adds is covered without anyone listing it.

Starting from the records chosen (cases, enquiries, mailing-list entries) and the people
they are about, every casework row that names a row taken is taken too, until nothing more
is found. A person stays when anything not taken still names them (their other case, an
enquiry of theirs that is not being erased): then only what hangs off the records chosen goes.
"""

import json

from app import clock
from app.services.team import erasure_warrant, search_build
from app.services.team.laptop.schema import PEOPLE, ROOT, casework
from app.services.team.replica_check import digest
from app.storage.capture import primary_key

# Kinds of the search index (a document's entry holds a letter's own text).
SEARCHED = {"person": "person", "casefile": "case", "note": "note", "document": "document"}

# Registers that outlive the record they name: the request to erase it, which keeps its
# decision (its link to the person is cleared instead).
OUTLIVES = {"erasure_request": "subject_id"}


def _select(conn, sql: str, values) -> list[tuple]:
    values = sorted({v for v in values if v is not None})
    found: list[tuple] = []
    for i in range(0, len(values), 400):
        chunk = values[i:i + 400]
        found += conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk).fetchall()
    return found


def seeds_for(conn, kind: str, ids: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    """(rows chosen per table, the people they are about) for one kind of record."""
    if kind == "case":
        rows = _select(conn, f"SELECT id, client_id, child_id, enquiry_id FROM {ROOT} WHERE id IN ({{marks}})", ids)
        enquiries = {r[3] for r in rows if r[3]}
        enquiries |= {r[0] for r in _select(conn, "SELECT id FROM enquiry WHERE case_id IN ({marks})", ids)}
        return ({ROOT: {r[0] for r in rows}, "enquiry": enquiries},
                {p for r in rows for p in (r[1], r[2]) if p})
    if kind == "enquiry":
        rows = _select(conn, "SELECT id, caller_id, child_id FROM enquiry WHERE id IN ({marks})", ids)
        return {"enquiry": {r[0] for r in rows}}, {p for r in rows for p in (r[1], r[2]) if p}
    if kind == "mailing_list_member":
        rows = _select(conn, "SELECT id, person_id FROM mailing_list_member WHERE id IN ({marks})", ids)
        return {"mailing_list_member": {r[0] for r in rows}}, {r[1] for r in rows}
    raise ValueError(f"not a kind of record an erasure takes: {kind!r}")


def _grow(conn, cw, taken: dict[str, set[str]]) -> dict[str, set[str]]:
    """Add every casework row that names a row taken, until nothing more is found."""
    out = {t: set(taken.get(t, ())) for t in cw.tables}
    frontier = {t: set(ids) for t, ids in taken.items() if ids}
    while frontier:
        found: dict[str, set[str]] = {}
        for table in cw.tables:
            if table in OUTLIVES:
                continue
            col = cw.id_column[table]
            for edge in cw.needs[table]:
                ids = frontier.get(edge.parent)
                if not ids:
                    continue
                for (rid,) in _select(conn, f"SELECT {col} FROM {table} WHERE {edge.column} IN ({{marks}})", ids):
                    if rid not in out[table]:
                        out[table].add(rid)
                        found.setdefault(table, set()).add(rid)
        frontier = found
    return out


def _named_elsewhere(conn, cw, taken: dict[str, set[str]], people: set[str]) -> set[str]:
    """The people among `people` that a row not taken still names."""
    kept = set()
    for table in cw.tables:
        if table in OUTLIVES:
            continue
        col = cw.id_column[table]
        for edge in cw.needs[table]:
            if edge.parent != PEOPLE:
                continue
            for rid, pid in _select(conn, f"SELECT {col}, {edge.column} FROM {table} WHERE {edge.column} "
                                          "IN ({marks})", people):
                if rid not in taken[table]:
                    kept.add(pid)
    return kept


# Records of their own, with their own retention date: never taken through a person they
# name, only when chosen (or hanging off a record chosen, like the enquiry that opened a case).
RECORDS = (ROOT, "enquiry", "mailing_list_member")


def _with_own_records(conn, cw, chosen: dict[str, set[str]], people: set[str]) -> set[str]:
    """The people among `people` that a record not among `chosen` names: their other case,
    an enquiry of theirs with its own date, their mailing-list entry."""
    kept = set()
    for table in RECORDS:
        for edge in cw.needs.get(table, ()):
            if edge.parent != PEOPLE:
                continue
            for rid, pid in _select(conn, f"SELECT {cw.id_column[table]}, {edge.column} FROM {table} "
                                          f"WHERE {edge.column} IN ({{marks}})", people):
                if rid not in chosen.get(table, ()):
                    kept.add(pid)
    return kept


def rows_to_erase(conn, kind: str, ids: list[str]) -> dict[str, set[str]]:
    """Per casework table, the ids (its id column) of the rows this erasure takes."""
    cw = casework(conn)
    seeds, people = seeds_for(conn, kind, ids)
    # Before: growing from the people took every row naming them, a family's other case
    # included, and nothing was then left to keep them.
    candidates = set(people) - _with_own_records(conn, cw, _grow(conn, cw, seeds), people)
    while True:
        start = {t: set(v) for t, v in seeds.items()}
        start[PEOPLE] = set(candidates)
        taken = _grow(conn, cw, start)
        kept = _named_elsewhere(conn, cw, taken, candidates)
        if not kept:
            return {t: v for t, v in taken.items() if v}
        candidates -= kept


def cascade_local(conn, erased: list[tuple[str, list]]) -> int:
    """On a computer applying an erasure: rows made here that name an erased row and were not
    yet pushed (so the manager's computer could not list them: a note typed on the case
    meanwhile) go too, with their pending changes, so nothing here still names what was erased
    and nothing of it is pushed later. Inside the entry's transaction, capture off. Returns the
    number of rows removed."""
    cw = casework(conn)
    start: dict[str, set[str]] = {}
    for table, key in erased:
        if table in cw.id_column and key:
            start.setdefault(table, set()).add(key[0])
    grown = _grow(conn, cw, start)
    removed = 0
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for table in reversed(cw.tables):
        extra = sorted(grown.get(table, set()) - start.get(table, set()))
        col = cw.id_column[table]
        for i in range(0, len(extra), 400):
            chunk = extra[i:i + 400]
            marks = ", ".join("?" for _ in chunk)
            removed += conn.execute(f"DELETE FROM {table} WHERE {col} IN ({marks})", chunk).rowcount
            conn.execute(f"DELETE FROM sync_outbox WHERE tbl = ? AND json_extract(pk, '$[0]') IN ({marks})",
                         [table, *chunk])
        if table in SEARCHED and extra:
            search_build.reindex_ids(conn, SEARCHED[table], extra)
    forget_queued(conn, grown)
    return removed


def forget_queued(conn, erased: dict[str, set[str]]) -> None:
    """Pieces of erased rows still queued for a laptop (docs/sync.md §14, "Pieces") go from
    the queue: the rows are gone, and the queue names them."""
    for table, ids in erased.items():
        ids = sorted(i for i in ids if isinstance(i, str))
        for i in range(0, len(ids), 400):
            chunk = ids[i:i + 400]
            conn.execute(f"DELETE FROM sync_piece_queue WHERE tbl = ? AND row_id IN ({', '.join('?' for _ in chunk)})",
                         [table, *chunk])


def pending_erasures(conn) -> dict[str, dict[str, str | None]]:
    """Rows this computer has erased and not yet pushed (their outbox entry is an erasure
    mark), by table: the ids in the table's id column, each with the warrant its mark names."""
    cw = casework(conn)
    found: dict[str, dict[str, str | None]] = {}
    for table, before in conn.execute("SELECT tbl, before_img FROM sync_outbox WHERE op = 'd' AND "
                                      "before_img LIKE '%\"$erased\"%'"):
        image = json.loads(before)
        col = cw.id_column.get(table)
        if image.get(digest.ERASED) is True and col and image.get(col) is not None:
            found.setdefault(table, {})[image[col]] = image.get(erasure_warrant.WARRANT)
    return found


def meets_erased(conn, table: str, key: list, after: dict | None, erased: dict[str, dict]) -> bool:
    """A remote change to a row erased here, or a new row naming one (a note another computer
    added to the case before it knew of the erasure)."""
    cw = casework(conn)
    col = cw.id_column.get(table)
    if col is None:
        return False
    ident = (after or {}).get(col, key[0] if key else None)
    if ident in erased.get(table, ()):
        return True
    return after is not None and any(after.get(e.column) in erased.get(e.parent, ())
                                     for e in cw.needs.get(table, ()) if e.column != col)


def erase_on_arrival(conn, table: str, key: list, after: dict | None, erased: dict[str, dict]) -> None:
    """Keep a remote change that meets an erasure made here out of this computer, and make the
    pending erasure carry it too: its mark now names the row as the log has it after this
    entry (or nothing, when the entry deleted it), so every computer deletes it when the
    erasure reaches the hub. The mark names the warrant of the erased row it meets: every
    computer accepts it because the row names a row that warrant covers (erasure_warrant.py).
    Inside the entry's transaction, capture off."""
    cw = casework(conn)
    pk = primary_key(conn, table)
    kj = json.dumps(key, separators=(",", ":"), ensure_ascii=False)
    first = conn.execute("SELECT min(seq) FROM sync_outbox WHERE tbl = ? AND pk = ?", (table, kj)).fetchone()[0]
    conn.execute("DELETE FROM sync_outbox WHERE tbl = ? AND pk = ?", (table, kj))
    conn.execute("DELETE FROM sync_conflict WHERE tbl = ? AND pk = ?", (table, kj))
    if after is None:
        return      # deleted on the hub too: nothing left to erase
    ident = after.get(cw.id_column[table])
    warrant = erased.get(table, {}).get(ident) or next(
        (erased[e.parent][after[e.column]] for e in cw.needs.get(table, ())
         if after.get(e.column) in erased.get(e.parent, ())), None)
    erased.setdefault(table, {})[ident] = warrant
    mark = {**dict(zip(pk, key, strict=False)), digest.ERASED: True, erasure_warrant.WARRANT: warrant,
            digest.BASE_HASH: digest.base_hash(conn, table, json.dumps(after))}
    if first is None:
        first = (conn.execute("SELECT max(seq) FROM sync_outbox").fetchone()[0] or 0) + 1
    conn.execute("INSERT INTO sync_outbox (seq, tbl, pk, op, before_img, after_img, at) VALUES (?, ?, ?, 'd', ?, "
                 "NULL, ?)", (first, table, kj, json.dumps(mark), clock.precise_stamp()))
