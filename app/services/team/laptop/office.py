"""A full replica's side of check-out (docs/sync.md §14): answer the laptops' requests.

A laptop asks for cases by writing `case_checkout` rows (state 'requested') and syncing. The
next full replica to sync (any office computer: the sync timer or the hub's NOTIFY starts
it) marks each request 'out' or 'refused', and the bundle that carries those changes also
carries, for each laptop, a package of exactly the rows its cases need (closure.py), under
the team key like every bundle. The package is built when the bundle is sealed, from the
state at the bundle's base, so it is never older than the log position it is applied at.
"""

import json
from datetime import date, timedelta

from app import clock
from app.domain import firewall, role_matrix
from app.domain.staff import Role
from app.security import audit
from app.services.team import state
from app.services.team.laptop.closure import case_closure, filed_on_open, rows_of_closure
from app.services.team.laptop.replica import PIECE_OWNERS, is_laptop, laptops
from app.services.team.laptop.schema import FILED_ON_PERSON, casework
from app.storage import records
from app.storage.db import transaction

MAX_DAYS = 90
NOT_STAFF = "Only an active caseworker or manager can take cases out."
FIREWALLED = ("{ref} is a young person's own case that {who} may not see: it stays in the office. "
              "Its caseworker or the manager can take it out.")


def _now() -> str:
    return clock.stamp()


def _days(row) -> int:
    """How long the laptop asked to keep the case: the distance between two dates both written
    by the laptop's clock, so a wrong clock changes neither."""
    try:
        asked = (date.fromisoformat(row["due_back"][:10]) - date.fromisoformat(row["requested_at"][:10])).days
    except (TypeError, ValueError):
        asked = 0
    return min(max(asked, 1), MAX_DAYS)


def _today() -> date:
    return clock.now().date()


def _due_back(row) -> str:
    """Set by this (office) computer's clock, never the laptop's (docs/sync.md §14)."""
    return (_today() + timedelta(days=_days(row))).isoformat()


def _staff_refusal(conn, username: str) -> tuple[firewall.Viewer | None, str | None]:
    """The person asking, as the firewall sees them, or why they may not take cases out."""
    staff = conn.execute("SELECT role, active FROM staff WHERE username = ?", (username,)).fetchone()
    try:
        role = Role(staff["role"]) if staff is not None else None
    except ValueError:
        role = None
    if role is None or not role_matrix.may_work_cases(role, staff["active"]):
        return None, NOT_STAFF
    return firewall.Viewer(reads_casework=True, manager=role == Role.MANAGER, username=username), None


def _refusal(conn, row) -> tuple[str | None, str | None]:
    """(case id, reason it cannot go out or None)."""
    case = conn.execute("SELECT id, worker, own_case, shared_with_family, client_id FROM casefile "
                        "WHERE reference = ? AND deleted_at IS NULL", (row["case_ref"],)).fetchone()
    if case is None:
        return None, f"There is no case {row['case_ref']}."
    viewer, reason = _staff_refusal(conn, row["staff_username"])
    if reason is not None:
        return case[0], reason
    if not firewall.allows(viewer, case):
        return case[0], FIREWALLED.format(ref=row["case_ref"], who=row["staff_username"])
    elsewhere = conn.execute("SELECT device_name FROM case_checkout WHERE case_id = ? AND state = 'out' "
                             "AND id != ? AND device_id != ?", (case[0], row["id"], row["device_id"])).fetchone()
    if elsewhere is not None:
        return case[0], f"{row['case_ref']} is already out on {elsewhere[0]}."
    return case[0], None


MINE = "MY-OPEN-CASES"      # a request for every open case of the person asking
LIST = "MY-CASE-LIST"       # a request for the list of one's open cases, to choose from


def _list_mine(conn, row, by: str) -> None:
    """Close a request for the list of one's open cases: 'listed' (the list itself travels in
    the laptop's package, built when the bundle is sealed) or 'refused'."""
    _viewer, reason = _staff_refusal(conn, row["staff_username"])
    if reason is not None:
        records.update(conn, "case_checkout", row["id"], {"state": "refused", "reason": reason}, by)
        return
    records.update(conn, "case_checkout", row["id"], {"state": "listed"}, by)


