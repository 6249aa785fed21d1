"""Cases: opening (R3 eligibility), viewing (audited, firewalled by R4), the case list,
closing with reasons and outcomes, and the manager-only link between separate enquiries."""

import json
from dataclasses import dataclass
from datetime import date

from app import clock
from app.domain.choices import (
    CaseStatus,
    ClosureReason,
    InterventionLevel,
    Outcome,
    PersonKind,
    SupportLevel,
)
from app.domain.intervention import parse_level
from app.domain.records import Case, CaseSummary, Person
from app.domain.role_matrix import Scope, grants, manages, may_work_cases
from app.domain.text import clean, parse_date
from app.errors import NotEligible, NotFound, PermissionDenied, StaleEdit, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import case_history, people
from app.storage import records, search_index
from app.storage.db import transaction
from app.storage.staff_repo import StaffRepo

CASE_SELECT = (
    "SELECT c.*, trim(cl.first_name || ' ' || cl.last_name) AS client_name, "
    "trim(ch.first_name || ' ' || ch.last_name) AS child_name FROM casefile c "
    "JOIN person cl ON cl.id = c.client_id JOIN person ch ON ch.id = c.child_id ")


@grants(Scope.CASEWORK)
def check_eligible(session: Session, client_id: str, child_id: str, enquiry_id: str | None = None) -> None:
    """R3: casework only for the child/young person, or someone with parental responsibility.

    May raise: NotEligible, saying why casework cannot open (and, when an enquiry asked for
    casework, that it stays general information); PermissionDenied.
    """
    # Read past the people firewall on purpose: a parent's caseworker may open the parent's case
    # about a child who so far is known only through the child's own case (R4 keeps the two
    # cases apart, not the family's names); after this the child shows in the parent's case.
    client, child = _person(session, client_id), _person(session, child_id)
    if child.kind != PersonKind.CHILD:
        raise NotEligible(f"{child.full_name} is not recorded as a child or young person, so no case "
                          "can be opened for them.")
    if client_id == child_id:
        return
    if people.holds_parental_responsibility(session.conn, client_id, child_id):
        return
    link = session.conn.execute("SELECT relationship FROM relationship WHERE adult_id = ? AND child_id = ? "
                                "AND deleted_at IS NULL", (client_id, child_id)).fetchone()
    how = f"recorded as {link[0].replace('_', ' ')} without parental responsibility" if link else \
        "not recorded as holding parental responsibility"
    after = " The enquiry stays general information." if enquiry_id else ""
    raise NotEligible(
        f"Casework cannot be opened: {client.full_name} is {how} for {child.full_name}, and casework is only "
        f"for the child or young person themselves, or someone with parental responsibility for them. We can "
        f"give {client.full_name} general information only.{after}")


def _person(session: Session, person_id: str) -> Person:
    row = records.fetch(session.conn, "person", person_id)
    if row is None:
        raise NotFound("That person does not exist or has been removed.")
    return Person.from_row(row)


def _worker(session: Session, username: str) -> str:
    member = StaffRepo(session.conn).get_by_username((username or "").strip().lower())
    if member is None or not may_work_cases(member.role, member.active):
        raise ValidationError("Choose an active caseworker or manager to work the case.", field="worker")
    return member.username


@grants(Scope.CASEWORK)
def open_case_in_tx(session: Session, client_id: str, child_id: str, level: str, worker: str,
                    enquiry_id: str | None = None, opened_on: date | None = None) -> str:
    check_eligible(session, client_id, child_id, enquiry_id)
    level = parse_level(level)
    worker = _worker(session, worker)
    opened = opened_on or clock.now().date()
    reference = records.next_reference(session.conn, "CAS", opened.year)
    case_id = records.insert(session.conn, "casefile", {
        "reference": reference, "client_id": client_id, "child_id": child_id, "worker": worker,
        "level": level, "status": CaseStatus.OPEN.value, "opened_on": opened.isoformat(),
        "enquiry_id": enquiry_id, "own_case": int(client_id == child_id),
    }, session.user.username)
    if enquiry_id:
        session.conn.execute("UPDATE enquiry SET enquiry_type = 'casework', case_id = ?, version = version + 1 "
                             "WHERE id = ?", (case_id, enquiry_id))
    case_history.record_level(session.conn, case_id, level, None, opened, session.user.username)
    case_history.record_state(session.conn, case_id, CaseStatus.OPEN.value, None, opened, "opened",
                              session.user.username)
    _index_case(session, case_id)
    session.audit("case_opened", "case", case_id, {"level": level})
    return case_id


