"""Consent (R5, R6, R10): recording it (several scopes signed at once, with the exact words
shown), replacing it and withdrawing it. Who may give it is decided in consent_rules.

A consent row is never edited (a database trigger refuses): a change is a new consent naming
the one it replaces, and a withdrawal is its own row."""

from dataclasses import dataclass, field
from datetime import date

from app.domain.consent import (
    AGE_OF_OWN_DECISIONS,
    REVIEW_MONTHS_RANGE,
    Consent,
    ConsentMethod,
    ConsentScope,
    WithdrawalMethod,
    default_expiry,
)
from app.domain.records import Person
from app.domain.role_matrix import Scope, grants
from app.domain.sar_deadline import add_months
from app.domain.signature import Signature, check_signature
from app.domain.text import NAME_MAX, clean, clean_name, parse_date, uk_date
from app.errors import NotFound, ValidationError
from app.security.session import Session
from app.services import access
from app.services.casework import cases, people
from app.services.consent import counterparties, mailing_list, wording_edits
from app.services.consent import wording as consent_wording

# Who may consent and for how long live in consent_rules; they are part of this module's API.
from app.services.consent.rules import (  # noqa: F401
    Entitlement,
    Giver,
    entitlement,
    possible_givers,
    review_months,
    set_review_months,
    sixteenth_birthday,
    suggested_review_date,
)
from app.storage import records
from app.storage.db import transaction

MAX_REVIEW_MONTHS = REVIEW_MONTHS_RANGE[1]
# Contact scopes keep the person's contact preferences (R9) in step with the consent.
_PREFERENCE = {ConsentScope.CONTACT_AT_WORK: "ok_work", ConsentScope.VOICEMAIL: "ok_voicemail",
               ConsentScope.MESSAGES_VIA_FAMILY: "ok_message_family"}

CONSENT_SELECT = (
    "SELECT c.id, c.case_id, c.subject_id, c.given_by_id, c.capacity, c.capacity_note, c.scope, "
    "c.counterparty_person_id, c.counterparty_organisation_id, c.purpose, c.wording_name, "
    "c.wording_version, c.wording_text, c.easy_read, c.method, c.signed_name, c.signature IS NOT NULL AS has_signature, "
    "c.given_on, c.expires_on, c.batch_id, c.replaces_id, c.note, c.created_at, c.created_by, "
    "trim(s.first_name || ' ' || s.last_name) AS subject_name, "
    "trim(g.first_name || ' ' || g.last_name) AS given_by_name, "
    "w.withdrawn_on, w.method AS withdrawal_method, w.created_by AS withdrawn_recorded_by, "
    "r.given_on AS replaced_on, r.id AS replaced_by_id, cf.reference AS case_reference, "
    "cp.first_name AS cp_first, cp.last_name AS cp_last, cp.job_title AS cp_job, co.name AS cp_org "
    "FROM consent c JOIN person s ON s.id = c.subject_id JOIN person g ON g.id = c.given_by_id "
    "LEFT JOIN consent_withdrawal w ON w.consent_id = c.id AND w.deleted_at IS NULL "
    "LEFT JOIN consent r ON r.replaces_id = c.id AND r.deleted_at IS NULL "
    "LEFT JOIN casefile cf ON cf.id = c.case_id "
    "LEFT JOIN person cp ON cp.id = c.counterparty_person_id "
    "LEFT JOIN organisation co ON co.id = c.counterparty_organisation_id ")



def consent_from_row(row) -> Consent:
    consent = Consent.from_row(row)
    if row["cp_first"] is not None or row["cp_org"] is not None:
        consent.counterparty_name = counterparties.label(row["cp_first"], row["cp_last"], row["cp_job"],
                                                         row["cp_org"])
    return consent


def _wording(session: Session, child: Person | None, giver: Person, scope: ConsentScope,
             party: counterparties.Counterparty, easy_read: bool = False) -> consent_wording.Wording:
    about_self = not scope.about_the_child or child is None or giver.id == child.id
    return consent_wording.render(scope, session.vault.service_name, child.full_name if child else None,
                                  party.label or None, about_self, easy_read=easy_read,
                                  current=lambda name: wording_edits.current_template(session, name))


@grants(Scope.CASEWORK)
def preview_wording(session: Session, case_id: str | None, given_by_id: str, scope: str,
                    counterparty_person_id: str | None = None,
                    counterparty_organisation_id: str | None = None,
                    easy_read: bool = False) -> consent_wording.Wording:
    """The exact words the form shows, and will store, for this choice (the easy-read words
    if asked). With no counterparty chosen yet, a line stands in for the name."""
    case = cases.load_case(session, case_id) if case_id else None
    scope_ = ConsentScope.parse(scope, "scopes")
    party = counterparties.Counterparty(None, None, "")
    if scope_.needs_counterparty and (counterparty_person_id or counterparty_organisation_id):
        party = counterparties.resolve(session, counterparty_person_id, counterparty_organisation_id)
    child = people.peek_person(session, case.child_id) if case else None
    return _wording(session, child, people.peek_person(session, given_by_id), scope_, party, easy_read)


