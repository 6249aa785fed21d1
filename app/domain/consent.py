"""Consent and disclosure (R5, R6, R7, R10): the fixed lists, and the pure rules of when a
consent is in force. Nothing here touches the database."""

from dataclasses import dataclass
from datetime import date

from app.domain.choices import LABELS, Choice
from app.domain.records import from_row_of
from app.domain.sar_deadline import add_months

EXPIRING_SOON_DAYS = 30
DEFAULT_REVIEW_MONTHS = 12
REVIEW_MONTHS_RANGE = (1, 36)
# The age at which a young person decides about their own information (SEND Code of
# Practice 0-25, chapter 8: rights pass to the young person after compulsory school age).
AGE_OF_OWN_DECISIONS = 16


class ConsentScope(Choice):
    SHARE_WITH = "share_with"
    OBTAIN_RECORDS = "obtain_records"
    MAILING_LIST = "mailing_list"
    CONTACT_AT_WORK = "contact_at_work"
    VOICEMAIL = "voicemail"
    MESSAGES_VIA_FAMILY = "messages_via_family"

    @property
    def needs_counterparty(self) -> bool:
        return self in (ConsentScope.SHARE_WITH, ConsentScope.OBTAIN_RECORDS)

    @property
    def about_the_child(self) -> bool:
        """Sharing and records are about the child's information; the rest are about how the
        person giving consent may be contacted, so they are theirs alone to give."""
        return self.needs_counterparty


class ConsentMethod(Choice):
    SIGNED_ON_SCREEN = "signed_on_screen"
    WRITTEN_FORM = "written_form"
    VERBAL_IN_PERSON = "verbal_in_person"
    VERBAL_PHONE = "verbal_phone"


class Capacity(Choice):
    """In what right the person gave consent."""

    SELF = "self"
    PARENTAL_RESPONSIBILITY = "parental_responsibility"
    # A young person of 16+ who lacks capacity to decide (Mental Capacity Act 2005): someone
    # acts for them, and the record says why.
    REPRESENTATIVE = "representative"


class WithdrawalMethod(Choice):
    VERBAL_PHONE = "verbal_phone"
    VERBAL_IN_PERSON = "verbal_in_person"
    IN_WRITING = "in_writing"


class ConsentState(Choice):
    LIVE = "live"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"
    NOT_YET_GIVEN = "not_yet_given"  # asked about a day before it was given

    @property
    def in_force(self) -> bool:
        return self in (ConsentState.LIVE, ConsentState.EXPIRING)


class DisclosureKind(Choice):
    SHARE = "share"
    RECORDS_REQUEST = "records_request"

    @property
    def scope(self) -> ConsentScope:
        return ConsentScope.SHARE_WITH if self == DisclosureKind.SHARE else ConsentScope.OBTAIN_RECORDS


class DisclosureChannel(Choice):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    MEETING = "meeting"
    SECURE_PORTAL = "secure_portal"
    OTHER = "other"


class LawfulReason(Choice):
    STATUTORY_DUTY = "statutory_duty"
    SAFEGUARDING = "safeguarding"
    VITAL_INTERESTS = "vital_interests"


class DisclosureBasis(Choice):
    CONSENT = "consent"
    OVERRIDE = "override"


LABELS.update({(type(m).__name__, m.value): text for m, text in [
    (ConsentScope.SHARE_WITH, "Share information with"),
    (ConsentScope.OBTAIN_RECORDS, "Ask for records from"),
    (ConsentScope.MAILING_LIST, "Mailing list"),
    (ConsentScope.CONTACT_AT_WORK, "Contact at work"),
    (ConsentScope.VOICEMAIL, "Voicemail and answerphone messages"),
    (ConsentScope.MESSAGES_VIA_FAMILY, "Messages left with family"),
    (ConsentMethod.SIGNED_ON_SCREEN, "Signed on screen"),
    (ConsentMethod.WRITTEN_FORM, "Written form received"),
    (ConsentMethod.VERBAL_IN_PERSON, "Verbal, in person"),
    (ConsentMethod.VERBAL_PHONE, "Verbal, by phone"),
    (Capacity.SELF, "Their own consent"),
    (Capacity.PARENTAL_RESPONSIBILITY, "Parent or carer with parental responsibility"),
    (Capacity.REPRESENTATIVE, "Acting for a young person who lacks capacity"),
    (WithdrawalMethod.VERBAL_PHONE, "By phone"),
    (WithdrawalMethod.VERBAL_IN_PERSON, "In person"),
    (WithdrawalMethod.IN_WRITING, "In writing (letter or email)"),
    (ConsentState.EXPIRING, "Expiring soon"),
    (DisclosureKind.SHARE, "Information shared"),
    (DisclosureKind.RECORDS_REQUEST, "Records requested"),
    (DisclosureChannel.SECURE_PORTAL, "Secure portal"),
    (LawfulReason.STATUTORY_DUTY, "Statutory duty"),
    (LawfulReason.VITAL_INTERESTS, "Vital interests"),
]})