@grants(Scope.CASEWORK, "R3 eligibility")
def open_case(session: Session, client_id: str, child_id: str, level: str = InterventionLevel.LEVEL_2.value,
              worker: str | None = None, enquiry_id: str | None = None, opened_on: date | None = None) -> Case:
    """May raise: NotEligible (R3, with the reason), PermissionDenied, ValidationError."""
    with transaction(session.conn):
        case_id = open_case_in_tx(session, client_id, child_id, level, worker or session.user.username,
                                  enquiry_id, opened_on)
    return load_case(session, case_id)


def _index_case(session: Session, case_id: str) -> None:
    row = session.conn.execute(CASE_SELECT + "WHERE c.id = ?", (case_id,)).fetchone()
    search_index.put(session.conn, "case", case_id, case_id,
                     f"{row['reference']} {row['client_name']} {row['child_name']}", "")


@grants(Scope.CASEWORK)
def load_case(session: Session, case_id: str) -> Case:
    """The case with its names, after the access check, without counting as a view."""
    session.require()
    row = session.conn.execute(CASE_SELECT + "WHERE c.id = ? AND c.deleted_at IS NULL", (case_id,)).fetchone()
    return access.check_case(session, Case.from_row(row) if row else None)


@grants(Scope.HELPER)
def may_see_case(session: Session, case_id: str) -> bool:
    """Whether load_case would show this case to the signed-in user (no audit event)."""
    session.require()
    row = session.conn.execute("SELECT * FROM casefile WHERE id = ? AND deleted_at IS NULL", (case_id,)).fetchone()
    return row is not None and access.can_view_case(session, Case.from_row(row))


@grants(Scope.CASEWORK, "audited as a view")
def get_case(session: Session, case_id: str) -> Case:
    """Open a case. Every view is written to the audit trail (R17)."""
    case = load_case(session, case_id)
    with transaction(session.conn):
        session.audit("view_case", "case", case_id)
    return case


# How the evaluation was offered at closure (docs/national.md); ANSWERED replaces it once the
# answers are recorded, so one family's evaluation is never counted twice.
EVALUATION_OFFERED = ("on_screen", "paper", "declined")
EVALUATION_ANSWERED = "answered"

SORTABLE = {"reference": "c.reference", "client": "client_name", "child": "child_name",
            "worker": "c.worker", "level": "c.level", "status": "c.status", "opened": "c.opened_on"}


@dataclass
class CaseQuery:
    status: str | None = "open"
    worker: str | None = None
    level: str | None = None
    sort: str = "opened"
    descending: bool = True
    offset: int = 0
    limit: int = 100