# --- recording -----------------------------------------------------------------------------
@dataclass
class ScopeItem:
    scope: str
    counterparty_person_id: str | None = None
    counterparty_organisation_id: str | None = None
    purpose: str | None = None


@dataclass
class ConsentBatch:
    """What one person agreed to at one time, in one way (one signature for all of it)."""

    given_by_id: str
    method: str
    items: list[ScopeItem] = field(default_factory=list)
    case_id: str | None = None
    given_on: object = None
    expires_on: object = None
    signed_name: str | None = None
    signature: Signature | bytes | None = None
    on_behalf_reason: str | None = None
    note: str | None = None
    # The easy-read words (chosen at capture, above all for a child or young person).
    easy_read: bool = False


def _dates(session: Session, batch: ConsentBatch, right: Entitlement, today: date, child: Person | None):
    given = parse_date(batch.given_on, "given_on", "The date consent was given") or today
    if given > today:
        raise ValidationError("Consent cannot be dated in the future.", field="given_on")
    explicit = parse_date(batch.expires_on, "expires_on", "The review date")
    expires = explicit or default_expiry(given, review_months(session))
    if expires <= given:
        raise ValidationError("The review date must be after the day consent was given.", field="expires_on")
    if expires > add_months(given, MAX_REVIEW_MONTHS):
        raise ValidationError(f"The review date can be at most {MAX_REVIEW_MONTHS} months after consent "
                              "was given; ask again then.", field="expires_on")
    if right.latest_expiry and expires >= right.latest_expiry:
        if explicit:
            raise ValidationError(
                f"{child.full_name} turns {AGE_OF_OWN_DECISIONS} on {uk_date(right.latest_expiry)}; from then "
                "they decide for themselves, so a parent's consent can last until the day before at the "
                "latest.", field="expires_on")
        expires = date.fromordinal(right.latest_expiry.toordinal() - 1)
        if expires <= given:
            raise ValidationError(f"{child.full_name} turns {AGE_OF_OWN_DECISIONS} tomorrow: ask them.",
                                  field="given_by")
    if expires < today:
        raise ValidationError("That review date has already passed, so this consent would never be in "
                              "force.", field="expires_on")
    return given, expires


def _method(batch: ConsentBatch, giver: Person) -> tuple[ConsentMethod, bytes | None, str | None]:
    method = ConsentMethod.parse(batch.method, "method")
    signed_name = clean_name(batch.signed_name, "signed_name", "The name of the person signing", max_len=NAME_MAX)
    if method == ConsentMethod.SIGNED_ON_SCREEN:
        strokes = check_signature(batch.signature, signed_name or giver.full_name)
        if not signed_name:
            raise ValidationError("Type the name of the person signing.", field="signed_name")
        return method, strokes.to_bytes(), signed_name
    if batch.signature not in (None, b""):
        raise ValidationError("A signature is kept only when consent is signed on screen.", field="signature")
    return method, None, signed_name


