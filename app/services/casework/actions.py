"""Actions with due dates and an owner; the "due today" and "overdue" lists."""

from dataclasses import dataclass
from datetime import date

from app import clock
from app.domain.records import Action
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean, parse_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import cases
from app.storage import records
from app.storage.db import transaction
from app.storage.staff_repo import StaffRepo


@grants(Scope.CASEWORK)
def add_action(session: Session, case_id: str, title: str, due_on, owner: str | None = None,
               today: date | None = None) -> Action:
    case = cases.load_case(session, case_id)
    text = clean(title, "title", "What needs doing", required=True, max_len=300)
    due = parse_date(due_on, "due_on", "Due date", required=True)
    if due < date.fromisoformat(case.opened_on):
        raise ValidationError("The due date is before the case was opened.", field="due_on")
    owner_name = (owner or session.user.username).strip().lower()
    member = StaffRepo(session.conn).get_by_username(owner_name)
    if member is None or not member.active:
        raise ValidationError("Choose an active member of staff to own the action.", field="owner")
    with transaction(session.conn):
        action_id = records.insert(session.conn, "action_item", {
            "case_id": case.id, "title": text, "due_on": due.isoformat(), "owner": owner_name},
            session.user.username)
        session.audit("action_added", "action", action_id, {"case": case.id})
    return _load(session, action_id)


@grants(Scope.CASEWORK)
def complete_action(session: Session, action_id: str, done: bool = True) -> Action:
    action = _load(session, action_id)
    cases.load_case(session, action.case_id)
    values = ({"done_at": clock.stamp(), "done_by": session.user.username}
              if done else {"done_at": None, "done_by": None})
    with transaction(session.conn):
        records.update(session.conn, "action_item", action.id, values, session.user.username)
        session.audit("action_done" if done else "action_reopened", "action", action.id)
    return _load(session, action_id)


def _load(session: Session, action_id: str) -> Action:
    row = records.fetch(session.conn, "action_item", action_id)
    if row is None:
        raise NotFound("That action does not exist.")
    return Action.from_row(row)


@grants(Scope.CASEWORK)
def actions_for_case(session: Session, case_id: str) -> list[Action]:
    cases.load_case(session, case_id)
    rows = session.conn.execute("SELECT * FROM action_item WHERE case_id = ? AND deleted_at IS NULL "
                                "ORDER BY done_at IS NOT NULL, due_on", (case_id,))
    return [Action.from_row(r) for r in rows]


@dataclass
class DueActions:
    overdue: list[Action]
    due_today: list[Action]


@grants(Scope.CASEWORK)
def my_due_actions(session: Session, today: date | None = None, owner: str | None = None) -> DueActions:
    """Open actions of one owner (default: me) that are overdue or due today, oldest first."""
    today = today or date.today()
    params = {**access.visibility_params(session), "owner": owner or session.user.username,
              "today": today.isoformat()}
    rows = session.conn.execute(
        "SELECT a.*, c.reference AS case_reference FROM action_item a JOIN casefile c ON c.id = a.case_id "
        f"WHERE a.owner = :owner AND a.done_at IS NULL AND a.deleted_at IS NULL AND a.due_on <= :today "
        f"AND {access.VISIBLE_CASE_SQL} ORDER BY a.due_on", params)
    found = [Action.from_row(r) for r in rows]
    return DueActions([a for a in found if a.due_on < today.isoformat()],
                      [a for a in found if a.due_on == today.isoformat()])
