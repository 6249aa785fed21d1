"""Maintain the FTS5 indexes. One search_key row per indexed record gives a stable FTS rowid
(an explicit INTEGER PRIMARY KEY survives sqlcipher_export, unlike implicit rowids)."""


# Notes and documents each have an index of their own, so that a read of one kind stops after
# its newest hits instead of walking every match of the others (schema 27).
TABLES = {"note": "note_search", "document": "document_search"}
ALL = ("search_index", "note_search", "document_search")


def table_for(kind: str) -> str:
    return TABLES.get(kind, "search_index")


def put(conn, kind: str, ref_id: str, case_id: str | None, title: str, body: str = "") -> None:
    """Index a record, replacing its entry if it has one."""
    row = conn.execute("SELECT id FROM search_key WHERE ref_id = ?", (ref_id,)).fetchone()
    if row is None:
        add(conn, kind, ref_id, case_id, title, body)
        return
    table = table_for(kind)
    conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (row[0],))
    conn.execute(
        f"INSERT INTO {table} (rowid, kind, ref_id, case_id, title, body) VALUES (?, ?, ?, ?, ?, ?)",
        (row[0], kind, ref_id, case_id, title, body))


def add(conn, kind: str, ref_id: str, case_id: str | None, title: str, body: str = "") -> None:
    """Index a record written in this transaction under an id of its own making, which
    therefore has no entry yet (a save skips put's look-up: docs/security.md, "Saving a note").
    May raise: IntegrityError (the id has an entry after all: search_key.ref_id is unique)."""
    key = conn.execute("INSERT INTO search_key (kind, ref_id) VALUES (?, ?)", (kind, ref_id)).lastrowid
    conn.execute(
        f"INSERT INTO {table_for(kind)} (rowid, kind, ref_id, case_id, title, body) VALUES (?, ?, ?, ?, ?, ?)",
        (key, kind, ref_id, case_id, title, body))


def remove(conn, kind: str, ref_id: str) -> None:
    row = conn.execute("SELECT id FROM search_key WHERE ref_id = ?", (ref_id,)).fetchone()
    if row is not None:
        conn.execute(f"DELETE FROM {table_for(kind)} WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM search_key WHERE id = ?", (row[0],))


# FTS5 merges its segments a little at each write, as much as that write added. One note per
# transaction adds little, so the merge of the large segments it started falls behind and a
# look-up passes through 20-50 segments (docs/security.md, "Search": the FTS segments). `tidy`
# finishes those merges in small steps when the window is idle; with usermerge = 2 any level
# holding two segments is merged. Measured at 50,000 cases: 42 segments of note_search became
# 2, with 44 s of CPU once (encrypted); afterwards about 1 ms per saved note. A step of 100
# pages may overrun: FTS5 finishes the term it is merging (up to 1.3 s at 200,000 cases).
USERMERGE = 2
TIDY_PAGES = 100


def tidy(conn, pages: int = TIDY_PAGES) -> bool:
    """Merge at most `pages` pages of the first index that has segments to merge. Returns
    whether any work was done (call again while it was). Call inside a transaction."""
    for table in ALL:
        setting = conn.execute(f"SELECT v FROM {table}_config WHERE k = 'usermerge'").fetchone()
        if setting is None or setting[0] != USERMERGE:
            conn.execute(f"INSERT INTO {table}({table}, rank) VALUES('usermerge', ?)", (USERMERGE,))
        before = conn.total_changes
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES('merge', ?)", (int(pages),))
        if conn.total_changes - before >= 2:     # FTS5's own sign that it merged something
            return True
    return False


def segments(conn, table: str) -> int:
    """How many segments the index holds: read from its structure record (FTS5's format)."""
    block = conn.execute(f"SELECT block FROM {table}_data WHERE id = 10").fetchone()
    if block is None:
        return 0
    data = bytes(block[0])
    offset = 8 if data[4:8] == b"\xff\x00\x00\x01" else 4    # after the cookie (and a v2 marker)
    _levels, offset = varint(data, offset)
    count, _ = varint(data, offset)
    return count


def varint(data: bytes, offset: int) -> tuple[int, int]:
    """SQLite's variable-length integer, as FTS5 writes it."""
    value = 0
    for i in range(9):
        byte = data[offset]
        offset += 1
        if i == 8:
            return (value << 8) | byte, offset
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, offset
    return value, offset
