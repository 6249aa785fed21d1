"""The manager's other answers to a record past its date: keep it longer (with a reason
and a new date), or put it under a legal hold until released (docs/lifecycle.md)."""

from datetime import date

from app.domain.role_matrix import Scope, grants
from app.domain.text import clean, parse_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.services.lifecycle.review import today
from app.storage import records
from app.storage.db import transaction

_TARGET = {"case": ("casefile", "case_id"), "enquiry": ("enquiry", "enquiry_id")}


@grants(Scope.MANAGER, "the retention review is the manager's")
def extend(session: Session, kind: str, record_id: str, keep_until, reason: str) -> str:
    """Keep a case or an enquiry until `keep_until` (a later date), for the reason given.

    May raise: ValidationError, NotFound."""
    if kind not in _TARGET:
        raise ValidationError("Only cases and enquiries can be kept longer.", field="kind")
    table, column = _TARGET[kind]
    until = parse_date(keep_until, "keep_until", "Keep until", required=True)
    if until <= today():
        raise ValidationError("Keep until must be a date after today.", field="keep_until")
    why = clean(reason, "reason", "Reason", multiline=True) or ""
    if not why:
        raise ValidationError("Say why this record is kept longer.", field="reason")
    conn = session.conn
    if records.fetch(conn, table, record_id) is None:
        raise NotFound(f"There is no {kind} '{record_id}'.")
    with transaction(conn):
        ext = records.insert(conn, "retention_extension", {column: record_id, "keep_until": until.isoformat(),
                                                           "reason": why}, session.user.username)
        session.audit("retention_extended", table, record_id, {"keep_until": until.isoformat()})
    return ext


@grants(Scope.MANAGER, "a legal hold is the manager's")
def place_hold(session: Session, case_id: str, reason: str, on: date | None = None) -> str:
    """Stop a case being erased or anonymised until the hold is released.

    May raise: ValidationError, NotFound."""
    why = clean(reason, "reason", "Reason", multiline=True) or ""
    if not why:
        raise ValidationError("Say why the case is held (the claim or the instruction).", field="reason")
    conn = session.conn
    if records.fetch(conn, "casefile", case_id) is None:
        raise NotFound(f"There is no case '{case_id}'.")
    with transaction(conn):
        hold = records.insert(conn, "legal_hold", {"case_id": case_id, "reason": why,
                                                   "placed_on": (on or today()).isoformat()}, session.user.username)
        session.audit("legal_hold_placed", "casefile", case_id, {"hold": hold})
    return hold


@grants(Scope.MANAGER, "a legal hold is the manager's")
def release_hold(session: Session, hold_id: str) -> None:
    """May raise: NotFound."""
    conn = session.conn
    row = records.fetch(conn, "legal_hold", hold_id)
    if row is None or row["released_on"]:
        raise NotFound("There is no legal hold in force with that id.")
    with transaction(conn):
        records.update(conn, "legal_hold", hold_id, {"released_on": today().isoformat()}, session.user.username)
        session.audit("legal_hold_released", "casefile", row["case_id"], {"hold": hold_id})
