"""Maintain the FTS5 indexes. One search_key row per indexed record gives a stable FTS rowid
(an explicit INTEGER PRIMARY KEY survives sqlcipher_export, unlike implicit rowids)."""


# Notes and documents each have an index of their own, so that a read of one kind stops after
# its newest hits instead of walking every match of the others (schema 27).
TABLES = {"note": "note_search", "document": "document_search"}
ALL = ("search_index", "note_search", "document_search")


def table_for(kind: str) -> str:
    return TABLES.get(kind, "search_index")


def put(conn, kind: str, ref_id: str, case_id: str | None, title: str, body: str = "") -> None:
    table = table_for(kind)
    row = conn.execute("SELECT id FROM search_key WHERE ref_id = ?", (ref_id,)).fetchone()
    if row is None:
        key = conn.execute("INSERT INTO search_key (kind, ref_id) VALUES (?, ?)", (kind, ref_id)).lastrowid
    else:
        key = row[0]
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (key,))
    conn.execute(
        f"INSERT INTO {table} (rowid, kind, ref_id, case_id, title, body) VALUES (?, ?, ?, ?, ?, ?)",
        (key, kind, ref_id, case_id, title, body))


def remove(conn, kind: str, ref_id: str) -> None:
    row = conn.execute("SELECT id FROM search_key WHERE ref_id = ?", (ref_id,)).fetchone()
    if row is not None:
        conn.execute(f"DELETE FROM {table_for(kind)} WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM search_key WHERE id = ?", (row[0],))