@grants(Scope.CASEWORK, "audited bulk read")
def list_cases(session: Session, query: CaseQuery | None = None) -> tuple[list[CaseSummary], int]:
    """One page of the case list and the total that match, honouring the firewall."""
    q = query or CaseQuery()
    where = ["c.deleted_at IS NULL", access.VISIBLE_CASE_SQL]
    params = access.visibility_params(session)
    if q.status:
        where.append("c.status = :status")
        params["status"] = CaseStatus.parse(q.status, "status").value
    if q.worker:
        where.append("c.worker = :worker")
        params["worker"] = q.worker
    if q.level:
        where.append("c.level = :level")
        params["level"] = _any_level(q.level)
    if q.sort not in SORTABLE:
        raise ValidationError("Unknown sort column.", field="sort")
    order = f"{SORTABLE[q.sort]} {'DESC' if q.descending else 'ASC'}, c.reference DESC"
    clause = " AND ".join(where)
    total = session.conn.execute(f"SELECT count(*) FROM casefile c WHERE {clause}", params).fetchone()[0]
    rows = session.conn.execute(
        CASE_SELECT + f"WHERE {clause} ORDER BY {order} LIMIT :limit OFFSET :offset",
        {**params, "limit": int(q.limit), "offset": int(q.offset)})
    found = [CaseSummary.from_row(r) for r in rows]
    access.audit_bulk_read(session, "case", len(found), status=q.status, worker=q.worker, level=q.level,
                           offset=int(q.offset), limit=int(q.limit), total=total)
    return found, total


def _any_level(value: str) -> str:
    """A list may still be filtered by an old level until the manager has mapped them all."""
    if value in {m.value for m in SupportLevel}:
        return value
    return parse_level(value)


@grants(Scope.CASEWORK)
def my_open_cases(session: Session) -> list[CaseSummary]:
    rows, _ = list_cases(session, CaseQuery(status="open", worker=session.user.username, limit=500))
    return rows


@grants(Scope.CASEWORK)
def my_inactive_cases(session: Session) -> list[CaseSummary]:
    """The worker's inactive cases: still theirs, and reopened by a note or Reopen case…"""
    rows, _ = list_cases(session, CaseQuery(status="inactive", worker=session.user.username, limit=500))
    return rows


@grants(Scope.CASEWORK)
def cases_of_person(session: Session, person_id: str) -> list[CaseSummary]:
    """Cases where the person is client or child, minus those the firewall hides.

    May raise: PermissionDenied (volunteers see no casework)."""
    params = {**access.visibility_params(session), "pid": person_id}
    rows = session.conn.execute(
        CASE_SELECT + f"WHERE c.deleted_at IS NULL AND (c.client_id = :pid OR c.child_id = :pid) "
        f"AND {access.VISIBLE_CASE_SQL} ORDER BY c.opened_on DESC", params)
    return [CaseSummary.from_row(r) for r in rows]


@grants(Scope.CASEWORK, "changing the worker is the manager's alone")
def update_case(session: Session, case_id: str, *, level: str | None = None, worker: str | None = None,
                expected_version: int | None = None) -> Case:
    """Change the intervention level (kept in the case's level history), or (the manager only)
    who works the case: reassigning would otherwise let anyone reach a colleague's restricted
    records by taking the case.

    May raise: PermissionDenied, ValidationError, StaleEdit, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    values = {}
    if level and parse_level(level) != case.level:
        values["level"] = parse_level(level)
    if worker and worker.strip().lower() != case.worker:
        if not manages(session.user.role):
            raise PermissionDenied("Only the manager can give a case to another worker.")
        values["worker"] = _worker(session, worker)
    with transaction(session.conn):
        if records.update(session.conn, "casefile", case.id, values, session.user.username, expected_version) != 1:
            raise StaleEdit()
        if "level" in values:
            case_history.record_level(session.conn, case.id, values["level"], case.level, clock.now().date(),
                                      session.user.username)
        session.audit("case_updated", "case", case.id, {k: v for k, v in values.items()})
    return load_case(session, case_id)


@grants(Scope.CASEWORK)
def close_case(session: Session, case_id: str, reason: str, outcomes: list[str], closed_on=None,
               evaluation: str | None = None) -> Case:
    """`evaluation`: how the service user's evaluation was offered (docs/national.md); the
    answers themselves are recorded apart from the case (national.evaluation).

    May raise: ValidationError, PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("This case is already closed.", field="status")
    reason = ClosureReason.parse(reason, "closure_reason").value
    chosen = sorted({Outcome.parse(o, "outcomes").value for o in outcomes})
    closed = parse_date(closed_on, "closed_on", "Closing date") or clock.now().date()
    if closed < date.fromisoformat(case.opened_on):
        raise ValidationError("A case cannot close before the day it opened.", field="closed_on")
    if evaluation not in (None, *EVALUATION_OFFERED):
        raise ValidationError(f"Choose one of: {', '.join(EVALUATION_OFFERED)}.", field="evaluation")
    with transaction(session.conn):
        records.update(session.conn, "casefile", case.id, {
            "status": CaseStatus.CLOSED.value, "closed_on": closed.isoformat(),
            "closure_reason": reason, "outcomes": json.dumps(chosen), "evaluation": evaluation},
            session.user.username)
        case_history.record_state(session.conn, case.id, CaseStatus.CLOSED.value, case.status, closed, "closed",
                                  session.user.username)
        session.audit("case_closed", "case", case.id, {"reason": reason})
    return load_case(session, case_id)