def directory(conn, username: str) -> list[dict]:
    """The open cases of `username` the firewall lets them see, with what they need to pick
    one (reference, the family, support level, opened) and where each is out, if anywhere."""
    viewer, reason = _staff_refusal(conn, username)
    if reason is not None:
        return []
    out = []
    for case in conn.execute(
            "SELECT c.id, c.reference, c.worker, c.own_case, c.shared_with_family, c.client_id, c.level, "
            "c.opened_on, trim(coalesce(p.first_name, '') || ' ' || coalesce(p.last_name, '')) AS client, "
            "trim(coalesce(k.first_name, '') || ' ' || coalesce(k.last_name, '')) AS child, "
            "(SELECT device_name FROM case_checkout o WHERE o.case_id = c.id AND o.state = 'out' LIMIT 1) AS out_on, "
            "(SELECT device_id FROM case_checkout o WHERE o.case_id = c.id AND o.state = 'out' LIMIT 1) AS out_to "
            "FROM casefile c JOIN person p ON p.id = c.client_id JOIN person k ON k.id = c.child_id "
            "WHERE c.worker = ? AND c.status = 'open' AND c.deleted_at IS NULL ORDER BY c.reference",
            (username,)).fetchall():
        if firewall.allows(viewer, case):
            out.append({"id": case["id"], "ref": case["reference"], "client": case["client"],
                        "child": None if case["own_case"] else case["child"], "level": case["level"],
                        "opened_on": case["opened_on"], "out_on": case["out_on"], "out_to": case["out_to"]})
    return out


def _expand_mine(conn, row, by: str) -> None:
    """One 'out' row per open case of theirs that is not out already; the request itself is
    then closed (state 'expanded')."""
    viewer, reason = _staff_refusal(conn, row["staff_username"])
    if reason is not None:
        records.update(conn, "case_checkout", row["id"], {"state": "refused", "reason": reason}, by)
        return
    for case in conn.execute(
            "SELECT c.id, c.reference, c.worker, c.own_case, c.shared_with_family, c.client_id FROM casefile c "
            "WHERE c.worker = ? AND c.status = 'open' AND c.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
            "case_checkout k WHERE k.case_id = c.id AND k.state = 'out') ORDER BY c.reference",
            (row["staff_username"],)).fetchall():
        if not firewall.allows(viewer, case):
            continue
        records.insert(conn, "case_checkout", {
            "case_ref": case["reference"], "case_id": case["id"], "device_id": row["device_id"],
            "device_name": row["device_name"], "staff_username": row["staff_username"],
            "requested_at": row["requested_at"], "due_back": _due_back(row), "state": "out", "out_at": _now()}, by)
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
    with transaction(conn):
        for row in rows:
            if row["case_ref"] == MINE:
                _expand_mine(conn, row, by)
                continue
            if row["case_ref"] == LIST:
                _list_mine(conn, row, by)
                continue
            case_id, reason = _refusal(conn, row)
            if reason is None:
                due = _due_back(row)
                # Asked again on the laptop that has it (a row it could not write): the case
                # is sent afresh, keeping the date it was first due back.
                for earlier in conn.execute("SELECT id, due_back FROM case_checkout WHERE case_id = ? AND "
                                            "state = 'out' AND device_id = ? AND id != ?",
                                            (case_id, row["device_id"], row["id"])).fetchall():
                    due = earlier["due_back"]
                    records.update(conn, "case_checkout", earlier["id"], {"state": "renewed"}, by)
                records.update(conn, "case_checkout", row["id"],
                               {"state": "out", "case_id": case_id, "out_at": _now(), "due_back": due}, by)
            else:
                records.update(conn, "case_checkout", row["id"],
                               {"state": "refused", "case_id": case_id, "reason": reason}, by)
    return len(rows)


ACKED = "laptop_entries_acked"     # laptop device id -> its last hub entry this computer said it applied
APPLIED = "laptop_entries_applied"


def acknowledge(conn, by: str) -> int:
    """Say on the hub (an audit event, pushed with this sync) that this office computer has
    applied each laptop's entries up to its latest: a computer appends only after applying
    everything before, so its next entry proves it, and a laptop erases nothing at check-in
    until every office computer has given that proof (checkout.not_yet_applied_by). Returns
    how many laptops it acknowledged."""
    if is_laptop(conn):
        return 0
    acked = state.get(conn, ACKED) or {}
    due = [d for d in (state.device(conn, dev) for dev in sorted(laptops(conn)))
           if d is not None and d.revoked_seq is None and d.last_seq > int(acked.get(d.device_id, 0))]
    if not due:
        return 0
    with transaction(conn):
        for d in due:
            audit.append(conn, by, APPLIED, "device", d.device_id, {"seq": d.last_seq})
            acked[d.device_id] = d.last_seq
        state.put(conn, ACKED, acked)
    return len(due)


# Rows that go after their package, a bounded number per bundle (docs/sync.md §14, "Pieces"):
# a document's bytes. Declared once, in replica.PIECE_OWNERS.
PIECES = frozenset(PIECE_OWNERS)


