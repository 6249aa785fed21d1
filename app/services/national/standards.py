"""The Minimum Standards self-assessment register (docs/national.md): each standard the service
assesses itself against, its evidence, a rating, who owns it and when it is next reviewed.
Shown in the manager's annual report."""

from dataclasses import dataclass
from datetime import date

from app.domain.choices import StandardRating
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean, parse_date
from app.errors import NotFound, StaleEdit
from app.security.session import Session
from app.storage import records
from app.storage.db import transaction


@dataclass(frozen=True)
class Standard:
    id: str
    reference: str
    title: str
    evidence: str
    rating: str
    owner: str
    review_on: str | None
    version: int


@dataclass(frozen=True)
class StandardInput:
    reference: str
    title: str
    evidence: str = ""
    rating: str = StandardRating.NOT_ASSESSED.value
    owner: str = ""
    review_on: date | str | None = None


def _values(data: StandardInput) -> dict:
    review = parse_date(data.review_on, "review_on", "Review date")
    return {
        "reference": clean(data.reference, "reference", "Standard number", required=True, max_len=20),
        "title": clean(data.title, "title", "Standard", required=True, max_len=300),
        "evidence": clean(data.evidence, "evidence", "Evidence", max_len=4000, multiline=True) or "",
        "rating": StandardRating.parse(data.rating, "rating").value,
        "owner": clean(data.owner, "owner", "Owner", max_len=120) or "",
        "review_on": review.isoformat() if review else None,
    }


@grants(Scope.MANAGER, "the service's self-assessment")
def add_standard(session: Session, data: StandardInput) -> Standard:
    """May raise: ValidationError, PermissionDenied."""
    values = _values(data)
    with transaction(session.conn):
        standard_id = records.insert(session.conn, "minimum_standard", values, session.user.username)
        session.audit("standard_added", "minimum_standard", standard_id)
    return get_standard(session, standard_id)


@grants(Scope.MANAGER, "the service's self-assessment")
def update_standard(session: Session, standard_id: str, data: StandardInput,
                    expected_version: int | None = None) -> Standard:
    """May raise: ValidationError, StaleEdit (changed meanwhile), NotFound, PermissionDenied."""
    values = _values(data)
    get_standard(session, standard_id)
    with transaction(session.conn):
        if records.update(session.conn, "minimum_standard", standard_id, values, session.user.username,
                          expected_version) != 1:
            raise StaleEdit()
        session.audit("standard_updated", "minimum_standard", standard_id)
    return get_standard(session, standard_id)


@grants(Scope.MANAGER, "the service's self-assessment")
def get_standard(session: Session, standard_id: str) -> Standard:
    row = records.fetch(session.conn, "minimum_standard", standard_id)
    if row is None:
        raise NotFound("That standard is not in the register.")
    return _standard(row)


def _standard(row) -> Standard:
    return Standard(row["id"], row["reference"], row["title"], row["evidence"], row["rating"], row["owner"],
                    row["review_on"], row["version"])


@grants(Scope.MANAGER, "the service's self-assessment")
def list_standards(session: Session) -> list[Standard]:
    rows = session.conn.execute("SELECT * FROM minimum_standard WHERE deleted_at IS NULL").fetchall()
    return sorted((_standard(r) for r in rows), key=lambda s: _reference_key(s.reference))


def _reference_key(reference: str) -> tuple:
    """"3.10" after "3.9": numbered parts compare as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in reference.replace("-", ".").split("."))
