"""Check-out and check-in, as the caseworker and the office see them (docs/sync.md §14).

On the laptop: `check_out` asks for cases by reference and waits for an office computer to
answer with their rows; `check_in` syncs, marks them returned, syncs again, and only when the
hub holds every change erases them and compacts the file. Both can be interrupted anywhere
(kill -9, network lost) and simply run again.
"""

import re
import time
from dataclasses import dataclass
from datetime import date, timedelta

from app import clock
from app.domain.dashboard import Item, Section
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ValidationError
from app.services.team import capture, state
from app.services.team import membership as team_membership
from app.services.team.laptop import replica
from app.services.team.laptop.schema import casework
from app.storage import records
from app.storage.db import transaction

DEFAULT_DUE_DAYS = 14
POLICY_ID = "checkout"
CHECKIN_PENDING = "checkin_pending"
CHECKIN_UPTO = "checkin_upto"     # the hub entry that carried this laptop's last changed rows
REF = re.compile(r"^[A-Z]{2,5}-\d{4}-[A-Z]{0,3}\d{1,7}$")
MINE = "MY-OPEN-CASES"        # office.MINE: ask for every open case of one's own
LIST = "MY-CASE-LIST"         # office.LIST: ask for the list of one's open cases, to tick


class CheckoutError(ValidationError):
    """A check-out or check-in cannot go ahead now; the message says why and what to do."""


@dataclass(frozen=True)
class Checkout:
    id: str
    case_ref: str
    case_id: str | None
    device_id: str
    device_name: str
    staff: str
    requested_at: str
    due_back: str
    state: str
    out_at: str | None
    returned_at: str | None
    reason: str | None

    @property
    def overdue(self) -> bool:
        return self.state == "out" and self.due_back < date.today().isoformat()

    def where(self) -> str:
        """The office's line: out on <laptop> with <person> since <date>, due back <date>."""
        since = _uk(self.out_at or self.requested_at)
        return f"out on {self.device_name} with {self.staff} since {since}, due back {_uk(self.due_back)}"


@dataclass(frozen=True)
class CheckoutResult:
    out: list[str]          # references now on this laptop
    refused: list[str]      # one plain line each
    waiting: list[str]      # references no office computer has answered yet


@dataclass(frozen=True)
class ListedCase:
    """One of the caseworker's open cases as the office listed it."""
    case_id: str
    ref: str
    client: str
    child: str | None
    level: str
    opened_on: str
    here: bool                 # out on this laptop now
    out_on: str | None         # out on another laptop (its name): it cannot come here

    @property
    def label(self) -> str:
        about = f" for {self.child}" if self.child else ""
        return f"{self.ref} · {self.client}{about}"


@dataclass(frozen=True)
class CaseList:
    """The caseworker's open cases as the office last listed them (None: never asked)."""
    listed_at: str | None
    cases: list[ListedCase]
    asking: bool               # a request for a fresh list waits for an office computer

    @property
    def not_here(self) -> list[ListedCase]:
        return [c for c in self.cases if not c.here]


@dataclass(frozen=True)
class CheckinResult:
    returned: list[str]
    erased_rows: int


def _uk(iso: str | None) -> str:
    return "" if not iso else f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _now() -> str:
    return clock.stamp()


def _row(r) -> Checkout:
    return Checkout(r["id"], r["case_ref"], r["case_id"], r["device_id"], r["device_name"],
                    r["staff_username"], r["requested_at"], r["due_back"], r["state"], r["out_at"],
                    r["returned_at"], r["reason"])


@grants(Scope.ANY, "the team's setting")
def due_days(session) -> int:
    """The team's default number of days a case may stay out. May raise: Locked."""
    row = session.conn.execute("SELECT due_days FROM checkout_policy WHERE id = ?", (POLICY_ID,)).fetchone()
    return int(row[0]) if row else DEFAULT_DUE_DAYS


@grants(Scope.MANAGER)
def set_due_days(session, days: int) -> None:
    """The manager's setting; it replicates to every computer. May raise: PermissionDenied,
    ValidationError."""
    if not isinstance(days, int) or not 1 <= days <= 90:
        raise ValidationError("Cases may be out for 1 to 90 days.", field="days")
    conn = session.conn
    with transaction(conn):
        if conn.execute("SELECT 1 FROM checkout_policy WHERE id = ?", (POLICY_ID,)).fetchone():
            records.update(conn, "checkout_policy", POLICY_ID, {"due_days": days}, session.user.username)
        else:
            records.insert(conn, "checkout_policy", {"due_days": days}, session.user.username, record_id=POLICY_ID)
        session.audit("checkout_days_set", "setting", POLICY_ID, str(days))


