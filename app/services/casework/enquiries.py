"""Enquiries (R1, R2, R14): anonymous or named, self-referred or by a professional, general
information or casework, with the first-contact checklist."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from app import clock
from app.domain.choices import (
    CallerRole,
    Channel,
    EnquiryType,
    InterventionLevel,
    PersonKind,
    Route,
    StatementHow,
    Topic,
)
from app.domain.records import Case, Enquiry
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import LONG_MAX, NAME_MAX, clean, clean_name
from app.errors import NotEligible, NotFound, PermissionDenied, ValidationError
from app.resources import wording
from app.security.session import Session
from app.services import access
from app.services.casework import cases, people
from app.storage import records
from app.storage.db import transaction


@dataclass
class EnquiryInput:
    channel: str
    caller_role: str
    received_at: datetime | None = None
    route: str = Route.SELF.value
    referrer_id: str | None = None
    referrer: people.PersonInput | None = None
    family_present: bool | None = None
    family_agreed: bool | None = None
    anonymous: bool = False
    anonymous_first_name: str | None = None
    anonymous_area: str | None = None
    caller_id: str | None = None
    caller: people.PersonInput | None = None
    child_id: str | None = None
    child: people.PersonInput | None = None
    # How a new or existing caller relates to the child, recorded with the enquiry.
    relationship: str | None = None
    parental_responsibility: bool | None = None
    enquiry_type: str = EnquiryType.GENERAL.value
    topics: list[str] = field(default_factory=list)
    summary: str = ""
    statement_shared: bool = False
    statement_how: str | None = None
    # For casework: who works the case and at what level.
    level: str | None = None
    worker: str | None = None


@dataclass
class EnquiryResult:
    enquiry: Enquiry
    case: Case | None = None
    refusal: str | None = None  # why casework was refused; the enquiry is kept as general information


@grants(Scope.GENERAL, "volunteers: general information only")
def record_enquiry(session: Session, data: EnquiryInput, now: datetime | None = None) -> EnquiryResult:
    """Save an enquiry, creating any new people it names, in one transaction.

    If casework was asked for but the caller is not eligible (R3), the enquiry is saved as
    general information and the result says why.
    May raise: ValidationError, PermissionDenied.
    """
    now = now or clock.now()
    channel = Channel.parse(data.channel, "channel")
    role = CallerRole.parse(data.caller_role, "caller_role")
    route = Route.parse(data.route, "route")
    etype = EnquiryType.parse(data.enquiry_type, "enquiry_type")
    if session.user.role == Role.VOLUNTEER and etype == EnquiryType.CASEWORK:
        raise PermissionDenied("Volunteers record general-information enquiries only; pass casework "
                               "to a caseworker.")
    topics = sorted({Topic.parse(t, "topics").value for t in data.topics})
    received = data.received_at or now
    # One form for every stored instant (UTC), so that text order is time order and a report's
    # UTC bounds compare instants; a naive time is this computer's local time.
    received = received.astimezone(UTC)
    if received > now.astimezone(UTC) and (received - now).total_seconds() > 300:
        raise ValidationError("The enquiry's date and time is in the future.", field="received_at")
    summary = clean(data.summary, "summary", "Summary", max_len=LONG_MAX, multiline=True) or ""
    anonymous = bool(data.anonymous) or role == CallerRole.ANONYMOUS
    if anonymous and (data.caller_id or data.caller):
        raise ValidationError("An anonymous enquiry cannot name the caller.", field="caller")
    if anonymous and etype == EnquiryType.CASEWORK:
        raise ValidationError("Casework needs to know who the client is; an anonymous enquiry is "
                              "recorded as general information.", field="enquiry_type")
    if route == Route.PROFESSIONAL and not (data.referrer_id or data.referrer):
        raise ValidationError("Name the professional who contacted us on the family's behalf.", field="referrer")
    statement_how = None
    if data.statement_shared:
        statement_how = StatementHow.parse(data.statement_how or "verbal", "statement_how").value
    statement_version = wording.current("confidentiality_statement")[0] if data.statement_shared else None

    refusal = None
    case = None
    with transaction(session.conn):
        referrer_id = data.referrer_id or (people.create_person_in_tx(session, data.referrer)
                                           if route == Route.PROFESSIONAL and data.referrer else None)
        caller_id = None if anonymous else (data.caller_id or (
            people.create_person_in_tx(session, data.caller) if data.caller else None))
        child_id = data.child_id or (people.create_person_in_tx(session, data.child) if data.child else None)
        if role in (CallerRole.CHILD, CallerRole.YOUNG_PERSON) and caller_id and not child_id:
            child_id = caller_id
        if caller_id and child_id and caller_id != child_id and data.relationship:
            people.link_relationship_in_tx(session, caller_id, child_id, data.relationship,
                                           bool(data.parental_responsibility))
        values = {
            "reference": records.next_reference(session.conn, "ENQ", received.year),
            "received_at": received.isoformat(timespec="seconds"),
            "channel": channel.value, "route": route.value, "referrer_id": referrer_id,
            "family_present": _tri(data.family_present), "family_agreed": _tri(data.family_agreed),
            "anonymous": int(anonymous),
            "anonymous_first_name": clean_name(data.anonymous_first_name, "anonymous_first_name",
                                          "First name", max_len=NAME_MAX) if anonymous else None,
            "anonymous_area": clean(data.anonymous_area, "anonymous_area", "Area", max_len=NAME_MAX)
            if anonymous else None,
            "caller_id": caller_id, "caller_role": CallerRole.ANONYMOUS.value if anonymous else role.value,
            "child_id": child_id, "enquiry_type": EnquiryType.GENERAL.value, "summary": summary,
            "statement_shared": int(bool(data.statement_shared)), "statement_how": statement_how,
            "statement_by": session.user.username if data.statement_shared else None,
            "statement_version": statement_version, "handled_by": session.user.username,
        }
        enquiry_id = records.insert(session.conn, "enquiry", values, session.user.username)
        for topic in topics:
            session.conn.execute("INSERT INTO enquiry_topic (enquiry_id, topic) VALUES (?, ?)", (enquiry_id, topic))
        session.audit("enquiry_recorded", "enquiry", enquiry_id, {"type": etype.value})
        if etype == EnquiryType.CASEWORK:
            if not caller_id or not child_id:
                refusal = ("Casework needs both the client and the child or young person recorded; "
                           "the enquiry was saved as general information.")
            else:
                try:
                    case_id = cases.open_case_in_tx(session, caller_id, child_id,
                                                    level=data.level or InterventionLevel.LEVEL_2.value,
                                                    worker=data.worker or session.user.username,
                                                    enquiry_id=enquiry_id, opened_on=received.date())
                except NotEligible as exc:
                    refusal = exc.message
                else:
                    # A young person's own case given to a colleague is closed to the person
                    # who took the call (R4); the enquiry and the case are saved all the same.
                    case = cases.load_case(session, case_id) if cases.may_see_case(session, case_id) else None
    return EnquiryResult(get_enquiry(session, enquiry_id), case, refusal)


def _tri(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


@grants(Scope.GENERAL, "volunteers: general enquiries they handled")
def get_enquiry(session: Session, enquiry_id: str) -> Enquiry:
    """One enquiry. Volunteers see the general-information enquiries they handled; no one
    sees a young person's own enquiry through the firewall (R4).

    May raise: NotFound, PermissionDenied.
    """
    row = records.fetch(session.conn, "enquiry", enquiry_id)
    if row is None:
        raise NotFound("That enquiry does not exist.")
    visible = session.conn.execute(f"SELECT 1 FROM enquiry e WHERE e.id = :id AND {access.enquiry_visible_sql('e')}",
                                   {**access.visibility_params(session), "id": enquiry_id}).fetchone()
    if visible is None:
        if session.user.role == Role.VOLUNTEER:
            raise PermissionDenied("Volunteers see the general-information enquiries they recorded; this one "
                                   "is for a caseworker.")
        raise PermissionDenied("This enquiry is restricted: it belongs to a young person's own case.")
    topics = [r[0] for r in session.conn.execute(
        "SELECT topic FROM enquiry_topic WHERE enquiry_id = ? ORDER BY topic", (enquiry_id,))]
    return Enquiry.from_row(row, topics=topics)


@grants(Scope.GENERAL, "volunteers: general enquiries they handled; audited bulk read")
def recent_enquiries(session: Session, limit: int = 50) -> list[Enquiry]:
    """Newest first. Volunteers see only the general-information enquiries they handled."""
    rows = session.conn.execute(
        f"SELECT * FROM enquiry e WHERE e.deleted_at IS NULL AND {access.enquiry_visible_sql('e')} "
        "ORDER BY e.received_at DESC LIMIT :limit", {**access.visibility_params(session), "limit": int(limit)})
    result = [Enquiry.from_row(r) for r in rows]
    access.audit_bulk_read(session, "enquiry", len(result), limit=int(limit))
    return result


@grants(Scope.GENERAL, "volunteers: general enquiries they handled")
def enquiries_of_person(session: Session, person_id: str) -> list[Enquiry]:
    """A person's enquiries that this viewer may see, newest first."""
    rows = session.conn.execute(
        "SELECT * FROM enquiry e WHERE e.deleted_at IS NULL AND (e.caller_id = :pid OR e.child_id = :pid "
        f"OR e.referrer_id = :pid) AND {access.enquiry_visible_sql('e')} ORDER BY e.received_at DESC",
        {**access.visibility_params(session), "pid": person_id})
    return [Enquiry.from_row(r) for r in rows]


def statement_text() -> tuple[str, str]:
    return wording.current("confidentiality_statement")


def caller_kind_for(role: str) -> str:
    """The person kind a new caller of this role is recorded as."""
    return {
        CallerRole.PARENT_CARER: PersonKind.PARENT_CARER, CallerRole.CHILD: PersonKind.CHILD,
        CallerRole.YOUNG_PERSON: PersonKind.CHILD, CallerRole.FAMILY_MEMBER: PersonKind.FAMILY_MEMBER,
        CallerRole.PROFESSIONAL: PersonKind.PROFESSIONAL,
    }.get(CallerRole(role), PersonKind.PARENT_CARER).value


