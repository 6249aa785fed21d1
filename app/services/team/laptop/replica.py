"""The laptop's side of the engine: what makes a replica partial (docs/sync.md §14).

A laptop applies every hub entry in order like any replica (chains, epochs and refusals are
checked the same way), but keeps only the changes `closure.keep_remote` selects, plus the
check-out packages addressed to it. At check-in it erases what its remaining cases do not
need, with capture off (the erasure is this computer's business, never a change for the
team), and compacts the file.
"""

from app.services.team import capture, search_build, state
from app.services.team.apply import key_json
from app.services.team.laptop.closure import CASEWORK, case_closure, id_column
from app.storage.capture import primary_key

REPLICA_KIND = "replica_kind"


def is_laptop(conn) -> bool:
    return state.get(conn, REPLICA_KIND) == "laptop"


def mark_laptop(conn) -> None:
    state.put(conn, REPLICA_KIND, "laptop")


def select_changes(conn, wires: list[dict]) -> list[dict]:
    """What of a bundle's changes this replica applies: all of them on a full replica."""
    if not is_laptop(conn):
        return wires
    from app.services.team.laptop.closure import keep_remote

    return keep_remote(conn, wires)


def receive_packages(conn, body: dict) -> int:
    """Write the check-out packages of a bundle addressed to this computer (inside the
    entry's transaction, capture off). Rows with a pending change here keep ours: it is
    pushed next. Returns the number of rows written."""
    me = state.get(conn, "device_id")
    written = 0
    pending = capture.pending_keys(conn)
    for package in body.get("packages") or []:
        if package.get("to") != me:
            continue
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for table in CASEWORK:
            pk = primary_key(conn, table)
            rows = [r for r in package["rows"].get(table, [])
                    if (table, key_json([r[c] for c in pk])) not in pending]
            capture.write_images(conn, table, rows)
            written += len(rows)
    if written:
        # A laptop's index is small (its own cases): one bulk rebuild beats hundreds of puts.
        search_build.index_everything(conn)
    return written


def out_here(conn) -> list[str]:
    """Case ids checked out to this computer and not yet returned."""
    me = state.get(conn, "device_id")
    return [r[0] for r in conn.execute("SELECT case_id FROM case_checkout WHERE device_id = ? AND "
                                       "state = 'out' AND case_id IS NOT NULL", (me,))]


def erase_outside(conn, keep_case_ids: list[str]) -> int:
    """Delete every casework row the given cases do not need, capture off, in one transaction
    (the caller's). Resolved conflicts about erased rows go too: they hold copies of them.
    Returns the number of rows erased."""
    keep = case_closure(conn, keep_case_ids)
    state.set_capture(conn, False)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    erased = 0
    for table in reversed(CASEWORK):
        col = id_column(table)
        held = {r[0] for r in conn.execute(f"SELECT {col} FROM {table}")}
        gone = sorted(held - keep.get(table, set()))
        for i in range(0, len(gone), 400):
            chunk = gone[i:i + 400]
            erased += conn.execute(f"DELETE FROM {table} WHERE {col} IN ({', '.join('?' for _ in chunk)})",
                                   chunk).rowcount
        conn.execute(f"DELETE FROM sync_conflict WHERE tbl = ? AND resolved_at IS NOT NULL AND "
                     f"json_extract(pk, '$[0]') NOT IN (SELECT {col} FROM {table})", (table,))
    state.set_capture(conn, True)
    if erased:
        search_build.index_everything(conn)     # the search index held their words too
    return erased


def compact(conn) -> None:
    """Rewrite the file so erased rows' pages are gone, not merely free (secure_delete has
    zeroed freed cells already; VACUUM drops the free pages and the WAL is emptied)."""
    from app.storage.capture import fts_tables

    for fts in sorted(fts_tables(conn)):
        # FTS5 deletes leave the old words in older segments until they are merged.
        conn.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