@grants(Scope.ANY)
def this_is_a_laptop(session) -> bool:
    """Whether this computer is a laptop of its team (a partial replica). May raise: Locked."""
    return state.in_team(session.conn) and replica.is_laptop(session.conn)


def _require_laptop(session) -> None:
    session.require(Role.MANAGER, Role.CASEWORKER)
    state.require_team(session.conn)
    if not replica.is_laptop(session.conn):
        raise CheckoutError("Cases are checked out on the laptop that takes them: this computer holds "
                            "the whole service's records already.")


def parse_refs(text: str) -> list[str]:
    """'CAS-2026-00012, CAS-2026-B00013' -> references. May raise: ValidationError."""
    refs = [r.strip().upper() for r in re.split(r"[,\s]+", text or "") if r.strip()]
    bad = [r for r in refs if not REF.match(r)]
    if not refs or bad:
        raise ValidationError(f"{bad[0]} is not a case reference (like CAS-2026-00012)." if bad
                              else "Give at least one case reference.", field="cases")
    return list(dict.fromkeys(refs))


@grants(Scope.CASEWORK, "a laptop asks for cases; the office checks the person again")
def request(session, refs: list[str], days: int | None = None) -> list[str]:
    """Write the check-out requests (they travel at the next sync). Returns their ids.
    `refs` may be [MINE]: every open case of the person asking (the office lists them).

    May raise: PermissionDenied, NotInTeam, CheckoutError, ValidationError."""
    _require_laptop(session)
    conn = session.conn
    days = due_days(session) if days is None else days
    if not isinstance(days, int) or not 1 <= days <= 90:
        raise ValidationError("Cases may be out for 1 to 90 days.", field="days")
    me = state.device(conn, state.get(conn, "device_id"))
    due = (date.today() + timedelta(days=days)).isoformat()
    ids = []
    with transaction(conn):
        for ref in refs:
            open_row = conn.execute("SELECT 1 FROM case_checkout WHERE case_ref = ? AND device_id = ? AND "
                                    "state IN ('requested', 'out')", (ref, me.device_id)).fetchone()
            if open_row:
                continue
            ids.append(records.insert(conn, "case_checkout", {
                "case_ref": ref, "device_id": me.device_id, "device_name": me.name,
                "staff_username": session.user.username, "requested_at": _now(), "due_back": due,
                "state": "requested"}, session.user.username))
        session.audit("checkout_requested", "device", me.device_id, ",".join(refs))
    return ids


@grants(Scope.CASEWORK, "the list of one's own open cases comes from an office computer")
def ask_for_list(session) -> bool:
    """Ask the office for the list of this person's open cases (it travels at the next sync;
    the answer comes in the office's package for this laptop). Returns False when a request
    already waits. May raise: PermissionDenied, NotInTeam, CheckoutError."""
    _require_laptop(session)
    conn = session.conn
    me = state.get(conn, "device_id")
    if conn.execute("SELECT 1 FROM case_checkout WHERE case_ref = ? AND device_id = ? AND staff_username = ? "
                    "AND state = 'requested'", (LIST, me, session.user.username)).fetchone():
        return False
    return bool(request(session, [LIST]))


@grants(Scope.CASEWORK, "this person's own list, kept on this laptop")
def my_cases(session) -> CaseList:
    """The caseworker's open cases as the office last listed them, marked where they are now.
    May raise: PermissionDenied, NotInTeam, CheckoutError."""
    _require_laptop(session)
    conn = session.conn
    me = state.get(conn, "device_id")
    listed = (state.get(conn, replica.DIRECTORY) or {}).get(session.user.username)
    here = set(replica.out_here(conn))
    out_elsewhere = {c.case_id: c.device_name for c in list_checkouts(session)
                     if c.state == "out" and c.device_id != me and c.case_id}
    asking = bool(conn.execute("SELECT 1 FROM case_checkout WHERE case_ref = ? AND device_id = ? AND "
                               "staff_username = ? AND state = 'requested'",
                               (LIST, me, session.user.username)).fetchone())
    if listed is None:
        return CaseList(None, [], asking)
    cases = [ListedCase(c["id"], c["ref"], c.get("client") or "", c.get("child"), c.get("level") or "",
                        c.get("opened_on") or "", c["id"] in here,
                        None if c["id"] in here else out_elsewhere.get(c["id"], c.get("out_on")
                                                                      if c.get("out_to") != me else None))
             for c in listed.get("cases") or []]
    return CaseList(listed.get("at"), cases, asking)


