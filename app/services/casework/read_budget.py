"""Bulk reads: the limits every person-returning read path applies, and a budget of different
people one account may read in a time window (docs/security.md, "Bulk reads").

A volunteer looks people up one caller at a time. A loop of short look-ups (every two-letter
start of a name) read the whole service's list of people in a second; the per-call limits
cannot stop that alone, so each account also has a budget of *different* people read (listed
in a pick list or search, or opened) within a window of hours. Past it the read is refused
in plain words, nothing of it is shown, the refusal is audited, and the manager's dashboard
lists the account. People read again inside the window do not count twice. The count is
kept per account on this computer (`person_read`, never replicated).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app import clock
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ReadLimitReached, ValidationError
from app.security.session import Session
from app.services import access
from app.storage.db import transaction

# What every look-up by a volunteer needs (people.find_people and search.search alike).
VOLUNTEER_MIN_LETTERS = 2
VOLUNTEER_MAX_ROWS = 20

SETTING = "read_budget"
# A volunteer taking general-information calls looks up a few callers an hour; a caseworker
# works in many more files. The manager has no budget (subject access, reports).
DEFAULTS = {"volunteer": 150, "caseworker": 1500, "hours": 8}
BUDGET_RANGE = (20, 100_000)
HOURS_RANGE = (1, 168)
SHOWN_DAYS = 7
REFUSED = "read_budget_reached"


@dataclass(frozen=True)
class Limits:
    volunteer: int
    caseworker: int
    hours: int

    def budget_for(self, role: Role) -> int | None:
        return {Role.VOLUNTEER: self.volunteer, Role.CASEWORKER: self.caseworker}.get(role)


def _now() -> datetime:
    return clock.now()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@grants(Scope.ANY, "the budgets in force")
def limits(session: Session) -> Limits:
    """The budgets in force on this computer."""
    session.require()
    return _limits(session.conn)


def _limits(conn) -> Limits:
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (SETTING,)).fetchone()
    stored = json.loads(row[0]) if row else {}
    values = {k: int(stored.get(k, v)) for k, v in DEFAULTS.items()}
    return Limits(values["volunteer"], values["caseworker"], values["hours"])


@grants(Scope.MANAGER)
def set_limits(session: Session, volunteer, caseworker, hours) -> Limits:
    """The manager sets the budgets. May raise: PermissionDenied, ValidationError."""
    session.require(Role.MANAGER)
    values = {}
    for name, value, (low, high) in (("volunteer", volunteer, BUDGET_RANGE), ("caseworker", caseworker, BUDGET_RANGE),
                                     ("hours", hours, HOURS_RANGE)):
        try:
            values[name] = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"Enter the {name} limit as a whole number.", field=name) from None
        if not low <= values[name] <= high:
            raise ValidationError(f"The {name} limit must be between {low:,} and {high:,}.", field=name)
    with transaction(session.conn):
        session.conn.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by",
            (SETTING, json.dumps(values), _stamp(_now()), session.user.username))
        session.audit("setting_changed", "setting", SETTING, values)
    return Limits(**values)


@grants(Scope.HELPER, "counts the people a read returns against the account's budget")
def charge(session: Session, person_ids: Iterable[str], what: str, bulk: dict | None = None) -> None:
    """Count these people as read by the signed-in account; refuse the whole read when the
    different people read in the window would pass its budget. Call before anything is shown.
    `bulk`: what a list or search asked, written as its bulk-read audit row (access.audit_bulk_read)
    in the same transaction, so a look-up costs one commit, not two.

    May raise: ReadLimitReached (audited)."""
    ids = sorted({p for p in person_ids if p})
    conn = session.conn
    current = _limits(conn)
    budget, hours = current.budget_for(session.user.role), current.hours
    bulk = dict(bulk) if bulk is not None else None
    rows = bulk.pop("rows", len(ids)) if bulk is not None else 0
    if not ids or budget is None:
        if bulk is not None:
            access.audit_bulk_read(session, what, rows, **bulk)
        return
    now = _now()
    if conn.in_transaction:       # inside the caller's write: its commit keeps the count
        refused = _count(session, ids, budget, hours, now, what)
    else:
        with transaction(conn):
            refused = _count(session, ids, budget, hours, now, what)
            if refused is None and bulk is not None:
                access.audit_bulk_read(session, what, rows, **bulk)
    if refused is not None:
        raise ReadLimitReached(
            f"You have looked up {refused:,} different people in the last {hours} hours, and this would "
            f"pass the {budget:,} a {session.user.role.value}'s account may look up in that time. "
            "Nothing more is shown until earlier look-ups are older than that. If you need more, "
            "ask your manager (this was recorded, and the manager can see it).")


def _count(session: Session, ids: list[str], budget: int, hours: int, now: datetime, what: str) -> int | None:
    """Record the read, or the refusal (audited) and return how many were read already."""
    conn, user = session.conn, session.user.username
    conn.execute("DELETE FROM person_read WHERE username = ? AND read_at < ?",
                 (user, _stamp(now - timedelta(hours=hours))))
    read = conn.execute("SELECT count(*) FROM person_read WHERE username = ?", (user,)).fetchone()[0]
    known = conn.execute("SELECT count(*) FROM person_read WHERE username = ? AND person_id IN "
                         "(SELECT value FROM json_each(?))", (user, json.dumps(ids))).fetchone()[0]
    if read + len(ids) - known > budget:
        session.audit(REFUSED, "staff", session.user.id,
                      {"what": what, "budget": budget, "hours": hours, "asked": len(ids)})
        return read
    conn.execute("INSERT INTO person_read (username, person_id, read_at) SELECT ?, value, ? FROM json_each(?) "
                 "WHERE true ON CONFLICT(username, person_id) DO UPDATE SET read_at = excluded.read_at",
                 (user, _stamp(now), json.dumps(ids)))
    return None


@dataclass(frozen=True)
class Refusal:
    username: str
    full_name: str
    times: int
    last_at: str
    staff_id: str


@grants(Scope.MANAGER, "dashboard: accounts the budget refused")
def accounts_refused(session: Session, today: date | None = None) -> list[Refusal]:
    """Accounts refused by the budget in the last SHOWN_DAYS days, most recent first."""
    session.require(Role.MANAGER)
    since = (today or _now().date()) - timedelta(days=SHOWN_DAYS)
    rows = session.conn.execute(
        "SELECT a.actor, s.full_name, count(*), max(a.at), s.id FROM audit_event a LEFT JOIN staff s ON "
        "s.username = a.actor WHERE a.action = ? AND a.at >= ? GROUP BY a.actor ORDER BY max(a.at) DESC",
        (REFUSED, since.isoformat()))
    return [Refusal(r[0], r[1] or r[0], r[2], r[3], r[4] or "") for r in rows]
