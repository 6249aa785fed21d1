"""The subject access request register (R13): who asked, about whom, identity and
clarification, extensions, the statutory deadline, and where each request stands.

The deadline follows Article 12A UK GDPR (see app/domain/sar_deadline.py): clarification
stops the clock and the month resumes; a parent's request about a young person of 16 or
over, or a child competent to decide, needs the young person's authority or a manager's
decision (app/domain/sar_authority.py)."""

import json
from datetime import date

from app.domain import sar_deadline
from app.domain.dashboard import Item, Section
from app.domain.role_matrix import Scope, grants
from app.domain.sar import OPEN_STATUSES, RequesterKind, Sar, SarStatus  # noqa: F401  (the register's names)
from app.domain.text import clean, clean_name, parse_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import people
from app.services.sar import parent as sar_parent
from app.storage import records
from app.storage.db import transaction

_SELECT = ("SELECT r.*, trim(p.first_name || ' ' || p.last_name) AS subject_name FROM subject_access_request r "
           "JOIN person p ON p.id = r.subject_id WHERE r.deleted_at IS NULL ")


@grants(Scope.MANAGER)
def get_sar(session: Session, sar_id: str) -> Sar:
    row = session.conn.execute(_SELECT + "AND r.id = ?", (sar_id,)).fetchone()
    if row is None:
        row = session.conn.execute(_SELECT + "AND r.reference = ?", (sar_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no subject access request '{sar_id}'.")
    return Sar.from_row(row)


@grants(Scope.MANAGER)
def list_sars(session: Session, open_only: bool = False) -> list[Sar]:
    sql = _SELECT + (f"AND r.status IN {OPEN_STATUSES} " if open_only else "") + "ORDER BY r.received_on DESC"
    found = [Sar.from_row(r) for r in session.conn.execute(sql)]
    access.audit_bulk_read(session, "sar", len(found), open_only=bool(open_only))
    return found


@grants(Scope.MANAGER)
def register(session: Session, received_on, subject_id: str, requester_kind: str, requester_name: str | None = None,
             requester_id: str | None = None, authority_note: str | None = None, identity_method: str | None = None,
             identity_received_on=None, today: date | None = None, child_competent: bool | None = None,
             child_authority: str | None = None, child_authority_note: str | None = None) -> Sar:
    """Record a new request. Identity may be confirmed now or later (the clock waits for it).
    A parent's request about a young person of 16+ (or a child competent to decide) needs
    `child_authority` ("young_person" or "manager_decision") with `child_authority_note`.

    May raise: ValidationError, PermissionDenied.
    """
    today = today or date.today()
    received = parse_date(received_on, "received_on", "Date received", required=True)
    if received > today:
        raise ValidationError("The date received is in the future.", field="received_on")
    kind = RequesterKind.parse(requester_kind, "requester_kind")
    subject = people.peek_person(session, subject_id)
    if kind == RequesterKind.SUBJECT:
        requester_id, name = subject.id, subject.full_name
    else:
        name = clean_name(requester_name, "requester_name", "The requester's name", max_len=200)
        if requester_id:
            name = name or people.peek_person(session, requester_id).full_name
        if not name:
            raise ValidationError("Enter who made the request.", field="requester_name")
    authority = clean(authority_note, "authority_note", "Authority", max_len=1000, multiline=True)
    if kind == RequesterKind.REPRESENTATIVE and not authority:
        raise ValidationError("A representative needs written authority from the person: record what was "
                              "received.", field="authority_note")
    if kind == RequesterKind.PARENT:
        if not requester_id or not people.holds_parental_responsibility(session.conn, requester_id, subject.id):
            raise ValidationError("A parent can ask for a child's information only if they are recorded as "
                                  "holding parental responsibility for the child.", field="requester_id")
    values = {"received_on": received.isoformat(), "subject_id": subject.id, "requester_kind": kind.value,
              "requester_id": requester_id, "requester_name": name, "authority_note": authority,
              "status": "awaiting_id"}
    if kind == RequesterKind.PARENT:
        values.update(sar_parent.authority_values(session, subject, received, child_competent, child_authority,
                                                  child_authority_note, today))
    with transaction(session.conn):
        values["reference"] = records.next_reference(session.conn, "SAR", received.year, digits=4)
        sar_id = records.insert(session.conn, "subject_access_request", values, session.user.username)
        session.audit("sar_registered", "sar", sar_id)
    if identity_method:
        return confirm_identity(session, sar_id, identity_method, identity_received_on or received, today=today)
    return get_sar(session, sar_id)


@grants(Scope.MANAGER)
def record_child_authority(session: Session, sar_id: str, authority: str, note: str,
                           competent: bool | None = None, today: date | None = None) -> Sar:
    """Record the young person's authority, or a manager's decision with its reason, for a
    parent's request (for example when it arrives after the request was registered).

    May raise: ValidationError, PermissionDenied.
    """
    request = get_sar(session, sar_id)
    if request.requester_kind != RequesterKind.PARENT.value:
        raise ValidationError("Only a parent's request needs the young person's authority.")
    if not authority:
        raise ValidationError("Choose the young person's authority or a manager's decision.", field="child_authority")
    subject = people.peek_person(session, request.subject_id)
    if competent is None and request.child_competent is not None:
        competent = bool(request.child_competent)
    values = sar_parent.authority_values(session, subject, date.fromisoformat(request.received_on), competent,
                                         authority, note, today or date.today())
    return _save(session, request, values, "sar_child_authority_recorded")


def _save(session: Session, sar: Sar, values: dict, action: str) -> Sar:
    merged = Sar(**{**sar.__dict__, **values})
    if merged.status not in ("sent", "withdrawn"):
        if merged.identity_received_on is None:
            merged.status = "awaiting_id"
        elif merged.clarification_requested_on and not merged.clarification_received_on:
            merged.status = "awaiting_clarification"
        elif merged.extension_months:
            merged.status = "extended"
        elif merged.status in ("awaiting_id", "awaiting_clarification", "new"):
            merged.status = "in_review"
    found = merged.deadline()
    values = {**values, "status": merged.status, "due_on": found.due.isoformat() if found else None}
    with transaction(session.conn):
        records.update(session.conn, "subject_access_request", sar.id, values, session.user.username)
        session.audit(action, "sar", sar.id)
    return get_sar(session, sar.id)


@grants(Scope.MANAGER)
def confirm_identity(session: Session, sar_id: str, method: str, received_on=None, today: date | None = None) -> Sar:
    sar = get_sar(session, sar_id)
    today = today or date.today()
    day = parse_date(received_on, "identity_received_on", "Date the identity evidence arrived") or today
    if day > today or day < date.fromisoformat(sar.received_on):
        raise ValidationError("The identity evidence date must be between the request and today.",
                              field="identity_received_on")
    text = clean(method, "identity_method", "How identity was checked", required=True, max_len=300)
    return _save(session, sar, {"identity_method": text, "identity_received_on": day.isoformat(),
                                "identity_checked_by": session.user.username}, "sar_identity_confirmed")


@grants(Scope.MANAGER)
def request_clarification(session: Session, sar_id: str, requested_on=None, today: date | None = None,
                          question: str = "") -> Sar:
    """Stop the clock from `requested_on` until the answer arrives (Article 12A). `question`:
    what the requester was asked, kept with the request (never in the audit trail).

    May raise: ValidationError (already waiting, a date out of range, or after the deadline).
    """
    sar = get_sar(session, sar_id)
    today = today or date.today()
    if sar.status in ("sent", "withdrawn"):
        raise ValidationError(f"{sar.reference} is closed; clarification can no longer be asked for.")
    if sar.status == "awaiting_clarification":
        raise ValidationError("Clarification was already asked for on "
                              f"{date.fromisoformat(sar.clarification_requested_on):%d/%m/%Y}; record its answer "
                              "first.", field="clarification_requested_on")
    day = parse_date(requested_on, "clarification_requested_on", "Date asked") or today
    if day > today or day < date.fromisoformat(sar.received_on):
        raise ValidationError("The date clarification was asked for must be between the request and today.",
                              field="clarification_requested_on")
    running = sar.deadline()
    if running is not None and day > running.due:
        raise ValidationError(f"The deadline was {running.due:%d/%m/%Y}: clarification asked for after it "
                              "cannot stop the clock.", field="clarification_requested_on")
    last = max((p.received for p in sar.pauses()), default=None)
    if last is not None and day <= last:
        raise ValidationError(f"The previous clarification arrived on {last:%d/%m/%Y}; a new request for "
                              "clarification must come after it.", field="clarification_requested_on")
    asked = clean(question, "clarification_question", "What you asked", max_len=2000, multiline=True) or ""
    log = json.loads(sar.clarification_pauses or "[]") + [[day.isoformat(), None, asked, None]]
    return _save(session, sar, {"clarification_requested_on": day.isoformat(), "clarification_received_on": None,
                                "clarification_pauses": json.dumps(log)},
                 "sar_clarification_requested")


@grants(Scope.MANAGER)
def clarification_received(session: Session, sar_id: str, received_on=None, today: date | None = None,
                           answer: str = "") -> Sar:
    """The clock resumes the day after the answer arrived; the paused days are added on.
    `answer`: what the requester said, kept beside the question.

    May raise: ValidationError.
    """
    sar = get_sar(session, sar_id)
    today = today or date.today()
    if sar.status != "awaiting_clarification":
        raise ValidationError("No clarification is awaited for this request.")
    day = parse_date(received_on, "clarification_received_on", "Date received") or today
    asked = date.fromisoformat(sar.clarification_requested_on)
    if day < asked:
        raise ValidationError(f"The clarification cannot arrive before it was asked for ({asked:%d/%m/%Y}).",
                              field="clarification_received_on")
    if day > today:
        raise ValidationError("The date the clarification arrived is in the future.",
                              field="clarification_received_on")
    said = clean(answer, "clarification_answer", "Their answer", max_len=4000, multiline=True) or ""
    log = json.loads(sar.clarification_pauses or "[]")
    if log and len(log[-1]) >= 2 and log[-1][1] is None:  # the open entry made when it was asked
        question = log[-1][2] if len(log[-1]) > 2 else ""
        log[-1] = [asked.isoformat(), day.isoformat(), question, said]
    else:  # asked before questions were kept
        log.append([asked.isoformat(), day.isoformat(), "", said])
    return _save(session, sar, {"clarification_received_on": day.isoformat(),
                                "clarification_pauses": json.dumps(log)}, "sar_clarification_received")


@grants(Scope.MANAGER)
def extend(session: Session, sar_id: str, months: int, reason: str, today: date | None = None) -> Sar:
    """Up to two further months, with a reason, decided within the first month."""
    sar = get_sar(session, sar_id)
    today = today or date.today()
    text = clean(reason, "extension_reason", "The reason for the extension", required=True, max_len=1000,
                 multiline=True)
    if sar.status in ("sent", "withdrawn") or sar.identity_received_on is None:
        raise ValidationError("Only a request whose clock is running can be extended.")
    if sar.status == "awaiting_clarification":
        raise ValidationError("The clock is stopped while clarification is awaited; extend it once the answer "
                              "has arrived.")
    sar_deadline.deadline(date.fromisoformat(sar.received_on), (date.fromisoformat(sar.identity_received_on) if sar.identity_received_on else None),
                          sar.pauses(), int(months), today)  # validates the rules
    return _save(session, sar, {"extension_months": int(months), "extension_reason": text,
                                "extension_recorded_on": today.isoformat()}, "sar_extended")


@grants(Scope.MANAGER)
def record_young_person_agreement(session: Session, sar_id: str, agreed: bool) -> Sar:
    sar = get_sar(session, sar_id)
    return _save(session, sar, {"young_person_agreed": int(bool(agreed))}, "sar_young_person_agreement")


@grants(Scope.MANAGER)
def withdraw(session: Session, sar_id: str) -> Sar:
    sar = get_sar(session, sar_id)
    return _save(session, sar, {"status": "withdrawn"}, "sar_withdrawn")


@grants(Scope.MANAGER)
def mark_sent(session: Session, sar_id: str, sent_on, method: str, today: date | None = None) -> Sar:
    sar = get_sar(session, sar_id)
    today = today or date.today()
    day = parse_date(sent_on, "sent_on", "Date sent", required=True)
    if day > today or day < date.fromisoformat(sar.received_on):
        raise ValidationError("The date sent must be between the request and today.", field="sent_on")
    how = clean(method, "sent_method", "How it was sent", required=True, max_len=200)
    if not session.conn.execute("SELECT 1 FROM sar_disclosure WHERE sar_id = ?", (sar.id,)).fetchone():
        raise ValidationError("Generate the response pack before recording that it was sent.")
    with transaction(session.conn):
        session.conn.execute(
            "UPDATE sar_disclosure SET sent_on = ?, sent_method = ?, version = version + 1 WHERE id = "
            "(SELECT id FROM sar_disclosure WHERE sar_id = ? ORDER BY generated_at DESC LIMIT 1)",
            (day.isoformat(), how, sar.id))
    return _save(session, sar, {"status": "sent", "sent_on": day.isoformat(), "sent_method": how}, "sar_sent")


@grants(Scope.MANAGER)
def dashboard_section(session: Session, today: date):
    """SARs due within 7 days or overdue, for the manager's dashboard."""
    section = Section("sars", "Subject access requests due soon or overdue", empty_text="No request is due soon.")
    for sar in list_sars(session, open_only=True):
        state = sar.timeliness(today)
        if state in ("due_soon", "overdue"):
            due = date.fromisoformat(sar.due_on)
            section.items.append(Item(f"{sar.reference}: {'overdue since' if state == 'overdue' else 'due'} "
                                      f"{due:%d/%m/%Y}", "sar", sar.id, state))
        elif state == "waiting":
            section.items.append(Item(f"{sar.reference}: waiting for {'identity evidence' if sar.status == 'awaiting_id' else 'clarification'}",
                                      "sar", sar.id, "info"))
    return section
