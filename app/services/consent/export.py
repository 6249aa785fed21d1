"""Consent documents as files: the blank paper form (no personal data, plain) and the consent
record handed to a family (personal data: AES-256 encrypted, written atomically, audited)."""

from datetime import date
from pathlib import Path

from app.domain.consent import Capacity, ConsentMethod, ConsentScope, ConsentState
from app.domain.role_matrix import Scope, grants
from app.domain.text import uk_date
from app.pdf.consent_pdf import (
    AgreedItem,
    BlankFormDoc,
    BlankItem,
    ConsentRecordDoc,
    render_blank_form,
    render_consent_record,
)
from app.security.session import Session
from app.services import exports
from app.services.consent import records as consent_service
from app.services.consent import wording as consent_wording
from app.services.consent import wording_edits
from app.services.exports import ExportKind
from app.storage.db import transaction
from app.storage.staff_repo import StaffRepo

# The paper form offers every scope, sharing and records first.
FORM_ORDER = [ConsentScope.SHARE_WITH, ConsentScope.OBTAIN_RECORDS, ConsentScope.CONTACT_AT_WORK,
              ConsentScope.VOICEMAIL, ConsentScope.MESSAGES_VIA_FAMILY, ConsentScope.MAILING_LIST]
_FORM_HEADINGS = {
    ConsentScope.SHARE_WITH: "Share information with a professional",
    ConsentScope.OBTAIN_RECORDS: "Ask a professional for records",
    ConsentScope.CONTACT_AT_WORK: "Contact me at work",
    ConsentScope.VOICEMAIL: "Leave voicemail messages",
    ConsentScope.MESSAGES_VIA_FAMILY: "Leave messages with my family",
    ConsentScope.MAILING_LIST: "Put me on the mailing list",
}


@grants(Scope.ANY, "no personal data")
def blank_form_pdf(session: Session) -> bytes:
    service = session.vault.service_name
    items, versions = [], []
    current = lambda name: wording_edits.current_template(session, name)  # noqa: E731
    for scope in FORM_ORDER:
        words = consent_wording.blank(scope, service, current)
        items.append(BlankItem(_FORM_HEADINGS[scope], words.paragraphs))
        versions.append(words.version)
    intro = consent_wording.general(consent_wording.INTRODUCTION, service, current=current)
    withdrawal = consent_wording.general(consent_wording.WITHDRAWAL, service, current=current)
    label = "/".join(sorted(set(versions + [intro.version, withdrawal.version])))
    return render_blank_form(BlankFormDoc(service, intro.paragraphs, withdrawal.paragraphs, items, label))


@grants(Scope.ANY)
def export_blank_form(session: Session, path: Path) -> Path:
    """No personal data, so a plain PDF (exports.POLICY). May raise: OSError."""
    return exports.export_pdf(session, ExportKind.BLANK_FORM, Path(path), blank_form_pdf(session)).path


def _status(consent, today: date) -> str:
    state = consent.state(today)
    if state == ConsentState.WITHDRAWN:
        return f"Withdrawn on {uk_date(consent.withdrawn_on)}"
    if state == ConsentState.REPLACED:
        return f"Replaced on {uk_date(consent.replaced_on)}"
    if state == ConsentState.EXPIRED:
        return f"Ended on {uk_date(consent.expires_on)}"
    return "In force"


@grants(Scope.CASEWORK)
def consent_record_pdf(session: Session, consent_id: str, today: date | None = None) -> bytes:
    """The record of one signing (every scope agreed together), unencrypted, in memory."""
    today = today or date.today()
    batch = consent_service.batch_of(session, consent_id)
    first = batch[0]
    service = session.vault.service_name
    items = []
    for c in batch:
        heading = (f"{ConsentScope(c.scope).label} {c.counterparty_name}" if c.counterparty_name
                   else _FORM_HEADINGS[ConsentScope(c.scope)])
        items.append(AgreedItem(heading, consent_wording.paragraphs(c.wording_text),
                                f"{c.wording_name} {c.wording_version}", c.expires_on, c.purpose, _status(c, today)))
    staff = StaffRepo(session.conn).get_by_username(first.created_by)
    easy = bool(first.easy_read)
    current = lambda name: wording_edits.current_template(session, name)  # noqa: E731
    doc = ConsentRecordDoc(
        service_name=service, subject_name=first.subject_name, given_by_name=first.given_by_name,
        capacity=Capacity(first.capacity).label if first.capacity != Capacity.SELF else "",
        method=ConsentMethod(first.method).label, given_on=first.given_on,
        recorded_by=staff.full_name if staff else first.created_by, printed_on=today,
        introduction=consent_wording.general(consent_wording.INTRODUCTION, service, easy_read=easy,
                                             current=current).paragraphs,
        withdrawal=consent_wording.general(consent_wording.WITHDRAWAL, service, easy_read=easy,
                                           current=current).paragraphs,
        easy_read=easy,
        items=items, case_reference=first.case_reference, capacity_note=first.capacity_note,
        signed_name=first.signed_name, signature=consent_service.signature_of(session, first.id))
    return render_consent_record(doc)


@grants(Scope.CASEWORK)
def export_consent_record(session: Session, consent_id: str, path: Path, password: str | None = None,
                          today: date | None = None) -> str:
    """Write the family's copy, encrypted (AES-256, R6). Returns the password to tell them
    separately (a new readable one unless given). May raise: ValidationError, OSError."""
    pdf = consent_record_pdf(session, consent_id, today)
    first = consent_service.get_consent(session, consent_id)
    written = exports.export_pdf(session, ExportKind.CONSENT_RECORD, Path(path), pdf, password,
                                 {"consent": consent_id})
    password = password or written.password
    with transaction(session.conn):
        session.audit("consent_record_exported", "consent", consent_id, {"case": first.case_id,
                                                                        "batch": first.batch_id})
    return password
