"""The disclosure log (R5, R6, R7): every piece of information given to a third party, and
every request for records, with its basis. Each needs a live consent that matches the case,
the scope and the counterparty, or an override with a lawful reason and a justification,
which the manager then reviews.

Matching rules (a consent "covers" a disclosure when):
- it is in the same case and has the matching scope (share -> share_with, records request ->
  obtain_records);
- it names that professional, and they still work at the organisation they were at when the
  consent was given; or it names the professional's current organisation as a whole; or, for
  a disclosure to an organisation, it names that organisation as a whole (a consent naming one
  professional never covers their whole organisation);
- it was in force on the day of the disclosure (given, not past its review date, not
  withdrawn or replaced by then).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.consent import (
    Consent,
    ConsentScope,
    DisclosureBasis,
    DisclosureChannel,
    DisclosureKind,
    LawfulReason,
)
from app.domain.consent import Disclosure as DisclosureRecord
from app.domain.role_matrix import Scope, grants
from app.domain.text import clean, parse_date, uk_date
from app.errors import ConsentMissing, NotFound, ValidationError
from app.security.session import Session
from app.services.casework import cases
from app.services.consent import counterparties
from app.services.consent.records import CONSENT_SELECT, consent_from_row
from app.storage import records
from app.storage.db import transaction

WHAT_MAX = 2000
OVERRIDE_REASONS = ", ".join(r.label.lower() for r in LawfulReason)

DISCLOSURE_SELECT = (
    "SELECT d.*, cf.reference AS case_reference, cp.first_name AS cp_first, cp.last_name AS cp_last, "
    "cp.job_title AS cp_job, co.name AS cp_org, v.created_by AS reviewed_by, v.created_at AS reviewed_at, "
    "v.note AS review_note FROM disclosure d JOIN casefile cf ON cf.id = d.case_id "
    "LEFT JOIN person cp ON cp.id = d.counterparty_person_id "
    "LEFT JOIN organisation co ON co.id = d.counterparty_organisation_id "
    "LEFT JOIN override_review v ON v.disclosure_id = d.id AND v.deleted_at IS NULL ")


def _from_row(row) -> DisclosureRecord:
    record = DisclosureRecord.from_row(row)
    record.counterparty_name = counterparties.label(row["cp_first"], row["cp_last"], row["cp_job"], row["cp_org"])
    return record


@dataclass
class DisclosureInput:
    case_id: str
    what: str
    kind: str = DisclosureKind.SHARE.value
    counterparty_person_id: str | None = None
    counterparty_organisation_id: str | None = None
    channel: str = DisclosureChannel.EMAIL.value
    disclosed_on: object = None
    # An override: both are needed, and the manager is told.
    lawful_reason: str | None = None
    justification: str | None = None


def _candidates(session: Session, case_id: str, scope: ConsentScope,
                party: counterparties.Counterparty) -> list[Consent]:
    rows = session.conn.execute(
        CONSENT_SELECT + "WHERE c.case_id = :case AND c.scope = :scope AND c.deleted_at IS NULL AND ("
        "(c.counterparty_person_id = :pid AND (c.counterparty_organisation_id IS NULL "
        "OR c.counterparty_organisation_id IS :org)) "
        "OR (c.counterparty_person_id IS NULL AND c.counterparty_organisation_id = :org)) "
        "ORDER BY c.expires_on DESC",
        {"case": case_id, "scope": scope.value, "pid": party.person_id, "org": party.organisation_id})
    return [consent_from_row(r) for r in rows]


def _missing_message(kind: DisclosureKind, party: counterparties.Counterparty, reference: str,
                     near: list[Consent], day: date) -> str:
    doing = (f"sharing information with {party.label}" if kind == DisclosureKind.SHARE
             else f"asking {party.label} for records")
    message = f"No live consent covers {doing} in case {reference}."
    if near:
        latest = max(near, key=lambda c: c.given_on)
        state = latest.state(day)
        # Each says both dates: the consent's and the disclosure's.
        dated = f"this is dated {uk_date(day.isoformat())}"
        when = {"expired": f"passed its review date on {uk_date(latest.expires_on)}, and {dated}",
                "withdrawn": f"was withdrawn on {uk_date(latest.withdrawn_on)}, and {dated}",
                "replaced": f"was replaced on {uk_date(latest.replaced_on)}, and {dated}",
                "not_yet_given": f"came after this, which is dated {uk_date(day.isoformat())}: a consent "
                                 "covers only what happens on or after the day it was given"}.get(state.value, "")
        if when:
            message += f" The consent given on {uk_date(latest.given_on)} {when}."
    what = "to share with them" if kind == DisclosureKind.SHARE else "to ask them for records"
    return (message + f" Record the family's consent {what} first, or, if this cannot wait for consent, "
            f"record an override with a lawful reason ({OVERRIDE_REASONS}) and your justification; the "
            "manager will review it.")


@grants(Scope.CASEWORK)
def matching_consent(session: Session, case_id: str, kind: str, counterparty_person_id: str | None = None,
                     counterparty_organisation_id: str | None = None, on: date | None = None) -> Consent:
    """The consent that covers this disclosure on that day (the one lasting longest).

    May raise: ConsentMissing (naming what is missing), ValidationError, PermissionDenied.
    """
    case = cases.load_case(session, case_id)
    kind_ = DisclosureKind.parse(kind, "kind")
    party = counterparties.resolve(session, counterparty_person_id, counterparty_organisation_id)
    day = on or date.today()
    near = _candidates(session, case.id, kind_.scope, party)
    live = [c for c in near if c.state(day).in_force]
    if not live:
        raise ConsentMissing(_missing_message(kind_, party, case.reference, near, day))
    return live[0]


@dataclass
class Checked:
    """A disclosure that passed every check (consent or override), ready to be written."""

    values: dict
    override: bool


@grants(Scope.CASEWORK)
def check_disclosure(session: Session, data: DisclosureInput, today: date | None = None) -> Checked:
    """Every rule of a disclosure or records request, without writing: the one place both the
    disclosure log and anything that discloses in passing (a letter, a document received)
    ask. Without an override it needs a matching consent.

    May raise: ConsentMissing, ValidationError (what, channel, disclosed_on, counterparty,
    lawful_reason, justification), PermissionDenied, NotFound.
    """
    today = today or date.today()
    case = cases.load_case(session, data.case_id)
    kind = DisclosureKind.parse(data.kind, "kind")
    channel = DisclosureChannel.parse(data.channel, "channel")
    what = clean(data.what, "what", "What was shared" if kind == DisclosureKind.SHARE else "The records asked for",
                 required=True, max_len=WHAT_MAX, multiline=True)
    day = parse_date(data.disclosed_on, "disclosed_on", "The date") or today
    if day > today:
        raise ValidationError("A disclosure cannot be dated in the future.", field="disclosed_on")
    party = counterparties.resolve(session, data.counterparty_person_id, data.counterparty_organisation_id)
    values = {"case_id": case.id, "kind": kind.value, "counterparty_person_id": party.person_id,
              "counterparty_organisation_id": party.organisation_id, "disclosed_on": day.isoformat(),
              "channel": channel.value, "what": what}
    override = bool((data.lawful_reason or "").strip() or (data.justification or "").strip())
    if override:
        if not (data.lawful_reason or "").strip():
            raise ValidationError(f"Choose the lawful reason for sharing without consent ({OVERRIDE_REASONS}).",
                                  field="lawful_reason")
        reason = LawfulReason.parse(data.lawful_reason, "lawful_reason")
        justification = clean(data.justification, "justification", "The justification", max_len=WHAT_MAX,
                              multiline=True)
        if not justification:
            raise ValidationError("Explain why this could not wait for consent: the manager reviews every "
                                  "override.", field="justification")
        values.update(basis=DisclosureBasis.OVERRIDE.value, lawful_reason=reason.value, justification=justification)
    else:
        consent = matching_consent(session, case.id, kind.value, party.person_id, party.organisation_id, on=day)
        values.update(basis=DisclosureBasis.CONSENT.value, consent_id=consent.id)
    return Checked(values, override)


@grants(Scope.CASEWORK, "writes what check_disclosure passed")
def write_disclosure_in_tx(session: Session, checked: Checked) -> str:
    """Write a checked disclosure and its audit event inside the caller's transaction."""
    values = checked.values
    disclosure_id = records.insert(session.conn, "disclosure", values, session.user.username)
    detail = {"case": values["case_id"], "kind": values["kind"], "basis": values["basis"]}
    if checked.override:
        detail["lawful_reason"] = values["lawful_reason"]
        session.audit("disclosure_override_recorded", "disclosure", disclosure_id, detail)
    else:
        detail["consent"] = values["consent_id"]
        session.audit("disclosure_recorded", "disclosure", disclosure_id, detail)
    return disclosure_id


