"""Case notes (R8): typed, dated, timed; an edit keeps the earlier version."""

from datetime import date

from app import clock
from app.domain.choices import CaseStatus, NoteType
from app.domain.records import Note, NoteRevision
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import LONG_MAX, clean, parse_date
from app.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from app.security.session import Session
from app.services.casework import cases, inactivity
from app.storage import records, search_index
from app.storage.db import transaction

RELEVANCE_REMINDER = ("Record only what is directly relevant to the family's issue. The family can "
                      "ask to see everything written here.")
MAX_MINUTES = 24 * 60


def _validate(note_type, occurred_on, minutes_spent, body, today: date) -> dict:
    kind = NoteType.parse(note_type, "note_type").value
    when = parse_date(occurred_on, "occurred_on", "Date", required=True)
    if when > today:
        raise ValidationError("A note cannot be dated in the future.", field="occurred_on")
    try:
        minutes = int(minutes_spent or 0)
    except (TypeError, ValueError):
        raise ValidationError("Time spent is a whole number of minutes.", field="minutes_spent") from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValidationError("Time spent must be between 0 and 1,440 minutes.", field="minutes_spent")
    text = clean(body, "body", "The note", required=True, max_len=LONG_MAX, multiline=True)
    return {"note_type": kind, "occurred_on": when.isoformat(), "minutes_spent": minutes, "body": text}


@grants(Scope.CASEWORK)
def add_note(session: Session, case_id: str, note_type: str, occurred_on, minutes_spent, body: str,
             today: date | None = None) -> Note:
    """A note dated after an inactive case went inactive is a new contact: the case is open
    again from that day (docs/national.md, "Open, inactive and closed").

    May raise: ValidationError, PermissionDenied, NotFound."""
    case = cases.load_case(session, case_id)
    today = today or clock.now().date()
    values = _validate(note_type, occurred_on, minutes_spent, body, today)
    with transaction(session.conn):
        note_id = records.insert(session.conn, "note", {"case_id": case.id, "author": session.user.username,
                                                        **values}, session.user.username)
        search_index.add(session.conn, "note", note_id, case.id, case.reference, values["body"])
        session.audit("note_added", "note", note_id, {"case": case.id})
        if case.status == CaseStatus.INACTIVE:
            for change in inactivity.settle(session.conn, case.id, today, inactivity.period_days(session.conn),
                                            session.user.username):
                session.audit("case_reopened" if change.state == CaseStatus.OPEN.value else "case_inactive",
                              "case", case.id, {"how": change.how, "on": change.on.isoformat()})
    return _load(session, note_id)


@grants(Scope.CASEWORK, "the author or the manager")
def edit_note(session: Session, note_id: str, note_type: str, occurred_on, minutes_spent, body: str,
              expected_version: int | None = None, today: date | None = None) -> Note:
    """Change a note; the version being replaced is kept in note_revision."""
    note = _load(session, note_id)
    case = cases.load_case(session, note.case_id)
    if note.author != session.user.username and session.user.role != Role.MANAGER:
        raise PermissionDenied("Only the note's author or a manager can change it.")
    values = _validate(note_type, occurred_on, minutes_spent, body, today or date.today())
    with transaction(session.conn):
        session.conn.execute(
            "INSERT INTO note_revision (id, note_id, version, note_type, occurred_on, minutes_spent, body, "
            "written_at, written_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (records.new_id(), note.id, _revision_number(session, note), note.note_type, note.occurred_on, note.minutes_spent,
             note.body, note.updated_at, note.author if note.version == 1 else _last_editor(session, note)))
        if records.update(session.conn, "note", note.id, values, session.user.username,
                          expected_version) != 1:
            raise StaleEdit()
        search_index.put(session.conn, "note", note.id, case.id, case.reference, values["body"])
        session.audit("note_edited", "note", note.id, {"case": case.id})
    return _load(session, note_id)


def _revision_number(session: Session, note: Note) -> int:
    """Normally the version being replaced. After a team merge the note's version can meet a
    revision number another computer already used (two edits from the same base), so the
    number is never lower than one past the highest kept: history stays ordered and unique."""
    row = session.conn.execute("SELECT coalesce(max(version), 0) FROM note_revision WHERE note_id = ?",
                               (note.id,)).fetchone()
    return max(note.version, row[0] + 1)


def _last_editor(session: Session, note: Note) -> str:
    row = session.conn.execute("SELECT updated_by FROM note WHERE id = ?", (note.id,)).fetchone()
    return row[0] if row else note.author


def _load(session: Session, note_id: str) -> Note:
    row = records.fetch(session.conn, "note", note_id)
    if row is None:
        raise NotFound("That note does not exist.")
    return Note.from_row(row)


@grants(Scope.CASEWORK)
def get_note(session: Session, note_id: str) -> Note:
    """One note, after checking its case may be seen (the firewall applies to notes too).

    May raise: NotFound, PermissionDenied.
    """
    note = _load(session, note_id)
    cases.load_case(session, note.case_id)
    return note


@grants(Scope.CASEWORK)
def notes_for_case(session: Session, case_id: str) -> list[Note]:
    """Newest first. The caller has already opened (and so audited) the case."""
    cases.load_case(session, case_id)
    rows = session.conn.execute(
        "SELECT * FROM note WHERE case_id = ? AND deleted_at IS NULL ORDER BY occurred_on DESC, created_at DESC",
        (case_id,))
    return [Note.from_row(r) for r in rows]


@grants(Scope.CASEWORK)
def history(session: Session, note_id: str) -> list[NoteRevision]:
    """Earlier versions of a note, oldest first."""
    note = _load(session, note_id)
    cases.load_case(session, note.case_id)
    rows = session.conn.execute("SELECT * FROM note_revision WHERE note_id = ? ORDER BY version", (note_id,))
    return [NoteRevision.from_row(r) for r in rows]