def packages(conn, before_seq: int | None = None) -> tuple[list[dict], list[list[str]]]:
    """The packages for requests this computer marked 'out' and has not pushed yet (with
    `before_seq`, only those whose 'out' row this bundle carries), and the pieces that follow
    them in later bundles: [laptop id, table, row id]."""
    bound = "" if before_seq is None else f" AND o.seq < {int(before_seq)}"
    rows = conn.execute(
        "SELECT c.device_id, c.case_id FROM case_checkout c WHERE c.state = 'out' AND EXISTS "
        f"(SELECT 1 FROM sync_outbox o WHERE o.tbl = 'case_checkout' AND o.pk = json_array(c.id){bound})").fetchall()
    by_device: dict[str, list[str]] = {}
    for device_id, case_id in rows:
        by_device.setdefault(device_id, []).append(case_id)
    out, later = [], []
    for device_id, case_ids in sorted(by_device.items()):
        closure = case_closure(conn, case_ids)
        for table in PIECES:
            later += [[device_id, table, i] for i in sorted(closure.pop(table, set()))]
        out.append({"to": device_id, "cases": sorted(case_ids), "rows": rows_of_closure(conn, closure)})
    # A list asked for: the person's open cases, to tick on the laptop (docs/sync.md §14).
    for device_id, username in conn.execute(
            "SELECT DISTINCT c.device_id, c.staff_username FROM case_checkout c WHERE c.state = 'listed' AND "
            "EXISTS (SELECT 1 FROM sync_outbox o WHERE o.tbl = 'case_checkout' AND o.pk = json_array(c.id)) "
            "ORDER BY 1, 2").fetchall():
        listing = {"staff": username, "at": _now(), "cases": directory(conn, username)}
        package = next((p for p in out if p["to"] == device_id), None)
        if package is None:
            package = {"to": device_id, "cases": [], "rows": {}}
            out.append(package)
        package.setdefault("directories", []).append(listing)
    return out, later


def add_filed_on(conn, packages: list[dict], wires: list[dict]) -> list[dict]:
    """A record filed on a person (schema.FILED_ON_PERSON) that this bundle makes, put in the
    package of each laptop that holds a case about that person, as its check-out would have
    (closure._filed_on, the firewall included): a laptop cannot tell by itself whether the
    person has an own case it does not hold (docs/sync.md §14, "Filed on a person"). The row
    goes ahead of the bundle's changes, so what hangs off it (a document's bytes, here and in
    later bundles) is then a change to a row the laptop holds. Returns `packages`, extended."""
    if is_laptop(conn):
        return packages
    made: dict[str, list[dict]] = {}
    refs = casework(conn).case_refs
    for w in wires:
        column, after = FILED_ON_PERSON.get(w["t"]), w.get("a")
        # One that names a case belongs to that case and follows it (closure.keep_remote).
        if column and w.get("b") is None and after and after.get(column) and \
                not any(after.get(c) for c in refs.get(w["t"], ())):
            made.setdefault(w["t"], []).append(after)
    if not made:
        return packages
    people = {image[FILED_ON_PERSON[t]] for t, images in made.items() for image in images}
    out_cases: dict[str, set[str]] = {}
    for device_id, case_id in conn.execute("SELECT device_id, case_id FROM case_checkout WHERE state = 'out' "
                                           "AND case_id IS NOT NULL AND deleted_at IS NULL").fetchall():
        out_cases.setdefault(device_id, set()).add(case_id)
    for device_id, case_ids in sorted(out_cases.items()):
        open_people = filed_on_open(conn, people, case_ids)
        rows = {t: [i for i in images if i[FILED_ON_PERSON[t]] in open_people] for t, images in made.items()}
        rows = {t: images for t, images in rows.items() if images}
        if not rows:
            continue
        package = next((p for p in packages if p["to"] == device_id), None)
        if package is None:
            package = {"to": device_id, "cases": [], "rows": {}}
            packages.append(package)
        for table, images in rows.items():
            have = package["rows"].setdefault(table, [])
            ids = {i.get("id") for i in have}
            have.extend(i for i in images if i.get("id") not in ids)
    return packages


def next_pieces(conn, budget: int) -> tuple[list[dict], list[int]]:
    """Queued pieces for laptops, up to about `budget` bytes of images (at least one): as
    packages with no cases, and the queue rows they came from."""
    taken, size, by_device = [], 0, {}
    for queue_id, device_id, table, row_id in conn.execute(
            "SELECT id, device_id, tbl, row_id FROM sync_piece_queue ORDER BY id").fetchall():
        if table not in PIECES:
            taken.append(queue_id)
            continue
        row = rows_of_closure(conn, {table: {row_id}}).get(table, [])
        piece = sum(len(v) if isinstance(v, bytes) else len(json.dumps(v)) for image in row for v in image.values())
        if taken and size + piece > budget:
            break
        taken.append(queue_id)
        size += piece
        by_device.setdefault(device_id, {}).setdefault(table, []).extend(row)
    return [{"to": d, "cases": [], "rows": rows} for d, rows in sorted(by_device.items())], taken


def queue_pieces(conn, later: list[list[str]]) -> None:
    conn.executemany("INSERT INTO sync_piece_queue (device_id, tbl, row_id) VALUES (?, ?, ?)", later)


def drop_pieces(conn, sent: list[int]) -> None:
    conn.executemany("DELETE FROM sync_piece_queue WHERE id = ?", [(i,) for i in sent])


def pieces_waiting(conn) -> int:
    return conn.execute("SELECT count(*) FROM sync_piece_queue").fetchone()[0]