@grants(Scope.CASEWORK)
def refresh_list(session, wait: float = 20.0, sync=None, clock=time.monotonic) -> CaseList:
    """Ask for a fresh list and wait up to `wait` seconds for an office computer to send it.
    May raise: PermissionDenied, NotInTeam, CheckoutError, HubUnavailable, HubError, SyncBlocked."""
    sync = sync or team_membership.sync
    ask_for_list(session)
    deadline = clock() + wait
    while True:
        sync(session)
        found = my_cases(session)
        if not found.asking or clock() >= deadline:
            return found
        hub = team_membership.open_team_hub(session)
        try:
            hub.wait_for_change(min(5.0, max(0.1, deadline - clock())))
        finally:
            hub.close()


@grants(Scope.CASEWORK)
def check_out(session, refs: list[str], days: int | None = None, wait: float = 60.0,
              sync=None, clock=time.monotonic) -> CheckoutResult:
    """Ask for the cases and wait up to `wait` seconds for an office computer to send them.

    May raise: PermissionDenied, NotInTeam, CheckoutError, ValidationError, HubUnavailable,
    HubError, SyncBlocked."""
    from app.services.team import membership

    sync = sync or membership.sync
    since = _now()[:19]
    request(session, refs, days)
    deadline = clock() + wait
    while True:
        sync(session)
        mine = [c for c in list_checkouts(session, device_only=True, include_closed=True)
                if (c.case_ref in refs or (MINE in refs and c.state == "out"))
                and (c.state in ("requested", "out") or c.requested_at >= since)]
        waiting = [c.case_ref for c in mine if c.state == "requested"]
        if not waiting or clock() >= deadline:
            break
        hub = membership.open_team_hub(session)
        try:
            hub.wait_for_change(min(5.0, max(0.1, deadline - clock())))
        finally:
            hub.close()
    conn = session.conn
    out = [c.case_ref for c in mine if c.state == "out" and conn.execute(
        "SELECT 1 FROM casefile WHERE id = ?", (c.case_id,)).fetchone()]
    refused = [f"{c.case_ref}: {c.reason}" for c in mine if c.state == "refused"]
    return CheckoutResult(out, refused, waiting)


@grants(Scope.ANY, "ids, references, computer and staff names: no family's data")
def list_checkouts(session, device_only: bool = False, include_closed: bool = False) -> list[Checkout]:
    """Check-outs as this computer knows them (the office: every laptop's; `device_only`:
    this computer's). May raise: Locked."""
    sql = "SELECT * FROM case_checkout WHERE deleted_at IS NULL AND case_ref != ?"
    args: list = [LIST]
    if not include_closed:
        sql += " AND state IN ('requested', 'out')"
    if device_only:
        sql += " AND device_id = ?"
        args.append(state.get(session.conn, "device_id"))
    return [_row(r) for r in session.conn.execute(sql + " ORDER BY due_back, case_ref", args)]


@grants(Scope.ANY)
def out_on_laptops(session) -> dict[str, Checkout]:
    """case id -> its open check-out: what the office shows beside the paper file register."""
    return {c.case_id: c for c in list_checkouts(session) if c.state == "out" and c.case_id}


@grants(Scope.ANY)
def past_due(session) -> list[str]:
    """References of this computer's cases past their due-back date: while any is, the
    laptop's casework is read-only (the laptop_overdue view is the one rule; the schema's
    trigger enforces it on every write). May raise: Locked."""
    if not state.in_team(session.conn):
        return []
    return [r[0] for r in session.conn.execute("SELECT case_ref FROM laptop_overdue ORDER BY case_ref")]


def not_yet_applied_by(conn) -> list[str]:
    """Names of the office computers (active, not laptops) with no entry on the hub after the
    one that carried this laptop's last changes (entries of sign-in events alone do not
    count), as far as this laptop has synced: they have not yet shown that they applied its
    changes (office.acknowledge). Empty when every one has."""
    me = state.device(conn, state.get(conn, "device_id"))
    upto = state.get(conn, CHECKIN_UPTO) or (me.last_seq if me is not None else 0)
    if me is None or not upto:
        return []
    laptops = replica.laptops(conn) | {me.device_id}
    return [d.name for d in state.devices(conn)
            if d.device_id not in laptops and d.revoked_seq is None and d.last_seq <= upto]


