"""The search index of a replica that has just received a snapshot, built after the replica
is ready (docs/sync.md §10).

The index is derived data, never carried in a snapshot. For 50,000 cases building it is most
of a join (656,000 notes through FTS5 with prefix indexes), so restoring a snapshot only
empties the index and gives every person, case and note its search key, in the order a full
build always used (people, cases, notes, each in rowid order: search shows newest first by
the index's rowid, so the order keeps its meaning). The keys not yet indexed are the backlog,
one range per kind in sync_state. `step` indexes the next chunk in one transaction: people
and cases first (few, and looked for most), then notes newest first. Each chunk first deletes
what the index already holds in its range, so a row that sync re-indexed meanwhile
(search_index.put) is not doubled; a row removed meanwhile has no key and is not brought back.
A kill -9 loses at most the chunk in progress; the backlog carries on from there.

The SQL here is the one bulk form of the rules people._index, a case's title and a note's
entry follow row by row (tests/team/test_sync_search.py compares the two).
"""

from dataclasses import dataclass

from app.domain.role_matrix import Scope, grants
from app.services.team import state
from app.storage.db import transaction
from app.storage.search_index import ALL as TABLES
from app.storage.search_index import table_for

BACKLOG = "search_backlog"      # sync_state key: {"person": [lo, hi], "case": [...], "note": [...]}
STEP_ROWS = 5000                # about a second of work: the window's other tasks wait no longer
BULK_ROWS = 200_000
KINDS = ("person", "case", "note", "document")
# FTS5 keeps the terms of a transaction in memory and writes a segment when they pass this
# size: 64 MiB instead of the default 1 MiB means far fewer segments to merge later (measured
# at 50,000 cases: 30% less CPU for the notes). It is a setting stored in the index itself.
HASH_SIZE = 64 * 1024 * 1024
# While `finish` builds in BULK_ROWS chunks (the command line, after a join) a chunk's terms
# fit in memory whole at 256 MiB: one segment per chunk, less to merge (measured at 50,000
# cases on the same loaded machine: the build's CPU 36.4 -> 28.6 s; the process's peak,
# reached earlier in the join, unchanged). Set back after, so sync and the window's small chunks keep
# the lower bound.
BULK_HASH_SIZE = 256 * 1024 * 1024


def _words(*cols) -> str:
    return "concat_ws(' ', " + ", ".join(f"nullif({c}, '')" for c in cols) + ")"


def _insert_sql(kind: str, where: str = "k.id BETWEEN ? AND ?") -> str:
    """Index rows of one kind whose search keys meet `where` (default: lie in [?, ?])."""
    into = f"INSERT INTO {table_for(kind)} (rowid, kind, ref_id, case_id, title, body) "
    if kind == "person":
        return (into + f"SELECT k.id, 'person', p.id, NULL, {_words('p.first_name', 'p.last_name', 'p.known_as')}, "
                f"{_words('p.school_name', 'p.area', 'p.postcode')} FROM search_key k JOIN person p ON p.id = k.ref_id "
                f"WHERE {where} AND k.kind = 'person' ORDER BY k.id")
    if kind == "case":
        from app.services.casework.cases import CASE_SELECT

        return (into + "SELECT k.id, 'case', x.id, x.id, printf('%s %s %s', x.reference, x.client_name, "
                f"x.child_name), '' FROM search_key k JOIN ({CASE_SELECT}) x ON x.id = k.ref_id "
                f"WHERE {where} AND k.kind = 'case' ORDER BY k.id")
    if kind == "document":
        # The same words as documents.index: title and source, a letter's own text, a PDF's words.
        return (into + "SELECT k.id, 'document', d.id, d.case_id, printf('%s (%s)', d.title, d.source), "
                "coalesce(d.letter_text, d.found_text, '') FROM search_key k JOIN document d ON d.id = k.ref_id "
                f"WHERE {where} AND k.kind = 'document' AND d.deleted_at IS NULL ORDER BY k.id")
    return (into + "SELECT k.id, 'note', n.id, n.case_id, c.reference, n.body FROM search_key k "
            "JOIN note n ON n.id = k.ref_id JOIN casefile c ON c.id = n.case_id "
            f"WHERE {where} AND k.kind = 'note' ORDER BY k.id")


