"""The paper file register (R11): where each paper file is, who took it out, when it is due back."""

from dataclasses import dataclass
from datetime import date

from app.domain.role_matrix import Scope, grants
from app.domain.text import clean, parse_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import cases
from app.storage import records
from app.storage.db import transaction
from app.storage.staff_repo import StaffRepo


@dataclass
class PaperFile:
    id: str
    label: str
    home_location: str
    case_id: str | None = None
    case_reference: str | None = None
    # Current movement, if the file is out.
    movement_id: str | None = None
    checked_out_by: str | None = None
    checked_out_on: str | None = None
    taken_to: str | None = None
    expected_back: str | None = None

    @property
    def is_out(self) -> bool:
        return self.movement_id is not None

    def overdue_on(self, today: date) -> bool:
        return self.is_out and self.expected_back < today.isoformat()


@dataclass
class Movement:
    id: str
    checked_out_by: str
    checked_out_on: str
    taken_to: str | None
    expected_back: str
    returned_on: str | None
    returned_by: str | None


_SELECT = (
    "SELECT f.id, f.label, f.home_location, f.case_id, c.reference AS case_reference, m.id AS movement_id, "
    "m.checked_out_by, m.checked_out_on, m.taken_to, m.expected_back FROM paper_file f "
    "LEFT JOIN casefile c ON c.id = f.case_id "
    "LEFT JOIN paper_file_movement m ON m.file_id = f.id AND m.returned_on IS NULL AND m.deleted_at IS NULL "
    "WHERE f.deleted_at IS NULL ")


def _file(row) -> PaperFile:
    return PaperFile(**{k: row[k] for k in row.keys()})


def _visible(session: Session, sql: str, params: dict | None = None):
    """_SELECT narrowed to files in no case or in a case the viewer may see (R4): a file's
    label and case reference are the case's own."""
    where = f"AND {access.in_visible_case_sql('f.case_id', nullable=True)} "
    return session.conn.execute(_SELECT + where + sql, {**access.visibility_params(session), **(params or {})})


@grants(Scope.CASEWORK)
def add_file(session: Session, label: str, home_location: str, case_id: str | None = None) -> PaperFile:
    label = clean(label, "label", "File label", required=True, max_len=100)
    home = clean(home_location, "home_location", "Where it is kept", required=True, max_len=200)
    if case_id:
        cases.load_case(session, case_id)
    if session.conn.execute("SELECT 1 FROM paper_file WHERE label = ?", (label,)).fetchone():
        raise ValidationError(f"There is already a paper file labelled '{label}'.", field="label")
    with transaction(session.conn):
        file_id = records.insert(session.conn, "paper_file", {"label": label, "home_location": home,
                                                              "case_id": case_id}, session.user.username)
        session.audit("paper_file_added", "paper_file", file_id)
    return get_file(session, file_id)


@grants(Scope.CASEWORK)
def case_for_reference(session: Session, reference: str | None) -> str | None:
    """The case a paper file belongs to, from the reference written on its folder (as staff
    type it: "cas-2026-0012" or " CAS-2026-0012 "). None when no reference is given.

    May raise: ValidationError (no such case), PermissionDenied."""
    text = (reference or "").strip()
    if not text:
        return None
    row = session.conn.execute("SELECT id FROM casefile WHERE reference = ? COLLATE NOCASE AND deleted_at IS NULL",
                               (text,)).fetchone()
    if row is None:
        raise ValidationError(f"There is no case with the reference '{text}'.", field="case")
    cases.load_case(session, row[0])  # the case's access rules apply
    return row[0]


@grants(Scope.ANY, "files in no case or in a case they may see")
def get_file(session: Session, file_id: str) -> PaperFile:
    row = _visible(session, "AND f.id = :id", {"id": file_id}).fetchone()
    if row is None:
        raise NotFound("That paper file is not in the register.")
    return _file(row)


@grants(Scope.ANY, "files in no case or in a case they may see")
def find_file(session: Session, label: str) -> PaperFile:
    row = _visible(session, "AND f.label = :label COLLATE NOCASE", {"label": (label or "").strip()}).fetchone()
    if row is None:
        raise NotFound(f"There is no paper file labelled '{label}'.")
    return _file(row)


@grants(Scope.ANY, "files in no case or in a case they may see")
def list_files(session: Session) -> list[PaperFile]:
    return [_file(r) for r in _visible(session, "ORDER BY f.label COLLATE NOCASE")]


@grants(Scope.CASEWORK)
def check_out(session: Session, file_id: str, expected_back, taken_to: str | None = None,
              person: str | None = None, today: date | None = None) -> PaperFile:
    """Record that a member of staff has taken a paper file out of the office."""
    today = today or date.today()
    paper = get_file(session, file_id)
    if paper.is_out:
        raise ValidationError(f"'{paper.label}' is already out with {paper.checked_out_by} "
                              f"(since {date.fromisoformat(paper.checked_out_on):%d/%m/%Y}). Check it in first.")
    back = parse_date(expected_back, "expected_back", "Expected back", required=True)
    if back < today:
        raise ValidationError("The expected return date is in the past.", field="expected_back")
    who = (person or session.user.username).strip().lower()
    member = StaffRepo(session.conn).get_by_username(who)
    if member is None or not member.active:
        raise ValidationError("Choose an active member of staff who is taking the file.", field="person")
    with transaction(session.conn):
        movement_id = records.insert(session.conn, "paper_file_movement", {
            "file_id": paper.id, "checked_out_by": who, "checked_out_on": today.isoformat(),
            "taken_to": clean(taken_to, "taken_to", "Taken to", max_len=200), "expected_back": back.isoformat()},
            session.user.username)
        session.audit("paper_file_out", "paper_file", paper.id, {"movement": movement_id})
    return get_file(session, file_id)


@grants(Scope.ANY, "files of cases they may see")
def check_in(session: Session, file_id: str, today: date | None = None) -> PaperFile:
    today = today or date.today()
    paper = get_file(session, file_id)
    if not paper.is_out:
        raise ValidationError(f"'{paper.label}' is not checked out.")
    with transaction(session.conn):
        records.update(session.conn, "paper_file_movement", paper.movement_id,
                       {"returned_on": today.isoformat(), "returned_by": session.user.username},
                       session.user.username)
        session.audit("paper_file_in", "paper_file", paper.id, {"movement": paper.movement_id})
    return get_file(session, file_id)


@grants(Scope.ANY, "files they may see")
def movements(session: Session, file_id: str) -> list[Movement]:
    """May raise: NotFound (no such file, or one in a case the viewer may not see)."""
    get_file(session, file_id)
    rows = session.conn.execute(
        "SELECT id, checked_out_by, checked_out_on, taken_to, expected_back, returned_on, returned_by "
        "FROM paper_file_movement WHERE file_id = ? AND deleted_at IS NULL ORDER BY checked_out_on DESC, created_at DESC",
        (file_id,))
    return [Movement(**{k: r[k] for k in r.keys()}) for r in rows]


@grants(Scope.ANY, "files they may see")
def overdue(session: Session, today: date | None = None) -> list[PaperFile]:
    today = today or date.today()
    rows = _visible(session, "AND m.id IS NOT NULL AND m.expected_back < :today ORDER BY m.expected_back",
                    {"today": today.isoformat()})
    return [_file(r) for r in rows]
