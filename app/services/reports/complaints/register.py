"""The complaints register: record a complaint, its acknowledgement, and the outcome and reply.
Audit rows name the complaint by id only: the complainant's name and words stay in the register."""

from datetime import date

from app.domain.choices import Channel
from app.domain.role_matrix import Scope, grants
from app.domain.text import LONG_MAX, NAME_MAX, clean, parse_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.services.reports.complaints import REQUIRED_ROLE
from app.services.reports.complaints.rules import Complaint, ComplaintOutcome, acknowledgement_due
from app.storage import records
from app.storage.db import transaction

_SELECT = ("SELECT id, reference, received_on, channel, complainant, about, ack_due_on, acknowledged_on, "
           "acknowledged_how, outcome, reply, replied_on FROM dp_complaint WHERE deleted_at IS NULL ")


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _from_row(row) -> Complaint:
    return Complaint(row[0], row[1], _d(row[2]), row[3], row[4], row[5], _d(row[6]), _d(row[7]), row[8],
                     row[9], row[10], _d(row[11]))


def _day(value, field: str, label: str, today: date, not_before: date | None = None,
         before_text: str = "") -> date:
    day = parse_date(value, field, label) or today
    if day > today:
        raise ValidationError(f"{label} ({day:%d/%m/%Y}) is in the future; today is {today:%d/%m/%Y}.", field=field)
    if not_before and day < not_before:
        raise ValidationError(f"{label} ({day:%d/%m/%Y}) is before {before_text} ({not_before:%d/%m/%Y}).",
                              field=field)
    return day


@grants(Scope.MANAGER)
def get_complaint(session: Session, complaint_id: str) -> Complaint:
    """May raise: PermissionDenied (managers only), NotFound."""
    session.require(REQUIRED_ROLE)
    row = session.conn.execute(_SELECT + "AND id = ?", (complaint_id,)).fetchone()
    if row is None:
        raise NotFound("That complaint does not exist or has been removed.")
    return _from_row(row)


@grants(Scope.MANAGER)
def list_complaints(session: Session, open_only: bool = False) -> list[Complaint]:
    """Newest first. May raise: PermissionDenied (managers only)."""
    session.require(REQUIRED_ROLE)
    sql = _SELECT + ("AND replied_on IS NULL " if open_only else "") + "ORDER BY received_on DESC, reference DESC"
    return [_from_row(r) for r in session.conn.execute(sql)]


@grants(Scope.MANAGER)
def register_complaint(session: Session, received_on, channel: str, complainant: str, about: str,
                       today: date | None = None) -> Complaint:
    """Record a data protection complaint; the acknowledgement falls due 30 days after receipt.

    May raise: PermissionDenied (managers only), ValidationError."""
    session.require(REQUIRED_ROLE)
    today = today or date.today()
    received = _day(received_on, "received_on", "The date received", today)
    how = Channel.parse(channel, "channel")
    who = clean(complainant, "complainant", "Who complained", required=True, max_len=NAME_MAX * 2)
    what = clean(about, "about", "What the complaint is about", required=True, max_len=LONG_MAX, multiline=True)
    with transaction(session.conn):
        reference = records.next_reference(session.conn, "DPC", received.year, digits=4)
        complaint_id = records.insert(session.conn, "dp_complaint", {
            "reference": reference, "received_on": received.isoformat(), "channel": how.value,
            "complainant": who, "about": what, "ack_due_on": acknowledgement_due(received).isoformat()},
            session.user.username)
        session.audit("complaint_registered", "dp_complaint", complaint_id)
    return get_complaint(session, complaint_id)


@grants(Scope.MANAGER)
def acknowledge(session: Session, complaint_id: str, acknowledged_on=None, how: str = "email",
                today: date | None = None) -> Complaint:
    """May raise: PermissionDenied, NotFound, ValidationError."""
    today = today or date.today()
    complaint = get_complaint(session, complaint_id)
    if complaint.acknowledged_on:
        raise ValidationError(f"{complaint.reference} was already acknowledged on "
                              f"{complaint.acknowledged_on:%d/%m/%Y}.", field="acknowledged_on")
    day = _day(acknowledged_on, "acknowledged_on", "The acknowledgement date", today, complaint.received_on,
               "the date the complaint was received")
    method = Channel.parse(how, "acknowledged_how")
    with transaction(session.conn):
        records.update(session.conn, "dp_complaint", complaint.id,
                       {"acknowledged_on": day.isoformat(), "acknowledged_how": method.value}, session.user.username)
        session.audit("complaint_acknowledged", "dp_complaint", complaint.id)
    return get_complaint(session, complaint.id)


@grants(Scope.MANAGER)
def record_outcome(session: Session, complaint_id: str, outcome: str, reply: str, replied_on=None,
                   today: date | None = None) -> Complaint:
    """The outcome and the reply sent. A reply also acknowledges a complaint not yet acknowledged
    (on the same day), since the complainant then has both.

    May raise: PermissionDenied, NotFound, ValidationError."""
    today = today or date.today()
    complaint = get_complaint(session, complaint_id)
    if complaint.replied_on:
        raise ValidationError(f"{complaint.reference} was answered on {complaint.replied_on:%d/%m/%Y}.",
                              field="outcome")
    result = ComplaintOutcome.parse(outcome, "outcome")
    text = clean(reply, "reply", "The reply", required=True, max_len=LONG_MAX, multiline=True)
    day = _day(replied_on, "replied_on", "The reply date", today, complaint.acknowledged_on or complaint.received_on,
               "the acknowledgement" if complaint.acknowledged_on else "the date the complaint was received")
    values = {"outcome": result.value, "reply": text, "replied_on": day.isoformat()}
    if not complaint.acknowledged_on:
        values.update(acknowledged_on=day.isoformat(), acknowledged_how=complaint.channel)
    with transaction(session.conn):
        records.update(session.conn, "dp_complaint", complaint.id, values, session.user.username)
        session.audit("complaint_answered", "dp_complaint", complaint.id, {"outcome": result.value})
    return get_complaint(session, complaint.id)
