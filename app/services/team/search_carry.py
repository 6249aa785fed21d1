"""The search index carried in a snapshot, so that a joiner copies it instead of building it
(docs/sync.md §10).

Building the index is most of what a new computer does after a join (at 50,000 cases 27 s
of CPU tokenizing 650,000 notes, against about a second to copy it). So a writer whose own
index is complete puts every FTS5 table and the search keys in the snapshot file: each FTS5
table is made in the file from its own definition, its shadow tables filled with a copy of
this computer's, then 'optimize'd there, so the file holds one merged segment per table and
no word of a deleted or erased row lingers in an older segment (secure_delete zeroes the
pages the merge frees). The tables are found in sqlite_master, not named here: a later
FTS5 table is carried with no change.

The joiner copies the shadow tables and the keys only when the file's FTS5 tables are
exactly its own (same definitions), then checks that every entry is what it would build
from its own rows (kind, record, case, title, words), that every row has one, and nothing
else: search decides what a person may see from the entry's kind, record and case at query
time (casework.search), so an entry that named another case would open a firewalled note
to a search. Anything else, and the index is built after the join as before (search_build).
"""

from app.services.team import search_build, state

KEYS = "search_key"
SHADOWS = ("data", "idx", "content", "docsize", "config")     # FTS5's own tables, by suffix


def fts_tables(conn, db: str = "main") -> dict[str, str]:
    """Each FTS5 table of `db` with its definition."""
    return {name: sql for name, sql in conn.execute(
        f"SELECT name, sql FROM {db}.sqlite_master WHERE type = 'table' AND lower(sql) LIKE "
        "'create virtual table%using fts5%' ORDER BY name")}


def shadows(conn, table: str, db: str = "main") -> list[str]:
    """The shadow tables FTS5 made for `table` in `db`."""
    names = [f"{table}_{suffix}" for suffix in SHADOWS]
    marks = ", ".join("?" for _ in names)
    return [r[0] for r in conn.execute(f"SELECT name FROM {db}.sqlite_master WHERE type = 'table' "
                                       f"AND name IN ({marks}) ORDER BY name", names)]


def _in(db: str, sql: str, name: str) -> str:
    head = f"CREATE VIRTUAL TABLE {name} "
    if not sql.startswith(head):
        raise ValueError(f"unexpected definition of table {name}")
    return f"CREATE VIRTUAL TABLE {db}.{name} " + sql[len(head):]


def _refill(conn, into: str, source: str, table: str) -> None:
    for shadow in shadows(conn, table, into):
        conn.execute(f"DELETE FROM {into}.{shadow}")
        conn.execute(f"INSERT INTO {into}.{shadow} SELECT * FROM {source}.{shadow}")


def dump(conn, make_table) -> None:
    """Put the search index into the attached snapshot file `snap`, when this computer's own
    index is complete (one still being built after a join is not carried: its joiner builds
    its own). `make_table(name)` gives the CREATE TABLE of a plain table in `snap`. Call in
    the writer's transaction."""
    if state.get(conn, search_build.BACKLOG):
        return
    conn.execute("PRAGMA snap.secure_delete = ON")
    for name, sql in fts_tables(conn).items():
        conn.execute(_in("snap", sql, name))
        _refill(conn, "snap", "main", name)
        conn.execute(f"INSERT INTO snap.{name} ({name}) VALUES ('optimize')")
    conn.execute(make_table(KEYS))
    conn.execute(f"INSERT INTO snap.{KEYS} SELECT * FROM main.{KEYS}")


def carried(conn) -> set[str]:
    """The tables of the attached snapshot that belong to the search index it carries."""
    names = set()
    for name in fts_tables(conn, "snap"):
        names |= {name, *shadows(conn, name, "snap")}
    if conn.execute(f"SELECT 1 FROM snap.sqlite_master WHERE type = 'table' AND name = '{KEYS}'").fetchone():
        names.add(KEYS)
    return names


def _columns(conn, db: str, table: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(f"PRAGMA {db}.table_info({table})")]


def load(conn) -> bool:
    """Take the attached snapshot's search index as this computer's own. Returns False when it
    carries none, or one that does not fit or does not match the rows just loaded: the caller
    then builds the index (search_build.start, which replaces whatever was copied here).
    Call inside the restoring transaction, after the rows are loaded."""
    ours = fts_tables(conn)
    if KEYS not in carried(conn) or fts_tables(conn, "snap") != ours:
        return False
    tables = [s for name in ours for s in shadows(conn, name)]
    if any(_columns(conn, "snap", t) != _columns(conn, "main", t) for t in [*tables, KEYS]):
        return False
    for name, sql in ours.items():
        # Made again empty: FTS5 keeps no state of a table made in this transaction, so it
        # reads the copied shadow tables afresh.
        conn.execute(f"DROP TABLE main.{name}")
        conn.execute(sql)
        _refill(conn, "main", "snap", name)
    conn.execute(f"DELETE FROM main.{KEYS}")
    conn.execute(f"INSERT INTO main.{KEYS} SELECT * FROM snap.{KEYS}")
    return matches_rows(conn)


def matches_rows(conn) -> bool:
    """Does every FTS5 entry hold what search_build would index from this computer's rows, for
    every row that has one, and nothing more (no stray entry or key)?"""
    entries: dict[str, int] = {}
    keys = 0
    for kind in search_build.KINDS:
        table = search_build.table_for(kind)
        content = f"{table}_content"
        cols = [c[1] for c in _columns(conn, "main", content) if c[1] != "id"]
        if not cols:
            return False                                    # a table without its text: cannot check
        same = " AND ".join(f"c.{c} IS x.{c}" for c in cols)
        rows = conn.execute(f"SELECT count(*) FROM ({search_build.KEYED_ROWS[kind]})").fetchone()[0]
        equal = conn.execute(f"WITH x(id, {', '.join(cols)}) AS ({search_build.select_sql(kind, '1')}) "
                             f"SELECT count(*) FROM x JOIN main.{content} c ON c.id = x.id AND {same}").fetchone()[0]
        if equal != rows:
            return False
        entries[table] = entries.get(table, 0) + rows
        keys += rows
    for table in fts_tables(conn):
        held = conn.execute(f"SELECT count(*) FROM main.{table}_content").fetchone()[0]
        if held != entries.get(table, 0):
            return False
        if f"{table}_docsize" in shadows(conn, table) and \
                conn.execute(f"SELECT count(*) FROM main.{table}_docsize").fetchone()[0] != held:
            return False
    return conn.execute(f"SELECT count(*) FROM main.{KEYS}").fetchone()[0] == keys
