"""The register of right-to-erasure requests (UK GDPR Art. 17), beside the SAR register
(docs/lifecycle.md "Right-to-erasure requests"): when it came, from whom, about whom, the
deadline (one calendar month, to the next working day, as Art. 12(3) gives for every
request), and how it ended: erased, refused with the ground and the reason, or withdrawn."""

from dataclasses import dataclass
from datetime import date

from app.domain.dashboard import Item, Section
from app.domain.role_matrix import Scope, grants
from app.domain.sar_deadline import add_months, next_working_day
from app.domain.text import clean, clean_name, parse_date
from app.errors import NotFound, PermissionDenied, ValidationError
from app.security.session import Session
from app.services.lifecycle import erase as eraser
from app.services.lifecycle.review import today as review_today
from app.storage import records
from app.storage.db import transaction

GROUNDS = {
    "statutory_duty": "a statutory duty to keep the records",
    "legal_claims": "the establishment, exercise or defence of legal claims",
    "public_interest": "a task in the public interest",
    "other": "another ground (see the reason)",
}
OPEN, ERASED, REFUSED, WITHDRAWN = "open", "erased", "refused", "withdrawn"


@dataclass
class ErasureRequest:
    id: str
    reference: str
    received_on: str
    requester_name: str
    subject_id: str | None
    due_on: str
    status: str
    decided_on: str | None
    refusal_ground: str | None
    refusal_reason: str | None

    @classmethod
    def from_row(cls, row) -> "ErasureRequest":
        return cls(*(row[k] for k in ("id", "reference", "received_on", "requester_name", "subject_id", "due_on",
                                      "status", "decided_on", "refusal_ground", "refusal_reason")))

    def overdue(self, on: date) -> bool:
        return self.status == OPEN and date.fromisoformat(self.due_on) < on


def due_date(received: date) -> date:
    return next_working_day(add_months(received, 1))


@grants(Scope.MANAGER, "the erasure register is the manager's")
def register(session: Session, received_on, requester_name: str, subject_id: str | None = None,
             today: date | None = None) -> ErasureRequest:
    """May raise: ValidationError, NotFound."""
    today = today or review_today()
    received = parse_date(received_on, "received_on", "Date received", required=True)
    if received > today:
        raise ValidationError("The date received is in the future.", field="received_on")
    name = clean_name(requester_name, "requester_name", "Who asked", required=True)
    conn = session.conn
    if subject_id and records.fetch(conn, "person", subject_id) is None:
        raise NotFound("That person is not in the records.")
    with transaction(conn):
        ref = records.next_reference(conn, "ERA", received.year)
        rid = records.insert(conn, "erasure_request", {
            "reference": ref, "received_on": received.isoformat(), "requester_name": name,
            "subject_id": subject_id, "due_on": due_date(received).isoformat(), "status": OPEN},
            session.user.username)
        session.audit("erasure_request_registered", "erasure_request", rid)
    return get_request(session, rid)


@grants(Scope.MANAGER, "the erasure register is the manager's")
def get_request(session: Session, request_id: str) -> ErasureRequest:
    row = session.conn.execute("SELECT * FROM erasure_request WHERE (id = ? OR reference = ?) AND deleted_at IS NULL",
                               (request_id, request_id)).fetchone()
    if row is None:
        raise NotFound(f"There is no erasure request '{request_id}'.")
    return ErasureRequest.from_row(row)


@grants(Scope.MANAGER, "the erasure register is the manager's")
def list_requests(session: Session, open_only: bool = False) -> list[ErasureRequest]:
    sql = "SELECT * FROM erasure_request WHERE deleted_at IS NULL"
    if open_only:
        sql += " AND status = 'open'"
    return [ErasureRequest.from_row(r) for r in session.conn.execute(sql + " ORDER BY received_on DESC")]


def _decide(session: Session, request_id: str, values: dict, action: str) -> ErasureRequest:
    req = get_request(session, request_id)
    if req.status != OPEN:
        raise ValidationError(f"{req.reference} was already decided ({req.status}).", field="status")
    with transaction(session.conn):
        records.update(session.conn, "erasure_request", req.id,
                       {**values, "decided_on": review_today().isoformat()}, session.user.username)
        session.audit(action, "erasure_request", req.id, {"status": values["status"]})
    return get_request(session, req.id)


@grants(Scope.MANAGER, "the erasure register is the manager's")
def refuse(session: Session, request_id: str, ground: str, reason: str) -> ErasureRequest:
    """Refuse, with the ground (Art. 17(3)) and the reason in words. May raise: ValidationError."""
    if ground not in GROUNDS:
        raise ValidationError("Choose the ground for refusing: " + ", ".join(GROUNDS.values()) + ".",
                              field="refusal_ground")
    why = clean(reason, "refusal_reason", "Reason", multiline=True) or ""
    if not why:
        raise ValidationError("Say why the request is refused: the family is told this reason.",
                              field="refusal_reason")
    return _decide(session, request_id, {"status": REFUSED, "refusal_ground": ground, "refusal_reason": why},
                   "erasure_request_refused")


@grants(Scope.MANAGER, "the erasure register is the manager's")
def withdraw(session: Session, request_id: str) -> ErasureRequest:
    return _decide(session, request_id, {"status": WITHDRAWN}, "erasure_request_withdrawn")