def default_expiry(given_on: date, months: int) -> date:
    return add_months(given_on, months)


def state_on(today: date, given_on: str, expires_on: str, withdrawn_on: str | None = None,
             replaced_on: str | None = None) -> ConsentState:
    """A consent is in force from the day it was given up to and including its review date,
    until it is withdrawn or replaced by a newer consent (whichever comes first)."""
    day = today.isoformat()
    if withdrawn_on and withdrawn_on <= day:
        return ConsentState.WITHDRAWN
    if replaced_on and replaced_on <= day:
        return ConsentState.REPLACED
    if expires_on < day:
        return ConsentState.EXPIRED
    if given_on > day:
        return ConsentState.NOT_YET_GIVEN
    if (date.fromisoformat(expires_on) - today).days <= EXPIRING_SOON_DAYS:
        return ConsentState.EXPIRING
    return ConsentState.LIVE


@dataclass
class Consent:
    """One consent as the screens and PDFs show it."""

    id: str
    case_id: str | None
    subject_id: str
    given_by_id: str
    capacity: str
    scope: str
    wording_name: str
    wording_version: str
    wording_text: str
    method: str
    given_on: str
    expires_on: str
    batch_id: str
    created_at: str
    created_by: str
    capacity_note: str | None = None
    counterparty_person_id: str | None = None
    counterparty_organisation_id: str | None = None
    purpose: str | None = None
    signed_name: str | None = None
    has_signature: int = 0
    easy_read: int = 0  # the easy-read words were the ones agreed to
    replaces_id: str | None = None
    note: str | None = None
    # Joined for display.
    subject_name: str = ""
    given_by_name: str = ""
    counterparty_name: str = ""
    withdrawn_on: str | None = None
    withdrawal_method: str | None = None
    withdrawn_recorded_by: str | None = None
    replaced_on: str | None = None
    replaced_by_id: str | None = None
    case_reference: str | None = None

    from_row = classmethod(from_row_of)

    def state(self, today: date) -> ConsentState:
        return state_on(today, self.given_on, self.expires_on, self.withdrawn_on, self.replaced_on)

    @property
    def scope_label(self) -> str:
        label = ConsentScope(self.scope).label
        return f"{label} {self.counterparty_name}" if self.counterparty_name else label


@dataclass
class Disclosure:
    """One line of the disclosure log: what, to whom, when, on what basis."""

    id: str
    case_id: str
    kind: str
    disclosed_on: str
    channel: str
    what: str
    basis: str
    created_at: str
    created_by: str
    counterparty_person_id: str | None = None
    counterparty_organisation_id: str | None = None
    consent_id: str | None = None
    lawful_reason: str | None = None
    justification: str | None = None
    counterparty_name: str = ""
    case_reference: str = ""
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    review_note: str | None = None

    from_row = classmethod(from_row_of)

    @property
    def is_override(self) -> bool:
        return self.basis == DisclosureBasis.OVERRIDE

    @property
    def basis_label(self) -> str:
        if self.is_override:
            return f"Override: {LawfulReason(self.lawful_reason).label.lower()}"
        return "Consent"


# SQL: the consent `c` is in force on :day (the same rule as app.domain.consent.state_on).
IN_FORCE_SQL = (
    "c.deleted_at IS NULL AND c.given_on <= :day AND c.expires_on >= :day "
    "AND NOT EXISTS (SELECT 1 FROM consent_withdrawal cw WHERE cw.consent_id = c.id "
    "AND cw.deleted_at IS NULL AND cw.withdrawn_on <= :day) "
    "AND NOT EXISTS (SELECT 1 FROM consent cr WHERE cr.replaces_id = c.id AND cr.deleted_at IS NULL "
    "AND cr.given_on <= :day)")
