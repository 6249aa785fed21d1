"""Schema 27: documents get a full-text index of their own, and the audit trail an index on
the record each event is about.

Documents shared `search_index` with people and cases, told apart by `kind`, a column FTS5
does not index. Search reads people and cases first, then documents with notes by date, so
each of those reads walked every matching row of the other kinds: at 100,000 documents a
common word ("annual review") took 71 ms where its 50 newest hits are a few pages away. In a
table of their own each read stops after its `limit` newest rows (docs/documents.md, "Search").

A subject access request's record of who read the subject's records looked up `audit_event`
by `object_id` with no index: a scan of every event (70 ms at 105,000 events, and the trail
only grows), and the events other computers sent (`sync_remote_audit`, one JSON text each) by
the same field read out of each event: 238 ms over 200,000 events, 0.7 ms with the index.
"""

from app.storage.migrations.v016_fts_blocks import PGSZ

TABLE = "document_search"
REMOTE_INDEX = "sync_remote_audit_object ON sync_remote_audit (json_extract(event, '$.object_id'))"


def document_search(conn) -> None:
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5 ("
                 "kind UNINDEXED, ref_id UNINDEXED, case_id UNINDEXED, title, body, "
                 "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')")
    conn.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES('pgsz', {PGSZ})")
    # Same rowids (their search_key ids), so newest-first keeps its meaning.
    conn.execute(f"INSERT INTO {TABLE} (rowid, kind, ref_id, case_id, title, body) "
                 "SELECT rowid, kind, ref_id, case_id, title, body FROM search_index WHERE kind = 'document'")
    conn.execute("DELETE FROM search_index WHERE kind = 'document'")
    conn.execute("CREATE INDEX IF NOT EXISTS audit_event_object ON audit_event (object_id) "
                 "WHERE object_id IS NOT NULL")
    conn.execute(f"CREATE INDEX IF NOT EXISTS {REMOTE_INDEX}")