@grants(Scope.MANAGER, "the erasure register is the manager's")
def carry_out_request(session: Session, request_id: str, kind: str, ids: list[str]) -> ErasureRequest:
    """Erase the records the request covers (refused as any erasure is, under an open SAR,
    safeguarding concern or legal hold), then mark the request erased.

    May raise: ValidationError, PermissionDenied."""
    req = get_request(session, request_id)
    if req.status != OPEN:
        raise ValidationError(f"{req.reference} was already decided ({req.status}).", field="status")
    eraser.erase(session, kind, ids, f"Right to erasure request {req.reference}", request_ref=req.reference)
    return _decide(session, req.id, {"status": ERASED}, "erasure_request_erased")


@dataclass
class SubjectRecords:
    """What a request's erasure would take: the subject's closed cases (as client or child)
    and their general enquiries, and what stops it (an open case)."""
    person_name: str | None
    cases: list[tuple[str, str]]          # (id, reference)
    enquiries: list[tuple[str, str]]      # (id, reference)
    open_cases: list[str]                 # references

    @property
    def nothing_left(self) -> bool:
        return self.person_name is None


@grants(Scope.MANAGER, "the erasure register is the manager's")
def subject_records(session: Session, request_id: str) -> SubjectRecords:
    """The records a request is about, as they stand. May raise: NotFound."""
    req = get_request(session, request_id)
    conn = session.conn
    person = conn.execute("SELECT first_name, last_name FROM person WHERE id = ? AND deleted_at IS NULL",
                          (req.subject_id,)).fetchone() if req.subject_id else None
    if person is None:
        return SubjectRecords(None, [], [], [])
    both = (req.subject_id, req.subject_id)
    rows = conn.execute("SELECT id, reference, status FROM casefile WHERE (client_id = ? OR child_id = ?) "
                        "AND deleted_at IS NULL AND anonymised_at IS NULL ORDER BY reference", both).fetchall()
    enquiries = conn.execute("SELECT id, reference FROM enquiry WHERE (caller_id = ? OR child_id = ?) AND "
                             "case_id IS NULL AND deleted_at IS NULL AND anonymised_at IS NULL "
                             "ORDER BY reference", both).fetchall()
    return SubjectRecords(f"{person[0]} {person[1]}".strip(), [(r[0], r[1]) for r in rows if r[2] == "closed"],
                          [(r[0], r[1]) for r in enquiries], [r[1] for r in rows if r[2] != "closed"])


@grants(Scope.MANAGER, "the erasure register is the manager's")
def carry_out_for_subject(session: Session, request_id: str) -> ErasureRequest:
    """Erase every record the request's subject is in (their closed cases, then their general
    enquiries) and mark the request erased. When the subject's records are already gone (the
    link to a person goes with them) the request is marked erased. Refused while they have an
    open case, or any record is blocked (an open SAR, safeguarding concern or legal hold);
    nothing is erased then.

    May raise: ValidationError, PermissionDenied, NotFound."""
    req = get_request(session, request_id)
    if req.status != OPEN:
        raise ValidationError(f"{req.reference} was already decided ({req.status}).", field="status")
    found = subject_records(session, req.id)
    if found.open_cases:
        raise PermissionDenied(f"{found.person_name} has an open case ({', '.join(found.open_cases)}): close it "
                               "first, or refuse the request with its ground.")
    conn = session.conn
    case_ids, enquiry_ids = [i for i, _ in found.cases], [i for i, _ in found.enquiries]
    stops = {**(eraser.blocked(conn, "case", case_ids) if case_ids else {}),
             **(eraser.blocked(conn, "enquiry", enquiry_ids) if enquiry_ids else {})}
    if stops:
        refs = dict(found.cases + found.enquiries)
        raise PermissionDenied("These records cannot be erased until released: " + "; ".join(
            f"{refs[i]}: {' and '.join(b)}" for i, b in sorted(stops.items())) + ".")
    if req.subject_id and not found.nothing_left and not case_ids and not enquiry_ids:
        raise PermissionDenied(f"{found.person_name} is still in the records, but in no case or enquiry of their "
                               "own (named on someone else's case): erase that case, or refuse the request.")
    why = f"Right to erasure request {req.reference}"
    if case_ids:
        eraser.erase(session, "case", case_ids, why, request_ref=req.reference)
    enquiry_ids = [i for i in enquiry_ids if conn.execute("SELECT 1 FROM enquiry WHERE id = ?", (i,)).fetchone()]
    if enquiry_ids:
        eraser.erase(session, "enquiry", enquiry_ids, why, request_ref=req.reference)
    return _decide(session, req.id, {"status": ERASED}, "erasure_request_erased")


@grants(Scope.MANAGER, "the erasure register is the manager's")
def dashboard_section(session: Session, on: date | None = None) -> Section:
    on = on or review_today()
    section = Section("erasure_requests", "Right-to-erasure requests open",
                      empty_text="No right-to-erasure request is open.")
    for req in list_requests(session, open_only=True):
        due = date.fromisoformat(req.due_on)
        late = due < on
        section.items.append(Item(f"{req.reference}: from {req.requester_name}", "erasure_request", req.id,
                                  severity="overdue" if late else "due_soon",
                                  detail=f"overdue: was due {due:%d/%m/%Y}" if late else f"due {due:%d/%m/%Y}"))
    return section
