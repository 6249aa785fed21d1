"""The network's states of an intervention: open, inactive, closed (docs/national.md). A case
goes inactive when its worker says no further work is planned, or when the manager's period
passes with no contact; it is reopened by a contact after that (a note: casework.inactivity) or
by its worker (casework.cases.reopen_case)."""

from dataclasses import dataclass
from datetime import date

from app import clock
from app.domain.choices import CaseStatus
from app.domain.intervention import check_inactive_days
from app.domain.role_matrix import Scope, grants, reads_casework
from app.errors import ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import case_history, inactivity
from app.services.casework.cases import load_case
from app.services.team.laptop.replica import is_laptop
from app.storage import records
from app.storage.db import transaction

POLICY_ID = inactivity.POLICY_ID


@dataclass(frozen=True)
class StateChange:
    state: str
    previous_state: str | None
    changed_on: str
    how: str
    changed_by: str


@grants(Scope.ANY, "a service-wide setting, no family's records")
def inactive_after_days(session: Session) -> int:
    return inactivity.period_days(session.conn)


@grants(Scope.MANAGER, "the manager sets the service's period")
def set_inactive_after_days(session: Session, days) -> int:
    """May raise: ValidationError (not a whole number of days in range), PermissionDenied."""
    days = check_inactive_days(days)
    conn = session.conn
    with transaction(conn):
        if conn.execute("SELECT 1 FROM national_policy WHERE id = ?", (POLICY_ID,)).fetchone():
            records.update(conn, "national_policy", POLICY_ID, {"inactive_after_days": days}, session.user.username)
        else:
            records.insert(conn, "national_policy", {"inactive_after_days": days}, session.user.username,
                           record_id=POLICY_ID)
        session.audit("setting_changed", "setting", "inactive_after_days", {"value": days})
    return days


def _make_inactive(session: Session, case_id: str, previous: str, day: date, how: str) -> None:
    records.update(session.conn, "casefile", case_id, {"status": CaseStatus.INACTIVE.value}, session.user.username)
    case_history.record_state(session.conn, case_id, CaseStatus.INACTIVE.value, previous, day, how,
                              session.user.username)
    session.audit("case_inactive", "case", case_id, {"how": how})


@grants(Scope.CASEWORK, "within the firewall")
def make_inactive(session: Session, case_id: str, on: date | None = None):
    """No further work is planned for now: the case stays in the service's figures as inactive
    until it is reopened or closed.

    May raise: ValidationError (not open, a day before it opened), PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("Only an open case can be made inactive.", field="status")
    day = on or clock.now().date()
    if day < date.fromisoformat(case.opened_on):
        raise ValidationError("A case cannot go inactive before the day it opened.", field="on")
    with transaction(session.conn):
        _make_inactive(session, case.id, case.status, day, "made_inactive")
    return load_case(session, case_id)


@grants(Scope.CASEWORK, "applies the manager's rule to every case: reads only days and states")
def sweep_inactive(session: Session, today: date | None = None) -> list[str]:
    """Apply the manager's no-contact rule to every open or inactive case (casework.inactivity):
    open cases past the period go inactive, dated the day it ran out; inactive ones with a
    contact since are open again. Every computer of a team runs it (at unlock and daily) and
    they all write the same rows. Returns the references of the cases that went inactive.

    May raise: PermissionDenied (a locked session, a volunteer: their compartment holds no cases)."""
    today = today or clock.now().date()
    conn, actor = session.conn, session.user.username
    days = inactivity.period_days(conn)
    went = []
    with transaction(conn):
        for case_id, reference in conn.execute(
                "SELECT id, reference FROM casefile WHERE status IN ('open', 'inactive') AND deleted_at IS NULL "
                "ORDER BY id").fetchall():
            changes = inactivity.settle(conn, case_id, today, days, actor)
            for change in changes:
                session.audit("case_inactive" if change.state == CaseStatus.INACTIVE.value else "case_reopened",
                              "case", case_id, {"how": change.how, "on": change.on.isoformat()})
            if changes and changes[-1].state == CaseStatus.INACTIVE.value:
                went.append(reference)
    return went


@grants(Scope.ANY, "the rule by itself, where it can see every case; nothing on a volunteer's computer")
def sweep_automatically(session: Session, today: date | None = None) -> list[str] | None:
    """The sweep the screens run at unlock and daily. None where it does not run: a volunteer's
    session (their compartment holds no cases) and a laptop (it holds only the cases out on it;
    the office computers settle every case and the laptop receives the result).

    May raise: PermissionDenied (a locked session)."""
    if session.compartment or not reads_casework(session.user.role) or is_laptop(session.conn):
        return None
    return sweep_inactive(session, today)


@grants(Scope.CASEWORK, "the case's own history, within the firewall")
def state_history(session: Session, case_id: str) -> list[StateChange]:
    """Oldest first. May raise: PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    return [StateChange(*row) for row in session.conn.execute(
        "SELECT state, previous_state, changed_on, how, created_by FROM case_state_change "
        "WHERE case_id = ? AND deleted_at IS NULL AND how != 'withdrawn' ORDER BY changed_on, created_at",
        (case.id,))]