def _work_waiting(conn) -> int:
    """Casework and check-out rows changed here and not yet pushed (a sign-in's own staff
    row does not count: an office computer need not prove it applied that)."""
    tables = set(casework(conn).tables) | {"case_checkout"}
    return sum(1 for table, _, _ in capture.pending_rows(conn) if table in tables)


def _sync_marking(session, sync) -> None:
    """Sync; when changed rows waited and went out, remember the entry that carried them."""
    conn = session.conn
    waiting = _work_waiting(conn)
    sync(session)
    if waiting and not capture.pending_count(conn) and state.get(conn, "in_flight") is None:
        me = state.device(conn, state.get(conn, "device_id"))
        with transaction(conn):
            state.put(conn, CHECKIN_UPTO, me.last_seq)


@grants(Scope.CASEWORK)
def check_in(session, case_ids: list[str] | None = None, sync=None, wait: float = 0.0,
             clock=time.monotonic) -> CheckinResult:
    """Bring cases back: sync, mark them returned, sync again, then (only when every office
    computer has shown on the hub that it applied this laptop's changes: waits up to `wait`
    seconds for that) erase them from this laptop and compact the file. Without `case_ids`:
    every case out here, or the cases of a check-in that was interrupted.

    May raise: PermissionDenied, NotInTeam, CheckoutError, HubUnavailable, HubError, SyncBlocked."""
    from app.services.team import membership
    from app.services.team.sync import open_conflict_count

    _require_laptop(session)
    sync = sync or membership.sync
    conn = session.conn
    targets = list(case_ids or state.get(conn, CHECKIN_PENDING) or replica.out_here(conn))
    with transaction(conn):
        state.put(conn, CHECKIN_PENDING, targets)
    _sync_marking(session, sync)
    if open_conflict_count(conn):
        raise CheckoutError("Some changes clashed with the office's: resolve them on the Conflicts page, "
                            "then check in again. Nothing was erased.")
    me = state.get(conn, "device_id")
    returned = []
    with transaction(conn):
        for cid in targets:
            row = conn.execute("SELECT id, case_ref FROM case_checkout WHERE case_id = ? AND device_id = ? "
                               "AND state = 'out'", (cid, me)).fetchone()
            if row is not None:
                records.update(conn, "case_checkout", row[0], {"state": "returned", "returned_at": _now()},
                               session.user.username)
                session.audit("case_checked_in", "case", cid)
                returned.append(row[1])
    _sync_marking(session, sync)
    if capture.pending_count(conn) or state.get(conn, "in_flight") is not None:
        raise CheckoutError("The hub has not yet received every change made on this laptop; nothing was "
                            "erased. Check in again when the hub can be reached.")
    deadline = clock() + wait
    while not_yet_applied_by(conn) and clock() < deadline:
        hub = membership.open_team_hub(session)
        try:
            hub.wait_for_change(min(5.0, max(0.1, deadline - clock())))
        finally:
            hub.close()
        _sync_marking(session, sync)
    behind = not_yet_applied_by(conn)
    if behind:
        raise CheckoutError(f"The hub has every change made on this laptop, but {', '.join(behind)} "
                            f"ha{'s' if len(behind) == 1 else 've'} not yet applied them; nothing was erased. "
                            "Check in again once the office computers have synced.")
    with transaction(conn):
        erased = replica.erase_outside(conn, replica.out_here(conn))
        conn.execute("DELETE FROM sync_state WHERE key IN (?, ?)", (CHECKIN_PENDING, CHECKIN_UPTO))
        if not replica.out_here(conn):
            # Everything is back: the families' names in the list of cases go too.
            conn.execute("DELETE FROM sync_state WHERE key = ?", (replica.DIRECTORY,))
    replica.compact(conn)
    return CheckinResult(returned, erased)


@grants(Scope.MANAGER)
def dashboard_section(session, today: date | None = None):
    """The manager's dashboard: every case out on a laptop, overdue first. None outside a
    team. May raise: PermissionDenied."""
    if not state.in_team(session.conn):
        return None
    today = today or date.today()
    section = Section("cases_on_laptops", "Cases out on laptops", empty_text="No case is out on a laptop.")
    rows = [c for c in list_checkouts(session) if c.state == "out"]
    rows.sort(key=lambda c: (c.due_back >= today.isoformat(), c.due_back))
    for c in rows:
        late = c.due_back < today.isoformat()
        section.items.append(Item(f"{c.case_ref}: {c.where()}", "case", c.case_id or "",
                                  severity="overdue" if late else "info", detail="overdue" if late else ""))
    return section