# Every note has its case here: `start` runs in a snapshot's restore, after the foreign-key
# check (note.case_id is NOT NULL and refers to casefile). Joining casefile again cost 25 s of
# CPU at 200,000 cases, where its pages no longer stay in the cache (docs/performance.md).
_KEYS = {
    "person": "SELECT 'person', id FROM person ORDER BY rowid",
    "case": "SELECT 'case', id FROM casefile ORDER BY rowid",
    "note": "SELECT 'note', id FROM note ORDER BY rowid",
    "document": "SELECT 'document', id FROM document WHERE deleted_at IS NULL ORDER BY rowid",
}


_PRESENT = {     # the rows of each kind that have an index entry, among ids in a chunk
    "person": "SELECT id FROM person WHERE id IN ({marks}) ORDER BY rowid",
    "case": "SELECT id FROM casefile WHERE id IN ({marks}) ORDER BY rowid",
    "note": "SELECT n.id FROM note n JOIN casefile c ON c.id = n.case_id WHERE n.id IN ({marks}) ORDER BY n.rowid",
    "document": "SELECT id FROM document WHERE id IN ({marks}) AND deleted_at IS NULL ORDER BY rowid",
}
CHUNK = 400


def reindex_ids(conn, kind: str, ids) -> None:
    """Rebuild the index entries of these people, cases or notes, in a few statements per
    400 rows rather than three per row (sync applies thousands of rows at once); a row that is
    gone loses its entry, a new one gets a key. The bulk form of search_index.put/remove.
    Call inside the caller's transaction."""
    ids = sorted(set(ids))
    table = table_for(kind)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        present = _PRESENT[kind].format(marks=marks)
        conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT id FROM search_key WHERE ref_id IN ({marks}))",
                     chunk)
        conn.execute(f"DELETE FROM search_key WHERE kind = ? AND ref_id IN ({marks}) AND ref_id NOT IN ({present})",
                     [kind, *chunk, *chunk])
        conn.execute(f"INSERT OR IGNORE INTO search_key (kind, ref_id) SELECT ?, id FROM ({present})", [kind, *chunk])
        conn.execute(_insert_sql(kind, f"k.ref_id IN ({marks})"), chunk)


def _empty(conn, table: str) -> None:
    # Deleting an FTS5 table's rows one by one re-reads every row's words (minutes for
    # 600,000 notes); dropping it and making it again from its own definition does not.
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()[0]
    conn.execute(f"DROP TABLE {table}")
    conn.execute(sql)
    conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', {HASH_SIZE})")


def start(conn) -> None:
    """Empty the index and give every person, case and note a search key; the whole index is
    then the backlog. Call inside the caller's transaction (a snapshot's restore)."""
    for table in TABLES:
        _empty(conn, table)
    conn.execute("DELETE FROM search_key")
    backlog = {}
    for kind in KINDS:
        conn.execute(f"INSERT INTO search_key (kind, ref_id) {_KEYS[kind]}")
        lo, hi = conn.execute("SELECT min(id), max(id) FROM search_key WHERE kind = ?", (kind,)).fetchone()
        if lo is not None:
            backlog[kind] = [lo, hi]
    backlog["total"] = sum(hi - lo + 1 for lo, hi in (backlog[k] for k in KINDS if k in backlog))
    if backlog["total"]:
        state.put(conn, BACKLOG, backlog)
    else:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (BACKLOG,))


def _index_range(conn, kind: str, lo: int, hi: int) -> None:
    conn.execute(f"DELETE FROM {table_for(kind)} WHERE rowid BETWEEN ? AND ?", (lo, hi))
    conn.execute(_insert_sql(kind), (lo, hi))


