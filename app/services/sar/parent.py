"""A parent's request for a young person's data: the record of the young person's authority
or a manager's decision, checked by the one rule in app/domain/sar_authority.py when the
request is registered and again before a pack is made."""

from datetime import date

from app.domain import sar_authority
from app.domain.role_matrix import Scope, grants
from app.domain.sar import Sar
from app.domain.text import clean
from app.errors import ValidationError
from app.security.session import Session
from app.services.casework import people


@grants(Scope.HELPER, "the rule for a parent's request")
def authority_values(session: Session, subject, received: date, competent: bool | None, authority: str | None,
                     note: str | None, today: date) -> dict:
    """The columns recording a parent's authority for this child; checks the rule first.

    May raise: ValidationError (app/domain/sar_authority.py says when).
    """
    if authority not in (None, "", *sar_authority.AUTHORITY_KINDS):
        raise ValidationError("Choose whose decision allows the parent's request.", field="child_authority")
    text = clean(note, "child_authority_note", "The authority or the reason", max_len=1000, multiline=True)
    born = date.fromisoformat(subject.date_of_birth) if subject.date_of_birth else None
    sar_authority.check_parent_request(subject.full_name, sar_authority.age_on(born, received), competent,
                                       authority or None, text)
    recorded = bool(authority) and bool(text)
    return {"child_competent": None if competent is None else int(bool(competent)),
            "child_authority": authority if recorded else None, "child_authority_note": text if recorded else None,
            "child_authority_by": session.user.username if recorded else None,
            "child_authority_on": today.isoformat() if recorded else None}


@grants(Scope.HELPER, "the rule for a parent's request")
def check_parent_authority(session: Session, request: Sar) -> None:
    """Again before a pack is made: the child's date of birth may have been corrected since.

    May raise: ValidationError.
    """
    if request.requester_kind != "parent":
        return
    subject = people.peek_person(session, request.subject_id)
    born = date.fromisoformat(subject.date_of_birth) if subject.date_of_birth else None
    competent = None if request.child_competent is None else bool(request.child_competent)
    sar_authority.check_parent_request(subject.full_name, sar_authority.age_on(born, date.fromisoformat(
        request.received_on)), competent, request.child_authority, request.child_authority_note)