@grants(Scope.CASEWORK)
def record_disclosure(session: Session, data: DisclosureInput, today: date | None = None) -> DisclosureRecord:
    """Log a disclosure or records request. Without an override it needs a matching consent.

    May raise: ConsentMissing, ValidationError (what, channel, disclosed_on, counterparty,
    lawful_reason, justification), PermissionDenied, NotFound.
    """
    checked = check_disclosure(session, data, today)
    with transaction(session.conn):
        disclosure_id = write_disclosure_in_tx(session, checked)
    return get_disclosure(session, disclosure_id)


@grants(Scope.CASEWORK)
def record_records_request(session: Session, data: DisclosureInput, today: date | None = None) -> DisclosureRecord:
    """R6: asking a professional for records needs an 'obtain records' consent."""
    data.kind = DisclosureKind.RECORDS_REQUEST.value
    return record_disclosure(session, data, today)


@grants(Scope.CASEWORK)
def get_disclosure(session: Session, disclosure_id: str) -> DisclosureRecord:
    """May raise: NotFound, PermissionDenied (the case's access rules apply)."""
    row = session.conn.execute(DISCLOSURE_SELECT + "WHERE d.id = ? AND d.deleted_at IS NULL",
                               (disclosure_id,)).fetchone()
    if row is None:
        raise NotFound("That disclosure does not exist.")
    cases.load_case(session, row["case_id"])
    return _from_row(row)


