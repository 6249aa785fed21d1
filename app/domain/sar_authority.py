"""When a parent may ask for their child's personal data (R13, ICO right-of-access guidance).

The right of access is the child's. A parent with parental responsibility may exercise it
for a child who cannot yet understand it. From 16, and earlier for a child competent to
decide (Gillick competence, judged for this decision, so it is recorded on the request), the
parent needs the young person's own authority, or a manager's recorded decision with its
reason (for example a young person of 17 who lacks the capacity to decide). A child whose
date of birth is not recorded is treated as possibly 16 or over: nothing is assumed in the
parent's favour.
"""

from datetime import date

from app.errors import ValidationError

AGE_OF_OWN_RIGHT = 16
AUTHORITY_KINDS = ("young_person", "manager_decision")


def age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def needs_childs_authority(age: int | None, competent: bool | None) -> bool:
    """The one rule: is the young person's authority (or a manager's decision) needed?"""
    return age is None or age >= AGE_OF_OWN_RIGHT or bool(competent)


def check_parent_request(name: str, age: int | None, competent: bool | None, authority: str | None,
                         note: str | None) -> None:
    """May raise: ValidationError, in plain words, when a parent's request about this child
    has neither the young person's authority nor a manager's decision with its reason."""
    if not needs_childs_authority(age, competent):
        return
    if authority in AUTHORITY_KINDS and (note or "").strip():
        return
    why = (f"{name}'s date of birth is not recorded, so they may be 16 or over" if age is None
           else f"{name} is {age}" if age >= AGE_OF_OWN_RIGHT
           else f"{name} is recorded as competent to decide for themselves")
    if authority in AUTHORITY_KINDS:
        what = ("how the young person gave their authority" if authority == "young_person"
                else "the reason for the manager's decision")
        raise ValidationError(f"{why}: record {what}.", field="child_authority_note")
    raise ValidationError(
        f"{why}: a parent can have their information only with the young person's own authority, or a "
        "manager's decision with its reason (for example, that they lack the capacity to decide). Record "
        "one of these before going on.", field="child_authority")
