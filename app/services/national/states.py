"""The network's states of an intervention: open, inactive, closed (docs/national.md). A case
goes inactive when its worker says no further work is planned, or when the manager's period
passes with no contact; it is reopened by its worker (casework.cases.reopen_case)."""

from dataclasses import dataclass
from datetime import date

from app import clock
from app.domain.choices import CaseStatus
from app.domain.intervention import INACTIVE_DAYS_DEFAULT, check_inactive_days, inactive_due
from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import case_history
from app.services.casework.cases import load_case
from app.storage import records
from app.storage.db import transaction

POLICY_ID = "national-policy"


@dataclass(frozen=True)
class StateChange:
    state: str
    previous_state: str | None
    changed_on: str
    how: str
    changed_by: str


@grants(Scope.ANY, "a service-wide setting, no family's records")
def inactive_after_days(session: Session) -> int:
    row = session.conn.execute("SELECT inactive_after_days FROM national_policy WHERE id = ? AND deleted_at IS NULL",
                               (POLICY_ID,)).fetchone()
    return int(row[0]) if row else INACTIVE_DAYS_DEFAULT


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


@grants(Scope.MANAGER, "every open case's last contact: the manager's sweep")
def sweep_inactive(session: Session, today: date | None = None) -> list[str]:
    """Make inactive every open case with no contact (opening, note, reopening) for the manager's
    period, dated the day the period ran out. Returns the case references changed.

    May raise: PermissionDenied."""
    today = today or clock.now().date()
    days = inactive_after_days(session)
    due = []
    for case_id, reference in session.conn.execute(
            "SELECT id, reference FROM casefile WHERE status = 'open' AND deleted_at IS NULL").fetchall():
        last = date.fromisoformat(case_history.last_contact(session.conn, case_id))
        if inactive_due(last, today, days):
            due.append((case_id, reference, last))
    with transaction(session.conn):
        for case_id, _reference, last in due:
            _make_inactive(session, case_id, CaseStatus.OPEN.value, last.fromordinal(last.toordinal() + days),
                           "no_contact")
    return [reference for _id, reference, _last in due]


@grants(Scope.CASEWORK, "the case's own history, within the firewall")
def state_history(session: Session, case_id: str) -> list[StateChange]:
    """Oldest first. May raise: PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    return [StateChange(*row) for row in session.conn.execute(
        "SELECT state, previous_state, changed_on, how, created_by FROM case_state_change "
        "WHERE case_id = ? AND deleted_at IS NULL ORDER BY changed_on, created_at", (case.id,))]
