"""Compare another computer's digest with this replica's (docs/sync.md §17).

Called while the entry is applied, when this computer's state is exactly the state after the
entry before it (the one the digest describes). Per table first; for the tables that differ
the two computers then exchange row hashes (a request, and its answer), which name the rows.
"""


from app import clock
from app.services.team import state
from app.services.team.replica_check import digest, entry
from app.storage import migrations

RESULTS = "replica_check"           # sync_state: device id -> the latest comparison with it
OWED = "replica_check_owed"         # sync_state: digest entries this computer owes (requests, answers)
PUBLISHED = "replica_digest_upto"   # sync_state: the entry its own latest digest described


def _mine(conn, table: str, keys: set[str] | None) -> dict[str, str]:
    return digest.row_hashes(conn, table, keys)


def differing_tables(conn, content: dict, present: set[str], partial_here: bool) -> list[str]:
    held = {t: set(v) for t, v in (content.get("held") or {}).items()}
    differ = []
    for table, theirs in sorted(content["tables"].items()):
        if table not in present or (partial_here and digest.casework(conn, table)):
            continue        # a laptop holds only its cases' rows: it cannot digest the office's
        keys = held.get(table, set()) if content.get("partial") and digest.casework(conn, table) else None
        if digest.table_digest(_mine(conn, table, keys)) != list(theirs):
            differ.append(table)
    return differ


def differing_rows(conn, content: dict, present: set[str], partial_here: bool) -> dict[str, list]:
    named: dict[str, list] = {}
    for table, theirs in sorted((content.get("rows") or {}).items()):
        if table not in present:
            continue
        limited = (content.get("scope") or {}).get(table) == "keys"
        mine = _mine(conn, table, set(theirs) if limited else None)
        if partial_here and digest.casework(conn, table):
            theirs = {k: v for k, v in theirs.items() if k in mine}
        rows = [[k, "different here and there"] for k in sorted(mine.keys() & theirs.keys()) if mine[k] != theirs[k]]
        rows += [[k, "only on this computer"] for k in sorted(mine.keys() - theirs.keys())]
        rows += [[k, "only on the other computer"] for k in sorted(theirs.keys() - mine.keys())]
        if rows:
            named[table] = rows
    return named


def receive(conn, body: dict, seq: int) -> None:
    """Record how another computer's digest compares with this replica; owe it row hashes
    where tables differ. Writes only local state."""
    me = state.get(conn, "device_id")
    if body["by"] == me:
        state.put(conn, PUBLISHED, int(body["upto"]))
        return
    # Comparable only at the same place in the log, with the same tables and columns.
    if state.last_applied(conn) != seq - 1 or int(body["schema"]) != migrations.CURRENT_VERSION:
        return
    content = entry.open_content(conn, body)
    if content is None:
        return
    present = set(digest.tables(conn))
    partial_here = digest.partial(conn)
    differ = differing_tables(conn, content, present, partial_here)
    named = differing_rows(conn, content, present, partial_here)
    results = state.get(conn, RESULTS) or {}
    earlier = (results.get(body["by"]) or {}).get("rows") or {}
    sender = state.device(conn, body["by"])
    results[body["by"]] = {
        "name": sender.name if sender else body["by"], "upto": int(body["upto"]), "seq": seq,
        "at": clock.stamp(), "tables": differ,
        # Rows named by an earlier exchange stay named while their table still differs.
        "rows": {t: named.get(t) or earlier.get(t) for t in differ if named.get(t) or earlier.get(t)}}
    state.put(conn, RESULTS, results)
    owed = state.get(conn, OWED) or []
    if content.get("rows") and content.get("to") == me and content.get("answer") is None:
        owed.append({"to": body["by"], "answer": seq, "tables": sorted(content["rows"]),
                     "keys": {t: sorted(r) for t, r in content["rows"].items()
                              if (content.get("scope") or {}).get(t) == "keys"}})
    need = [t for t in differ if t not in (content.get("rows") or {})]
    if need and content.get("answer") is None:
        keys = {t: v for t, v in (content.get("held") or {}).items() if t in need} if content.get("partial") else {}
        owed.append({"to": body["by"], "answer": None, "tables": need, "keys": keys})
    state.put(conn, OWED, owed)