def index_everything(conn) -> None:
    """Build the whole index now, in the caller's transaction (a laptop's few cases)."""
    start(conn)
    backlog = state.get(conn, BACKLOG) or {}
    for kind in KINDS:
        if kind in backlog:
            _index_range(conn, kind, *backlog[kind])
    conn.execute("DELETE FROM sync_state WHERE key = ?", (BACKLOG,))


def _remaining(backlog: dict) -> int:
    return sum(max(0, backlog[k][1] - backlog[k][0] + 1) for k in KINDS if k in backlog)


def step(conn, rows: int = STEP_ROWS) -> bool:
    """Index the next chunk of the backlog in one transaction. Returns True while more is
    left. Call outside a transaction."""
    with transaction(conn):
        backlog = state.get(conn, BACKLOG)
        if not backlog:
            return False
        kind = next((k for k in KINDS if k in backlog and backlog[k][0] <= backlog[k][1]), None)
        if kind is not None:
            lo, hi = backlog[kind]
            if kind == "note":                  # newest first: what people look for most
                chunk = (max(lo, hi - rows + 1), hi)
                backlog[kind] = [lo, chunk[0] - 1]
            else:
                chunk = (lo, min(hi, lo + rows - 1))
                backlog[kind] = [chunk[1] + 1, hi]
            _index_range(conn, kind, *chunk)
        if kind is None or not _remaining(backlog):
            conn.execute("DELETE FROM sync_state WHERE key = ?", (BACKLOG,))
            return False
        state.put(conn, BACKLOG, backlog)
        return True


def _hash_size(conn, size: int) -> None:
    # Every FTS5 table of the file, found rather than named: a later one is covered too.
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND lower(sql) LIKE 'create virtual table%using fts5%'")]
    with transaction(conn):
        for table in tables:
            conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', {size})")


def finish(conn) -> None:
    """Build what is left of the backlog, in large chunks. Call outside a transaction."""
    if not state.get(conn, BACKLOG):
        return
    _hash_size(conn, BULK_HASH_SIZE)
    try:
        while step(conn, BULK_ROWS):
            pass
    finally:
        _hash_size(conn, HASH_SIZE)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    people_and_cases_done: bool
    notes_before: str | None    # the date of the newest note not yet in the index

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100

    def sentence(self) -> str:
        """What the search screen says while the index is being built."""
        from app.domain.text import uk_date

        head = f"This computer is still building its search index after joining the team ({self.percent}% done)"
        if not self.people_and_cases_done:
            return head + ": some people, cases and notes are not found yet."
        if self.notes_before:
            return head + f": notes written on or before {uk_date(self.notes_before)} are not all found yet."
        return head + ": some older notes are not found yet."


def progress(conn) -> Progress | None:
    """None when the index is complete."""
    backlog = state.get(conn, BACKLOG)
    if not backlog:
        return None
    left = _remaining(backlog)
    first = all(backlog[k][0] > backlog[k][1] for k in ("person", "case") if k in backlog)
    notes_before = None
    if first and "note" in backlog:
        row = conn.execute("SELECT n.occurred_on FROM search_key k JOIN note n ON n.id = k.ref_id "
                           "WHERE k.id = ?", (backlog["note"][1],)).fetchone()
        notes_before = row[0] if row else None
    return Progress(backlog["total"] - left, backlog["total"], first, notes_before)


@grants(Scope.ANY, "how far this computer's own search index is built")
def status(session) -> Progress | None:
    """How far this computer's search index is built (None: complete). May raise: Locked."""
    return progress(session.conn)


@grants(Scope.ANY, "builds this computer's own search index; returns no records")
def build_some(session, rows: int = STEP_ROWS) -> Progress | None:
    """Index one more chunk (about a second); the window calls it again while the answer is
    not None. May raise: Locked."""
    step(session.conn, rows)
    return progress(session.conn)


@grants(Scope.ANY, "builds this computer's own search index; returns no records")
def build_rest(session) -> None:
    """Finish the index now (the command line, after a join). May raise: Locked."""
    finish(session.conn)