@grants(Scope.CASEWORK)
def disclosures_for_case(session: Session, case_id: str) -> list[DisclosureRecord]:
    """The case's disclosure log, newest first. The caller has already opened the case."""
    cases.load_case(session, case_id)
    rows = session.conn.execute(DISCLOSURE_SELECT + "WHERE d.case_id = ? AND d.deleted_at IS NULL "
                                "ORDER BY d.disclosed_on DESC, d.created_at DESC", (case_id,))
    return [_from_row(r) for r in rows]


# --- the manager's review of overrides -----------------------------------------------------------
@grants(Scope.MANAGER)
def unreviewed_overrides(session: Session, limit: int = 200) -> list[DisclosureRecord]:
    """Disclosures made without consent that no manager has reviewed yet, oldest first."""
    rows = session.conn.execute(DISCLOSURE_SELECT + "WHERE d.basis = 'override' AND d.deleted_at IS NULL "
                                "AND v.id IS NULL ORDER BY d.disclosed_on, d.created_at LIMIT ?", (int(limit),))
    return [_from_row(r) for r in rows]


@grants(Scope.HELPER, "managers' names, for the review rule")
def other_reviewers(session: Session, made_by: str) -> list[str]:
    """The active managers, other than the one who made an override, who can review it (full names)."""
    rows = session.conn.execute("SELECT full_name FROM staff WHERE role = 'manager' AND active = 1 "
                                "AND deleted_at IS NULL AND username != ? ORDER BY full_name", (made_by,))
    return [r[0] for r in rows]


@grants(Scope.HELPER)
def is_self_review(session: Session, record: DisclosureRecord) -> bool:
    """The rule for who reviews an override: a manager other than the one who made it; the one who
    made it only when no other manager exists, and then it shows as self-reviewed."""
    return record.created_by == session.user.username


@grants(Scope.MANAGER)
def mark_override_reviewed(session: Session, disclosure_id: str, note: str | None = None) -> DisclosureRecord:
    """May raise: PermissionDenied (managers only), ValidationError (already reviewed, or made by
    this manager while another manager can review it), NotFound."""
    record = get_disclosure(session, disclosure_id)
    if not record.is_override:
        raise ValidationError("Only a disclosure made without consent needs a manager's review.")
    if record.reviewed_at:
        raise ValidationError(f"{record.reviewed_by} already reviewed this override.")
    self_review = is_self_review(session, record)
    if self_review:
        others = other_reviewers(session, record.created_by)
        if others:
            raise ValidationError("You made this disclosure, so another manager reviews it: "
                                  f"{', '.join(others)}.")
    note = clean(note, "note", "Note", max_len=1000, multiline=True)
    with transaction(session.conn):
        review_id = records.insert(session.conn, "override_review", {"disclosure_id": record.id, "note": note},
                                   session.user.username)
        session.audit("override_reviewed", "disclosure", record.id,
                      {"review": review_id, **({"self_reviewed": True} if self_review else {})})
    return get_disclosure(session, disclosure_id)


SELF_REVIEW_DAYS = 365


@grants(Scope.MANAGER, "dashboard")
def self_reviewed_overrides(session: Session, today: date, limit: int = 200) -> list[DisclosureRecord]:
    """Overrides reviewed in the last year by the manager who made them, newest first."""
    since = (today - timedelta(days=SELF_REVIEW_DAYS)).isoformat()
    rows = session.conn.execute(DISCLOSURE_SELECT + "WHERE d.basis = 'override' AND d.deleted_at IS NULL "
                                "AND v.created_by = d.created_by AND v.created_at >= ? "
                                "ORDER BY v.created_at DESC LIMIT ?", (since, int(limit)))
    return [_from_row(r) for r in rows]
