"""The laptop's side of the engine: what makes a replica partial (docs/sync.md §14).

A laptop applies every hub entry in order like any replica (chains, epochs and refusals are
checked the same way), but keeps only the changes `closure.keep_remote` selects, plus the
check-out packages addressed to it. At check-in it erases what its remaining cases do not
need, with capture off (the erasure is this computer's business, never a change for the
team), and compacts the file.
"""

from datetime import UTC, datetime

from app import clock
from app.services.team import capture, search_build, state
from app.services.team.apply import key_json
from app.services.team.laptop.closure import case_closure, keep_remote, rows_of_closure
from app.services.team.laptop.schema import casework
from app.storage import records
from app.storage.capture import fts_tables, primary_key
from app.storage.db import transaction

REPLICA_KIND = "replica_kind"
CLOCK_OFFSET = "clock_offset_s"      # read by the laptop_overdue view (schema 17)
OFFICE_DATE = "office_date_seen"     # read by the laptop_overdue view (schema 17)
GAPS = "laptop_gaps"        # rows of its cases this laptop could not write (see select_changes)
DIRECTORY = "case_directory"  # staff user -> their open cases as the office listed them, to tick


def is_laptop(conn) -> bool:
    return state.get(conn, REPLICA_KIND) == "laptop"


def mark_laptop(conn) -> None:
    state.put(conn, REPLICA_KIND, "laptop")


def select_changes(conn, wires: list[dict], hub_seq: int = 0) -> list[dict]:
    """What of a bundle's changes this replica applies: all of them on a full replica. On a
    laptop, a row of its cases that it cannot write (it names a record the laptop does not
    hold) is kept in GAPS, said at every sync until a fresh copy of the case arrives
    (gap_lines), and its case asked for again (office.answer_requests re-sends it)."""
    if not is_laptop(conn):
        return wires
    picked = keep_remote(conn, wires)
    if picked.gaps:
        gaps = state.get(conn, GAPS) or []
        gaps += [{"seq": hub_seq, "table": t, "id": i, "case": c} for t, i, c in picked.gaps]
        state.put(conn, GAPS, gaps)
    return picked.kept


def gap_lines(conn) -> list[str]:
    """One plain line per row of this laptop's cases it could not write."""
    lines = []
    for g in state.get(conn, GAPS) or []:
        ref = conn.execute("SELECT case_ref FROM case_checkout WHERE case_id = ? ORDER BY requested_at DESC",
                           (g["case"],)).fetchone() if g.get("case") else None
        lines.append(f"Hub entry {g['seq']}: a {g['table'].replace('_', ' ')} record of "
                     f"{ref[0] if ref else 'a case out here'} names a record this laptop does not hold, so "
                     "it was not written here; the case has been asked for again from the office.")
    return lines


def laptops(conn) -> set[str]:
    """Device ids of the team's laptops: those enrolled as laptops (the signed `enrol` entry
    says so) and any computer that has asked for cases (invited before enrolment said so)."""
    enrolled = state.get(conn, state.LAPTOPS) or []
    return {r[0] for r in conn.execute("SELECT DISTINCT device_id FROM case_checkout")} | set(enrolled)


def _now() -> datetime:
    return clock.now()


def note_office_time(conn, entry, cases_arrived: bool) -> None:
    """On a laptop, keep the office's time from an entry an office computer wrote (the hub's
    record of when): the latest date seen, and, when the entry brings cases, how far this
    laptop's clock is from it. The laptop_overdue view reads both."""
    if entry is None or not is_laptop(conn) or entry.device_id == state.get(conn, "device_id") \
            or entry.device_id in laptops(conn):
        return
    try:
        at = datetime.fromisoformat(entry.created_at)
    except (TypeError, ValueError):
        return
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    day = at.astimezone(UTC).date().isoformat()
    if day > (state.get(conn, OFFICE_DATE) or ""):
        state.put(conn, OFFICE_DATE, day)
    if cases_arrived:
        state.put(conn, CLOCK_OFFSET, int((at - _now()).total_seconds()))


# A piece table -> (the table it belongs to, the column naming its row); see office.PIECES.
PIECE_OWNERS = {"document_chunk": ("document", "document_id")}