@grants(Scope.CASEWORK)
def reopen_case(session: Session, case_id: str, on: date | None = None) -> Case:
    """Open again a closed or an inactive case (the network's reopening); the state history keeps
    when it was closed or inactive.

    May raise: ValidationError (already open), PermissionDenied, NotFound."""
    case = load_case(session, case_id)
    access.require_casework(session)
    if case.status == CaseStatus.OPEN:
        raise ValidationError("This case is already open.", field="status")
    day = on or clock.now().date()
    how = "reopened" if case.status == CaseStatus.CLOSED else "reactivated"
    with transaction(session.conn):
        records.update(session.conn, "casefile", case.id, {"status": "open", "closed_on": None,
                                                           "closure_reason": None}, session.user.username)
        case_history.record_state(session.conn, case.id, CaseStatus.OPEN.value, case.status, day, how,
                                  session.user.username)
        session.audit("case_reopened", "case", case.id, {"from": case.status})
    return load_case(session, case_id)


@grants(Scope.RESTRICTED)
def record_young_person_agreement(session: Session, case_id: str, agreed: bool, note: str | None = None) -> Case:
    """R4: the young person agreed (or no longer agrees) that their case may be shared with family."""
    case = load_case(session, case_id)
    if not access.can_see_restricted(session, case):
        raise PermissionDenied("Only the case's worker or the manager can record this.")
    if not case.own_case:
        raise ValidationError("Only a young person's own case has this choice.")
    clean(note, "note", "Note", max_len=500)
    with transaction(session.conn):
        records.update(session.conn, "casefile", case.id, {"shared_with_family": int(bool(agreed))},
                       session.user.username)
        session.audit("young_person_sharing", "case", case.id, {"agreed": bool(agreed)})
    return load_case(session, case_id)


@grants(Scope.MANAGER, "R4: the link is the manager's")
def link_cases(session: Session, case_a: str, case_b: str, reason: str) -> str:
    """Record that two separate enquiries concern the same family (managers only)."""
    reason = clean(reason, "reason", "Reason", required=True, max_len=500)
    for case_id in (case_a, case_b):
        load_case(session, case_id)
    if case_a == case_b:
        raise ValidationError("Choose two different cases.")
    with transaction(session.conn):
        link_id = records.insert(session.conn, "case_link", {"case_a": case_a, "case_b": case_b,
                                                             "reason": reason}, session.user.username)
        session.audit("cases_linked", "case_link", link_id)
    return link_id


@grants(Scope.MANAGER, "R4: only the manager sees the link")
def linked_cases(session: Session, case_id: str) -> list[CaseSummary]:
    """Only a manager sees that a parent's and a young person's cases are linked (R4).

    May raise: PermissionDenied."""
    rows = session.conn.execute(
        CASE_SELECT + "WHERE c.id IN (SELECT case_b FROM case_link WHERE case_a = :id AND deleted_at IS NULL "
        "UNION SELECT case_a FROM case_link WHERE case_b = :id AND deleted_at IS NULL)", {"id": case_id})
    return [CaseSummary.from_row(r) for r in rows]
