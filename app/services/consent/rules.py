"""Who may give consent, in what right, and for how long (the manager's review period).

- A young person decides for themself from 16 (SEND Code of Practice 0-25, chapter 8); a parent
  is refused then, unless the young person lacks capacity and the record says why.
- Under 16, a parent or carer with parental responsibility decides; the child themself only in
  their own case (they came to us on their own, R4). A parent's consent ends the day before
  the child turns 16.
- Contact arrangements (mailing list, voicemail, work, messages via family) are the person's
  own to give.
"""

from dataclasses import dataclass
from datetime import date

from app.domain.choices import PersonKind
from app.domain.consent import (
    AGE_OF_OWN_DECISIONS,
    DEFAULT_REVIEW_MONTHS,
    REVIEW_MONTHS_RANGE,
    Capacity,
    ConsentScope,
    default_expiry,
)
from app.domain.records import Case, Person
from app.domain.role_matrix import Scope, grants
from app.domain.sar_deadline import add_months
from app.domain.text import clean
from app.errors import ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import cases, people
from app.services.settings import get as get_setting
from app.services.settings_change import put as put_setting


# --- settings ------------------------------------------------------------------------------
@grants(Scope.ANY, "a setting")
def review_months(session: Session) -> int:
    """How long a consent lasts before it must be asked again (manager's setting)."""
    value = get_setting(session, "consent_review_months")
    return int(value) if value is not None else DEFAULT_REVIEW_MONTHS


@grants(Scope.MANAGER)
def set_review_months(session: Session, months) -> int:
    try:
        value = int(months)
    except (TypeError, ValueError):
        raise ValidationError("Enter the number of months as a whole number.",
                              field="consent_review_months") from None
    low, high = REVIEW_MONTHS_RANGE
    if not low <= value <= high:
        raise ValidationError(f"Consent review must be between {low} and {high} months.",
                              field="consent_review_months")
    put_setting(session, "consent_review_months", value)    # the team's, on a team computer
    return value


# --- who may consent -----------------------------------------------------------------------
@dataclass
class Entitlement:
    capacity: Capacity
    note: str | None = None
    # A parent's consent ends before the child turns 16, when the decision becomes theirs.
    latest_expiry: date | None = None


def sixteenth_birthday(child: Person) -> date | None:
    if not child.date_of_birth:
        return None
    return add_months(date.fromisoformat(child.date_of_birth), 12 * AGE_OF_OWN_DECISIONS)


def _related(session: Session, adult_id: str, child_id: str) -> bool:
    return session.conn.execute("SELECT 1 FROM relationship WHERE adult_id = ? AND child_id = ? AND "
                                "deleted_at IS NULL", (adult_id, child_id)).fetchone() is not None