@grants(Scope.CASEWORK)
def record_consents(session: Session, batch: ConsentBatch, today: date | None = None,
                    replaces_id: str | None = None) -> list[Consent]:
    """Record what was agreed, one consent per scope, in one transaction.

    May raise: ValidationError (with the field at fault: given_by, scopes, counterparty,
    signature, signed_name, given_on, expires_on, method), PermissionDenied, NotFound.
    """
    today = today or date.today()
    case = cases.load_case(session, batch.case_id) if batch.case_id else None
    if not batch.items:
        raise ValidationError("Choose at least one thing the family agrees to.", field="scopes")
    scopes = [ConsentScope.parse(item.scope, "scopes") for item in batch.items]
    if case is None and any(s.about_the_child for s in scopes):
        raise ValidationError("Consent to share information or ask for records is recorded in a case.",
                              field="scopes")
    try:
        giver = people.peek_person(session, batch.given_by_id)
    except NotFound:
        raise ValidationError("Choose who is giving consent.", field="given_by") from None
    day = parse_date(batch.given_on, "given_on", "The date consent was given") or today
    rights = {s: entitlement(session, case, giver, s, min(day, today), batch.on_behalf_reason) for s in set(scopes)}
    method, signature, signed_name = _method(batch, giver)
    note = clean(batch.note, "note", "Note", max_len=1000, multiline=True)
    child = people.peek_person(session, case.child_id) if case else None
    rows, seen = [], set()
    for item, scope in zip(batch.items, scopes, strict=True):
        right = rights[scope]
        given, expires = _dates(session, batch, right, today, child)
        if scope.needs_counterparty:
            party = counterparties.resolve(session, item.counterparty_person_id, item.counterparty_organisation_id)
        elif item.counterparty_person_id or item.counterparty_organisation_id:
            raise ValidationError(f"“{scope.label}” does not name a professional.", field="counterparty")
        else:
            party = counterparties.Counterparty(None, None, "")
        key = (scope, party.person_id, party.organisation_id)
        if key in seen:
            raise ValidationError(f"“{scope.label}” is chosen twice for the same person.", field="scopes")
        seen.add(key)
        words = _wording(session, child, giver, scope, party, bool(batch.easy_read))
        rows.append({
            "case_id": case.id if case else None,
            "subject_id": child.id if scope.about_the_child else giver.id,
            "given_by_id": giver.id, "capacity": right.capacity.value, "capacity_note": right.note,
            "scope": scope.value, "counterparty_person_id": party.person_id,
            "counterparty_organisation_id": party.organisation_id,
            "purpose": clean(item.purpose, "purpose", "What it is for", max_len=500),
            "wording_name": words.name, "wording_version": words.version, "wording_text": words.text,
            "easy_read": 1 if batch.easy_read else 0, "method": method.value, "signed_name": signed_name, "signature": signature,
            "given_on": given.isoformat(), "expires_on": expires.isoformat(), "replaces_id": replaces_id,
            "note": note,
        })
    batch_id = records.new_id()
    actor = session.user.username
    with transaction(session.conn):
        ids = []
        for row in rows:
            consent_id = records.insert(session.conn, "consent", {**row, "batch_id": batch_id}, actor)
            ids.append(consent_id)
            scope = ConsentScope(row["scope"])
            if scope in _PREFERENCE:
                records.update(session.conn, "person", row["subject_id"], {_PREFERENCE[scope]: 1}, actor)
            if scope == ConsentScope.MAILING_LIST:
                mailing_list.join_in_tx(session, row["subject_id"], consent_id, date.fromisoformat(row["given_on"]))
            detail = {"case": row["case_id"], "scope": scope.value, "method": method.value, "batch": batch_id}
            if replaces_id:
                detail["replaces"] = replaces_id
            session.audit("consent_recorded", "consent", consent_id, detail)
    return [get_consent(session, i) for i in ids]


@grants(Scope.CASEWORK)
def record_consent(session: Session, case_id: str | None, given_by_id: str, scope: str, method: str, *,
                   counterparty_person_id: str | None = None, counterparty_organisation_id: str | None = None,
                   purpose: str | None = None, today: date | None = None, **batch_fields) -> Consent:
    """One scope; see record_consents."""
    item = ScopeItem(scope, counterparty_person_id, counterparty_organisation_id, purpose)
    batch = ConsentBatch(given_by_id=given_by_id, method=method, items=[item], case_id=case_id, **batch_fields)
    return record_consents(session, batch, today)[0]


@grants(Scope.CASEWORK)
def replace_consent(session: Session, consent_id: str, batch: ConsentBatch, today: date | None = None) -> Consent:
    """A change to a consent (new review date, new wording, new purpose): a new consent that
    names the old one, which ends the day the new one is given. The old row is untouched."""
    today = today or date.today()
    old = get_consent(session, consent_id)
    if not old.state(today).in_force:
        raise ValidationError(f"This consent is {old.state(today).label.lower()}; record a new consent instead.",
                              field="consent")
    if len(batch.items) != 1 or batch.items[0].scope != old.scope or (batch.case_id or old.case_id) != old.case_id:
        raise ValidationError("A replacement covers the same case and the same thing as the consent it "
                              "replaces; for anything else record a new consent.", field="scopes")
    batch.case_id = old.case_id
    return record_consents(session, batch, today, replaces_id=old.id)[0]


