"""Safeguarding concerns and staff-safety incidents (R16): restricted to the manager and the
case's worker. The staff-safety marker itself is shown to everyone, so nobody visits alone."""

from datetime import date

from app.domain.records import Case, Incident, SafeguardingConcern
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import LONG_MAX, SHORT_MAX, clean, parse_date
from app.errors import NotFound, PermissionDenied, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import cases, restricted
from app.storage import records
from app.storage.db import transaction

_RESTRICTED = "Safeguarding and incident records are restricted to the manager and the case's worker."


def _restricted_case(session: Session, case_id: str) -> Case:
    access.require_casework(session)
    case = cases.load_case(session, case_id)
    if not access.can_see_restricted(session, case):
        raise PermissionDenied(_RESTRICTED)
    return case


def _not_future(value, field: str, label: str, today: date) -> date:
    when = parse_date(value, field, label, required=True)
    if when > today:
        raise ValidationError(f"{label} is in the future.", field=field)
    return when


@grants(Scope.RESTRICTED, "R16")
def raise_concern(session: Session, case_id: str, raised_on, description: str, referred_to: str | None = None,
                  external_reference: str | None = None, outcome: str | None = None,
                  today: date | None = None) -> SafeguardingConcern:
    case = _restricted_case(session, case_id)
    values = {
        "case_id": case.id,
        "raised_on": _not_future(raised_on, "raised_on", "The date raised", today or date.today()).isoformat(),
        "description": clean(description, "description", "Description", required=True, max_len=LONG_MAX,
                             multiline=True),
        "referred_to": clean(referred_to, "referred_to", "Referred to", max_len=SHORT_MAX),
        "external_reference": clean(external_reference, "external_reference", "Reference", max_len=100),
        "outcome": clean(outcome, "outcome", "Outcome", max_len=LONG_MAX, multiline=True),
    }
    concern_id = records.new_id()
    values = restricted.seal_values(session.conn, "safeguarding_concern", concern_id, values)
    with transaction(session.conn):
        records.insert(session.conn, "safeguarding_concern", values, session.user.username, record_id=concern_id)
        session.audit("safeguarding_raised", "safeguarding", concern_id, {"case": case.id})
    return _load_concern(session, concern_id)


@grants(Scope.RESTRICTED, "R16")
def update_concern(session: Session, concern_id: str, outcome: str | None, status: str,
                   referred_to: str | None = None, external_reference: str | None = None) -> SafeguardingConcern:
    concern = _load_concern(session, concern_id)
    _restricted_case(session, concern.case_id)
    if concern.description == restricted.NOT_A_READER:
        raise PermissionDenied("This record was sealed before you became one of its readers. It opens for you "
                               "once a manager has signed in, or their computer has synced, since the case "
                               "became yours.")
    if status not in ("open", "closed"):
        raise ValidationError("Status is open or closed.", field="status")
    values = {"outcome": clean(outcome, "outcome", "Outcome", max_len=LONG_MAX, multiline=True), "status": status,
              "referred_to": clean(referred_to, "referred_to", "Referred to", max_len=SHORT_MAX),
              "external_reference": clean(external_reference, "external_reference", "Reference", max_len=100)}
    # Sealed anew, to the readers of this moment: the text kept, what changed with it.
    values = restricted.seal_values(session.conn, "safeguarding_concern", concern.id, {
        "description": concern.description, "case_id": concern.case_id, **values})
    values.pop("case_id")
    with transaction(session.conn):
        records.update(session.conn, "safeguarding_concern", concern.id, values, session.user.username)
        session.audit("safeguarding_updated", "safeguarding", concern.id)
    return _load_concern(session, concern_id)


def _load_concern(session: Session, concern_id: str) -> SafeguardingConcern:
    row = records.fetch(session.conn, "safeguarding_concern", concern_id)
    if row is None:
        raise NotFound("That safeguarding record does not exist.")
    return SafeguardingConcern.from_row(restricted.opened(session, "safeguarding_concern", row))


@grants(Scope.RESTRICTED, "R16")
def concerns_for_case(session: Session, case_id: str) -> list[SafeguardingConcern]:
    case = _restricted_case(session, case_id)
    rows = session.conn.execute("SELECT * FROM safeguarding_concern WHERE case_id = ? AND deleted_at IS NULL "
                                "ORDER BY raised_on DESC", (case.id,))
    return [SafeguardingConcern.from_row(restricted.opened(session, "safeguarding_concern", r)) for r in rows]


@grants(Scope.HELPER)
def can_see_concerns(session: Session, case: Case) -> bool:
    return session.user.role != Role.VOLUNTEER and access.can_see_restricted(session, case)


@grants(Scope.ANY, "R16: any member of staff must be able to report it")
def record_incident(session: Session, person_id: str, occurred_on, description: str, case_id: str | None = None,
                    marker_note: str | None = "Do not visit alone", today: date | None = None) -> Incident:
    """Threatening or abusive behaviour towards staff: any member of staff must be able to report it.
    It sets the staff-safety marker on the person."""
    if case_id:
        cases.load_case(session, case_id)
    if records.fetch(session.conn, "person", person_id) is None:
        raise NotFound("That person does not exist.")
    description = clean(description, "description", "Description", required=True, max_len=LONG_MAX, multiline=True)
    values = {
        "person_id": person_id, "case_id": case_id,
        "occurred_on": _not_future(occurred_on, "occurred_on", "The date", today or date.today()).isoformat(),
        "description": description,
        "reported_by": session.user.username,
    }
    note = clean(marker_note, "marker_note", "Marker note", max_len=200)
    incident_id = records.new_id()
    if session.user.role != Role.VOLUNTEER:
        # A volunteer's compartment holds no colleague's key: their report is sealed when
        # staff take it in (compartment.sync).
        values = restricted.seal_values(session.conn, "incident", incident_id, values)
    with transaction(session.conn):
        records.insert(session.conn, "incident", values, session.user.username, record_id=incident_id)
        records.update(session.conn, "person", person_id, {"staff_safety_marker": 1, "staff_safety_note": note},
                       session.user.username)
        session.audit("incident_recorded", "incident", incident_id, {"person": person_id})
    # The reporter sees what they wrote, reader or not.
    return Incident.from_row(records.fetch(session.conn, "incident", incident_id), description=description)


@grants(Scope.RESTRICTED, "R16: the manager, or a worker of the person's case")
def incidents_for_person(session: Session, person_id: str) -> list[Incident]:
    """Manager, or a worker of a case where this person is client or child."""
    session.require()
    if session.user.role != Role.MANAGER:
        works = session.conn.execute(
            "SELECT 1 FROM casefile WHERE worker = ? AND (client_id = ? OR child_id = ?) AND deleted_at IS NULL",
            (session.user.username, person_id, person_id)).fetchone()
        if not works:
            raise PermissionDenied(_RESTRICTED)
    rows = session.conn.execute(
        f"SELECT * FROM incident i WHERE i.person_id = :pid AND i.deleted_at IS NULL AND "
        f"{access.in_visible_case_sql('i.case_id', nullable=True)} ORDER BY i.occurred_on DESC",
        {**access.visibility_params(session), "pid": person_id})
    return [Incident.from_row(restricted.opened(session, "incident", r)) for r in rows]