@grants(Scope.CASEWORK)
def entitlement(session: Session, case: Case | None, giver: Person, scope: ConsentScope, on_day: date,
                on_behalf_reason: str | None = None) -> Entitlement:
    """Who may give this consent, and in what right. May raise: ValidationError ('given_by'),
    PermissionDenied."""
    if giver.kind == PersonKind.PROFESSIONAL:
        raise ValidationError(f"{giver.full_name} is recorded as a professional; consent comes from the "
                              "young person or a parent or carer.", field="given_by")
    if case is not None and giver.id not in (case.client_id, case.child_id) \
            and not _related(session, giver.id, case.child_id):
        raise ValidationError(f"{giver.full_name} is not part of this case's family.", field="given_by")
    if not scope.about_the_child:
        # Contact arrangements are about the person's own phone, workplace or address.
        age = giver.age(on_day)
        if giver.kind == PersonKind.CHILD and age is not None and age < AGE_OF_OWN_DECISIONS:
            raise ValidationError(f"{giver.full_name} is under {AGE_OF_OWN_DECISIONS}: agree contact "
                                  "arrangements with a parent or carer.", field="given_by")
        return Entitlement(Capacity.SELF)
    child = people.peek_person(session, case.child_id)
    age = child.age(on_day)
    if giver.id == child.id:
        if (age is not None and age >= AGE_OF_OWN_DECISIONS) or case.own_case:
            return Entitlement(Capacity.SELF)
        raise ValidationError(
            f"{child.full_name} is under {AGE_OF_OWN_DECISIONS}: consent about their information comes "
            "from a parent or carer with parental responsibility (or from them in their own case, if "
            "they came to us themselves).", field="given_by")
    if case.own_case:
        # R4: a young person's own case is theirs; a parent consenting in it would breach it.
        raise ValidationError(f"This is {child.full_name}'s own case: consent in it comes from "
                              f"{child.full_name}.", field="given_by")
    if age is None:
        raise ValidationError(f"Record {child.full_name}'s date of birth first: from {AGE_OF_OWN_DECISIONS} "
                              "young people decide for themselves, so Confide needs their age to know "
                              "who can consent.", field="given_by")
    if age >= AGE_OF_OWN_DECISIONS:
        reason = clean(on_behalf_reason, "on_behalf_reason", "The reason", max_len=500)
        if reason and _related(session, giver.id, child.id):
            return Entitlement(Capacity.REPRESENTATIVE, reason)
        raise ValidationError(
            f"{child.full_name} is {age}: from {AGE_OF_OWN_DECISIONS}, young people decide for themselves "
            f"about their information, so {giver.full_name} cannot consent for them. Ask "
            f"{child.full_name}. If they lack the capacity to decide, record who acts for them and why.",
            field="given_by")
    if on_behalf_reason and on_behalf_reason.strip():
        raise ValidationError(f"Acting for a young person who lacks capacity applies from "
                              f"{AGE_OF_OWN_DECISIONS}; {child.full_name} is {age}.", field="on_behalf_reason")
    if not people.holds_parental_responsibility(session.conn, giver.id, child.id):
        raise ValidationError(
            f"{giver.full_name} is not recorded as holding parental responsibility for {child.full_name}, "
            "so cannot consent for them. Only a parent or carer with parental responsibility can.",
            field="given_by")
    return Entitlement(Capacity.PARENTAL_RESPONSIBILITY, latest_expiry=sixteenth_birthday(child))


@dataclass
class Giver:
    """A person the capture form offers, with whether they may consent to sharing and why not."""

    person_id: str
    name: str
    allowed: bool
    reason: str | None = None
    capacity: str | None = None
    # A relative of a young person of 16+, who may act for them if they lack capacity.
    can_represent: bool = False


@grants(Scope.CASEWORK)
def possible_givers(session: Session, case_id: str, today: date | None = None) -> list[Giver]:
    case = cases.load_case(session, case_id)
    access.require_casework(session)
    today = today or date.today()
    ids = [case.child_id, case.client_id] + [r[0] for r in session.conn.execute(
        "SELECT adult_id FROM relationship WHERE child_id = ? AND deleted_at IS NULL ORDER BY created_at",
        (case.child_id,))]
    result, seen = [], set()
    for person_id in ids:
        if person_id in seen:
            continue
        seen.add(person_id)
        person = people.peek_person(session, person_id)
        try:
            right = entitlement(session, case, person, ConsentScope.SHARE_WITH, today)
            result.append(Giver(person.id, person.full_name, True, capacity=right.capacity.value))
        except ValidationError as exc:
            try:
                entitlement(session, case, person, ConsentScope.SHARE_WITH, today, "lacks capacity")
                can_represent = True
            except ValidationError:
                can_represent = False
            result.append(Giver(person.id, person.full_name, False, exc.message, can_represent=can_represent))
    # Those who may consent first; the client before others.
    result.sort(key=lambda g: (not g.allowed, g.person_id != case.client_id))
    return result


@grants(Scope.CASEWORK)
def suggested_review_date(session: Session, case_id: str, given_by_id: str, given_on: date) -> date:
    """The default review date for a form to show: the manager's period, ending before the
    child turns 16 when a parent gives it."""
    case = cases.load_case(session, case_id)
    expires = default_expiry(given_on, review_months(session))
    try:
        right = entitlement(session, case, people.peek_person(session, given_by_id), ConsentScope.SHARE_WITH,
                            given_on)
    except ValidationError:
        return expires
    if right.latest_expiry and expires >= right.latest_expiry:
        expires = date.fromordinal(right.latest_expiry.toordinal() - 1)
    return expires