def receive_packages(conn, body: dict, entry=None) -> int:
    """Write the check-out packages of a bundle addressed to this computer (inside the
    entry's transaction, capture off). Rows with a pending change here keep ours: it is
    pushed next. Returns the number of rows written."""
    me = state.get(conn, "device_id")
    written = 0
    pending = capture.pending_keys(conn)
    mine = [p for p in body.get("packages") or [] if p.get("to") == me]
    note_office_time(conn, entry, bool(mine))
    for package in mine:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for table in casework(conn).tables:
            pk = primary_key(conn, table)
            rows = [r for r in package["rows"].get(table, [])
                    if (table, key_json([r[c] for c in pk])) not in pending]
            owner = PIECE_OWNERS.get(table)
            if owner and not package["cases"]:
                # A piece arriving after its package: only for a record still held here (the
                # case may have been checked in meanwhile).
                rows = [r for r in rows if conn.execute(f"SELECT 1 FROM {owner[0]} WHERE id = ?",
                                                        (r[owner[1]],)).fetchone()]
            capture.write_images(conn, table, rows)
            written += len(rows)
        if package.get("directories"):
            lists = state.get(conn, DIRECTORY) or {}
            for listing in package["directories"]:
                lists[str(listing.get("staff"))] = {"at": listing.get("at"), "cases": listing.get("cases") or []}
            state.put(conn, DIRECTORY, lists)
        gaps = state.get(conn, GAPS)
        if gaps:     # a fresh copy of the case: what could not be written is in it
            state.put(conn, GAPS, [g for g in gaps if g.get("case") and g["case"] not in package["cases"]])
    if written:
        # A laptop's index is small (its own cases): one bulk rebuild beats hundreds of puts.
        search_build.index_everything(conn)
    return written


def rebase_on_snapshot(conn) -> int:
    """A laptop restarting from a snapshot (it was behind a compaction) takes the snapshot's
    rows of the cases out here in place of its own copies, which miss whatever the dropped
    entries changed; its unpushed changes are then rebased on them like on any remote change
    (snapshot.rebase_pending), so its next edit cannot undo the office's. Only those cases'
    rows are read from the snapshot; nothing else of it is written here. Call inside the
    restore's transaction, the snapshot attached as `snap`, its other tables already loaded
    (the check-out register says which cases are out here), capture and foreign keys off.
    Returns the number of rows written."""
    cw = casework(conn)
    rows = rows_of_closure(conn, case_closure(conn, out_here(conn), schema="snap"), schema="snap")
    for table in reversed(cw.tables):
        conn.execute(f"DELETE FROM main.{table}")
    written = 0
    for table in cw.tables:
        capture.write_images(conn, table, rows.get(table, []))
        written += len(rows.get(table, []))
    return written


def ask_again(conn, by: str) -> int:
    """Ask the office again for each case with a gap (all cases out here when the gap names
    none); its fresh copy brings what was missing. Captured: it travels at this sync's push.
    Returns the number of requests written."""
    gaps = state.get(conn, GAPS) if is_laptop(conn) else None
    if not gaps:
        return 0
    me = state.get(conn, "device_id")
    wanted = {g["case"] for g in gaps if g.get("case")}
    if any(not g.get("case") for g in gaps):
        wanted |= set(out_here(conn))
    asked = 0
    with transaction(conn):
        for case_id in sorted(wanted):
            out = conn.execute("SELECT * FROM case_checkout WHERE case_id = ? AND device_id = ? AND state = 'out'",
                               (case_id, me)).fetchone()
            if out is None or conn.execute("SELECT 1 FROM case_checkout WHERE case_ref = ? AND device_id = ? AND "
                                           "state = 'requested'", (out["case_ref"], me)).fetchone():
                continue
            records.insert(conn, "case_checkout", {
                "case_ref": out["case_ref"], "device_id": me, "device_name": out["device_name"],
                "staff_username": out["staff_username"],
                "requested_at": clock.stamp(), "due_back": out["due_back"],
                "state": "requested"}, by)
            asked += 1
    return asked


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
    cw = casework(conn)
    state.set_capture(conn, False)
    conn.execute("PRAGMA defer_foreign_keys = ON")
    erased = 0
    for table in reversed(cw.tables):
        col = cw.id_column[table]
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
    for fts in sorted(fts_tables(conn)):
        # FTS5 deletes leave the old words in older segments until they are merged.
        conn.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
