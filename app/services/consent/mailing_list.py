"""The mailing list (R10): joining needs a live mailing-list consent; withdrawing that consent
takes the person off at once; the export holds only people whose consent is in force today,
and is an AES-256 encrypted PDF."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain.consent import IN_FORCE_SQL
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ConsentMissing
from app.security.session import Session
from app.services import access, exports
from app.services.casework import people
from app.storage import records
from app.storage.db import transaction


@dataclass
class MailingListEntry:
    person_id: str
    name: str
    email: str | None
    address: str | None
    postcode: str | None
    joined_on: str
    review_on: str | None  # when the consent must be asked again; None if it has lapsed


@dataclass
class ExportResult:
    path: Path
    password: str
    count: int


def _live_consent(conn, person_id: str, day: date) -> str | None:
    row = conn.execute(
        f"SELECT c.id FROM consent c WHERE c.subject_id = :pid AND c.scope = 'mailing_list' AND {IN_FORCE_SQL} "
        "ORDER BY c.expires_on DESC LIMIT 1", {"pid": person_id, "day": day.isoformat()}).fetchone()
    return row[0] if row else None


@grants(Scope.CASEWORK)
def join_in_tx(session: Session, person_id: str, consent_id: str, day: date) -> str:
    """Inside the consent's own transaction. A member already on the list moves to the newer consent."""
    conn = session.conn
    current = conn.execute("SELECT id FROM mailing_list_member WHERE person_id = ? AND left_on IS NULL "
                           "AND deleted_at IS NULL", (person_id,)).fetchone()
    if current:
        records.update(conn, "mailing_list_member", current[0], {"consent_id": consent_id}, session.user.username)
        return current[0]
    member_id = records.insert(conn, "mailing_list_member", {"person_id": person_id, "consent_id": consent_id,
                                                              "joined_on": day.isoformat()}, session.user.username)
    session.audit("mailing_list_joined", "person", person_id, {"member": member_id, "consent": consent_id})
    return member_id


@grants(Scope.CASEWORK)
def leave_in_tx(session: Session, person_id: str, day: date, reason: str) -> bool:
    conn = session.conn
    current = conn.execute("SELECT id FROM mailing_list_member WHERE person_id = ? AND left_on IS NULL "
                           "AND deleted_at IS NULL", (person_id,)).fetchone()
    if not current:
        return False
    records.update(conn, "mailing_list_member", current[0], {"left_on": day.isoformat(), "left_reason": reason},
                   session.user.username)
    session.audit("mailing_list_left", "person", person_id, {"member": current[0], "reason": reason})
    return True


@grants(Scope.CASEWORK)
def join(session: Session, person_id: str, today: date | None = None) -> str:
    """Put someone on the list. May raise: ConsentMissing (no live mailing-list consent)."""
    today = today or date.today()
    person = people.peek_person(session, person_id)
    consent_id = _live_consent(session.conn, person_id, today)
    if consent_id is None:
        raise ConsentMissing(f"{person.full_name} has no live consent to be on the mailing list. Record "
                             "their mailing-list consent first; joining follows from it.")
    with transaction(session.conn):
        return join_in_tx(session, person_id, consent_id, today)


@grants(Scope.CASEWORK)
def is_member(session: Session, person_id: str) -> bool:
    return session.conn.execute("SELECT 1 FROM mailing_list_member WHERE person_id = ? AND left_on IS NULL "
                                "AND deleted_at IS NULL", (person_id,)).fetchone() is not None


_MEMBERS = (
    "SELECT m.person_id, trim(p.first_name || ' ' || p.last_name) AS name, p.email, p.address, p.postcode, "
    "m.joined_on, (SELECT max(c.expires_on) FROM consent c WHERE c.subject_id = m.person_id "
    "AND c.scope = 'mailing_list' AND {in_force}) AS review_on "
    "FROM mailing_list_member m JOIN person p ON p.id = m.person_id "
    "WHERE m.left_on IS NULL AND m.deleted_at IS NULL AND p.deleted_at IS NULL ")


@grants(Scope.MANAGER)
def members(session: Session, today: date | None = None) -> list[MailingListEntry]:
    """Current consenters only: on the list, with a mailing-list consent in force today."""
    rows = session.conn.execute(
        _MEMBERS.format(in_force=IN_FORCE_SQL) + "AND review_on IS NOT NULL "
        "ORDER BY p.last_name COLLATE NOCASE, p.first_name COLLATE NOCASE",
        {"day": (today or date.today()).isoformat()})
    found = [MailingListEntry(**dict(r)) for r in rows]
    access.audit_bulk_read(session, "mailing_list", len(found), lapsed=False)
    return found


@grants(Scope.MANAGER)
def lapsed(session: Session, today: date | None = None) -> list[MailingListEntry]:
    """On the list, but their consent has passed its review date: ask again before mailing them."""
    rows = session.conn.execute(
        _MEMBERS.format(in_force=IN_FORCE_SQL) + "AND review_on IS NULL ORDER BY m.joined_on",
        {"day": (today or date.today()).isoformat()})
    found = [MailingListEntry(**dict(r)) for r in rows]
    access.audit_bulk_read(session, "mailing_list", len(found), lapsed=True)
    return found


@grants(Scope.MANAGER)
def export_mailing_list(session: Session, path: Path, password: str | None = None,
                        today: date | None = None) -> ExportResult:
    """Write the list of current consenters as an AES-256 encrypted PDF (managers only).

    Returns the password to pass on separately. May raise: PermissionDenied, ValidationError
    (a weak password), OSError.
    """
    from app.pdf.mailing_list_pdf import render_mailing_list
    session.require(Role.MANAGER)
    today = today or date.today()
    entries = members(session, today)
    pdf = render_mailing_list(session.vault.service_name, today, entries)
    written = exports.export_pdf(session, exports.ExportKind.MAILING_LIST, Path(path), pdf, password,
                                 {"count": len(entries)})
    password = password or written.password
    with transaction(session.conn):
        session.audit("mailing_list_exported", "mailing_list", None, {"count": len(entries)})
    return ExportResult(Path(path), password, len(entries))