# --- withdrawal ----------------------------------------------------------------------------
@grants(Scope.CASEWORK)
def withdraw_consents(session: Session, consent_ids: list[str], method: str, withdrawn_on=None,
                      note: str | None = None, today: date | None = None) -> list[Consent]:
    """Withdraw one or more consents in one step, effective from `withdrawn_on` (default today).
    Contact preferences switch off and a mailing-list member leaves the list at once.

    May raise: ValidationError, PermissionDenied, NotFound.
    """
    today = today or date.today()
    how = WithdrawalMethod.parse(method, "withdrawal_method")
    day = parse_date(withdrawn_on, "withdrawn_on", "The date it was withdrawn") or today
    if day > today:
        raise ValidationError("A withdrawal cannot be dated in the future.", field="withdrawn_on")
    note = clean(note, "note", "Note", max_len=1000, multiline=True)
    if not consent_ids:
        raise ValidationError("Choose the consent to withdraw.", field="consent")
    found = [get_consent(session, i) for i in dict.fromkeys(consent_ids)]
    for consent in found:
        if consent.withdrawn_on:
            raise ValidationError(f"{consent.scope_label} was already withdrawn on {uk_date(consent.withdrawn_on)}.",
                                  field="consent")
        if consent.replaced_on:
            raise ValidationError(f"{consent.scope_label} was replaced by a newer consent on "
                                  f"{uk_date(consent.replaced_on)}; withdraw that one.", field="consent")
        if day.isoformat() < consent.given_on:
            raise ValidationError("A consent cannot be withdrawn before the day it was given.", field="withdrawn_on")
    actor = session.user.username
    with transaction(session.conn):
        for consent in found:
            withdrawal_id = records.insert(session.conn, "consent_withdrawal", {
                "consent_id": consent.id, "withdrawn_on": day.isoformat(), "method": how.value, "note": note},
                actor)
            scope = ConsentScope(consent.scope)
            if scope in _PREFERENCE:
                records.update(session.conn, "person", consent.subject_id, {_PREFERENCE[scope]: 0}, actor)
            if scope == ConsentScope.MAILING_LIST:
                mailing_list.leave_in_tx(session, consent.subject_id, day, "consent_withdrawn")
            session.audit("consent_withdrawn", "consent", consent.id,
                          {"case": consent.case_id, "scope": scope.value, "withdrawal": withdrawal_id})
    return [get_consent(session, c.id) for c in found]


@grants(Scope.CASEWORK)
def withdraw_consent(session: Session, consent_id: str, method: str, withdrawn_on=None,
                     note: str | None = None, today: date | None = None) -> Consent:
    return withdraw_consents(session, [consent_id], method, withdrawn_on, note, today)[0]


# --- reading -------------------------------------------------------------------------------
@grants(Scope.CASEWORK)
def get_consent(session: Session, consent_id: str) -> Consent:
    """May raise: NotFound, PermissionDenied (the case's access rules apply)."""
    row = session.conn.execute(CONSENT_SELECT + "WHERE c.id = ? AND c.deleted_at IS NULL", (consent_id,)).fetchone()
    if row is None:
        raise NotFound("That consent does not exist or has been removed.")
    consent = consent_from_row(row)
    if consent.case_id:
        cases.load_case(session, consent.case_id)
    else:
        access.require_casework(session)
    return consent


@grants(Scope.CASEWORK)
def consents_for_case(session: Session, case_id: str) -> list[Consent]:
    """Newest first. The caller has already opened (and so audited) the case."""
    cases.load_case(session, case_id)
    rows = session.conn.execute(CONSENT_SELECT + "WHERE c.case_id = ? AND c.deleted_at IS NULL "
                                "ORDER BY c.given_on DESC, c.created_at DESC", (case_id,))
    return [consent_from_row(r) for r in rows]


@grants(Scope.CASEWORK)
def consents_of_person(session: Session, person_id: str) -> list[Consent]:
    """Contact consents a person gave about themselves (mailing list, voicemail ...)."""
    rows = session.conn.execute(
        CONSENT_SELECT + "WHERE c.subject_id = :pid AND c.given_by_id = :pid AND "
        "c.scope NOT IN ('share_with', 'obtain_records') AND c.deleted_at IS NULL "
        f"AND (c.case_id IS NULL OR {access.case_visible_sql('cf')}) ORDER BY c.given_on DESC",
        {**access.visibility_params(session), "pid": person_id})
    return [consent_from_row(r) for r in rows]


@grants(Scope.CASEWORK)
def batch_of(session: Session, consent_id: str) -> list[Consent]:
    """Every consent given together with this one (one signature), in the order recorded."""
    first = get_consent(session, consent_id)
    rows = session.conn.execute(CONSENT_SELECT + "WHERE c.batch_id = ? AND c.deleted_at IS NULL ORDER BY c.rowid",
                                (first.batch_id,))
    return [consent_from_row(r) for r in rows]


@grants(Scope.CASEWORK)
def signature_of(session: Session, consent_id: str) -> Signature | None:
    get_consent(session, consent_id)
    row = session.conn.execute("SELECT signature FROM consent WHERE id = ?", (consent_id,)).fetchone()
    return Signature.from_bytes(row[0]) if row and row[0] else None
