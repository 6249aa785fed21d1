"""A full replica's side of check-out (docs/sync.md §14): answer the laptops' requests.

A laptop asks for cases by writing `case_checkout` rows (state 'requested') and syncing. The
next full replica to sync (any office computer: the sync timer or the hub's NOTIFY starts
it) marks each request 'out' or 'refused', and the bundle that carries those changes also
carries, for each laptop, a package of exactly the rows its cases need (closure.py), under
the team key like every bundle. The package is built when the bundle is sealed, from the
state at the bundle's base, so it is never older than the log position it is applied at.
"""


from app import clock
from app.domain.staff import Role
from app.services.team.laptop.closure import case_closure, rows_of_closure
from app.services.team.laptop.replica import is_laptop
from app.storage import records


def _now() -> str:
    return clock.stamp()


def _refusal(conn, row) -> tuple[str | None, str | None]:
    """(case id, reason it cannot go out or None)."""
    case = conn.execute("SELECT id FROM casefile WHERE reference = ? AND deleted_at IS NULL",
                        (row["case_ref"],)).fetchone()
    if case is None:
        return None, f"There is no case {row['case_ref']}."
    staff = conn.execute("SELECT role, active FROM staff WHERE username = ?", (row["staff_username"],)).fetchone()
    if staff is None or not staff["active"] or staff["role"] == Role.VOLUNTEER.value:
        return case[0], "Only an active caseworker or manager can take cases out."
    elsewhere = conn.execute("SELECT device_name FROM case_checkout WHERE case_id = ? AND state = 'out' "
                             "AND id != ?", (case[0], row["id"])).fetchone()
    if elsewhere is not None:
        return case[0], f"{row['case_ref']} is already out on {elsewhere[0]}."
    return case[0], None


MINE = "MY-OPEN-CASES"      # a request for every open case of the person asking


def _expand_mine(conn, row, by: str) -> None:
    """One 'out' row per open case of theirs that is not out already; the request itself is
    then closed (state 'expanded')."""
    staff = conn.execute("SELECT role, active FROM staff WHERE username = ?", (row["staff_username"],)).fetchone()
    if staff is None or not staff["active"] or staff["role"] == Role.VOLUNTEER.value:
        records.update(conn, "case_checkout", row["id"], {"state": "refused",
                       "reason": "Only an active caseworker or manager can take cases out."}, by)
        return
    for case_id, ref in conn.execute(
            "SELECT c.id, c.reference FROM casefile c WHERE c.worker = ? AND c.status = 'open' AND "
            "c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM case_checkout k WHERE k.case_id = c.id AND "
            "k.state = 'out') ORDER BY c.reference", (row["staff_username"],)).fetchall():
        records.insert(conn, "case_checkout", {
            "case_ref": ref, "case_id": case_id, "device_id": row["device_id"], "device_name": row["device_name"],
            "staff_username": row["staff_username"], "requested_at": row["requested_at"],
            "due_back": row["due_back"], "state": "out", "out_at": _now()}, by)
    records.update(conn, "case_checkout", row["id"], {"state": "expanded"}, by)


def answer_requests(conn, by: str) -> int:
    """Mark every open request out or refused (captured: it travels in the next push).
    Returns how many were answered. A laptop never answers."""
    if is_laptop(conn):
        return 0
    rows = conn.execute("SELECT * FROM case_checkout WHERE state = 'requested' AND deleted_at IS NULL "
                        "ORDER BY requested_at").fetchall()
    if not rows:
        return 0
    from app.storage.db import transaction

    with transaction(conn):
        for row in rows:
            if row["case_ref"] == MINE:
                _expand_mine(conn, row, by)
                continue
            case_id, reason = _refusal(conn, row)
            if reason is None:
                records.update(conn, "case_checkout", row["id"],
                               {"state": "out", "case_id": case_id, "out_at": _now()}, by)
            else:
                records.update(conn, "case_checkout", row["id"],
                               {"state": "refused", "case_id": case_id, "reason": reason}, by)
    return len(rows)


def packages(conn) -> list[dict]:
    """The packages for requests this computer marked 'out' and has not pushed yet."""
    rows = conn.execute(
        "SELECT c.device_id, c.case_id FROM case_checkout c WHERE c.state = 'out' AND EXISTS "
        "(SELECT 1 FROM sync_outbox o WHERE o.tbl = 'case_checkout' AND o.pk = json_array(c.id))").fetchall()
    by_device: dict[str, list[str]] = {}
    for device_id, case_id in rows:
        by_device.setdefault(device_id, []).append(case_id)
    return [{"to": device_id, "cases": sorted(case_ids),
             "rows": rows_of_closure(conn, case_closure(conn, case_ids))}
            for device_id, case_ids in sorted(by_device.items())]
