"""Letters from templates (docs/documents.md, "Letters"): filled from the case, edited by the
caseworker, produced as a PDF and kept as a "letter sent" document.

Templates are versioned like the consent wording: the shipped text (resources/wording/
letter_<name>.v1.txt) is version 1; each time a manager saves one it becomes the next
version (letter_template rows, which replicate), and a letter keeps the name, the version
and the text it was sent with. A letter to a professional is a disclosure (R5, R7): it goes
through the disclosure log's one check (consent, or an override the manager reviews) and is
logged in the same transaction as the letter."""

import io
import re
from dataclasses import dataclass
from datetime import date

from app import clock
from app.domain.consent import DisclosureChannel, DisclosureKind
from app.domain.documents import Document
from app.domain.role_matrix import Scope, grants
from app.domain.text import LONG_MAX, clean, uk_date
from app.errors import NotFound, ValidationError
from app.pdf.letter_pdf import LetterContent, letter_pdf
from app.resources import wording
from app.security.session import Session
from app.services.casework import cases, people
from app.services.consent import counterparties, disclosures
from app.services.consent.disclosures import DisclosureInput
from app.services.documents import chunks, documents
from app.storage import records
from app.storage.db import transaction

TEMPLATES = {
    "appointment_confirmation": "Appointment confirmation",
    "summary_of_advice": "Summary of advice given",
    "case_closure": "Case closure",
    "letter_to_professional": "Letter to a professional",
}
TO_PROFESSIONAL = "letter_to_professional"
BODY_MAX = 20_000
# A part of a template left for the caseworker to write: "[the advice]", "[date]".
TO_WRITE = re.compile(r"\[[^\[\]\n]{1,80}\]")


@dataclass(frozen=True)
class Template:
    name: str
    version: int
    title: str
    body: str
    changed_by: str | None = None
    changed_at: str | None = None

    @property
    def to_professional(self) -> bool:
        return self.name == TO_PROFESSIONAL


def _check_name(name: str) -> str:
    if name not in TEMPLATES:
        raise ValidationError(f"There is no letter template called {name!r}. Choose one of: "
                              f"{', '.join(TEMPLATES.values()).lower()}.", field="template")
    return name


def _shipped(name: str) -> Template:
    version, text = wording.current(f"letter_{name}")
    first, _, body = text.partition("\n")
    title = first.removeprefix("Title:").strip() if first.startswith("Title:") else TEMPLATES[name]
    return Template(name, int(version.lstrip("v")), title, body.strip() if first.startswith("Title:") else text)


@grants(Scope.ANY, "the service's wording, no one's details")
def current_template(session: Session, name: str) -> Template:
    """The newest version: a manager's, else the shipped wording."""
    _check_name(name)
    row = session.conn.execute("SELECT * FROM letter_template WHERE name = ? AND deleted_at IS NULL "
                               "ORDER BY template_version DESC LIMIT 1", (name,)).fetchone()
    if row is None:
        return _shipped(name)
    return Template(name, row["template_version"], row["title"], row["body"], row["created_by"], row["created_at"])


@grants(Scope.ANY, "the service's wording, no one's details")
def template_versions(session: Session, name: str) -> list[Template]:
    """Every version, oldest first: the shipped one, then each a manager saved."""
    _check_name(name)
    rows = session.conn.execute("SELECT * FROM letter_template WHERE name = ? AND deleted_at IS NULL "
                                "ORDER BY template_version", (name,)).fetchall()
    return [_shipped(name)] + [Template(name, r["template_version"], r["title"], r["body"], r["created_by"],
                                        r["created_at"]) for r in rows]


@grants(Scope.MANAGER, "templates are the manager's to edit")
def save_template(session: Session, name: str, title: str, body: str) -> Template:
    """A new version of a template; letters already sent keep theirs.
    May raise: PermissionDenied, ValidationError."""
    _check_name(name)
    title = clean(title, "title", "The template's title", required=True, max_len=200)
    body = clean(body, "body", "The template's text", required=True, max_len=BODY_MAX, multiline=True)
    try:
        body.format_map(_Fill(_SAMPLE))
    except (ValueError, IndexError) as exc:
        raise ValidationError(f"The template's text has a stray brace: {exc}. Use {{child_name}} and the like "
                              "for what Confide fills in, and [square brackets] for what the caseworker writes.",
                              field="body") from None
    latest = current_template(session, name)
    if (latest.title, latest.body) == (title, body):
        raise ValidationError("Nothing was changed in the template.", field="body")
    with transaction(session.conn):
        template_id = records.insert(session.conn, "letter_template", {
            "name": name, "template_version": latest.version + 1, "title": title, "body": body},
            session.user.username)
        session.audit("letter_template_saved", "letter_template", template_id,
                      {"template": name, "version": latest.version + 1})
    return current_template(session, name)


class _Fill(dict):
    """Unknown fields stay as written, so a typo shows in the letter rather than failing."""

    def __missing__(self, key):
        return "{" + key + "}"


_SAMPLE = {"recipient_name": "", "service": "", "case_reference": "", "child_name": "", "client_name": "",
           "worker_name": "", "today": ""}


@dataclass
class Recipient:
    name: str
    lines: list[str]
    person_id: str | None = None
    organisation_id: str | None = None


@dataclass
class LetterDraft:
    case_id: str
    template: str
    template_version: int
    title: str
    text: str
    recipient: Recipient
    to_professional: bool


def _address(person) -> list[str]:
    lines = [line.strip() for line in (person.address or "").splitlines() if line.strip()]
    return lines + ([person.postcode] if getattr(person, "postcode", None) else [])


def _recipient(session: Session, case, professional_person_id: str | None,
               professional_organisation_id: str | None, to_professional: bool) -> Recipient:
    if not to_professional:
        client = people.peek_person(session, case.client_id)
        name = " ".join(p for p in (client.first_name, client.last_name) if p)
        return Recipient(name, [name, *_address(client)], client.id)
    if not (professional_person_id or professional_organisation_id):
        raise ValidationError("Choose the professional or organisation the letter is to.", field="counterparty")
    party = counterparties.resolve(session, professional_person_id, professional_organisation_id)
    lines = [party.label]
    if party.person_id:
        lines += _address(people.peek_person(session, party.person_id))
    name = party.label.split(" (")[0]
    return Recipient(name, lines, party.person_id, None if party.person_id else party.organisation_id)


@grants(Scope.CASEWORK)
def draft_letter(session: Session, case_id: str, template: str, professional_person_id: str | None = None,
                 professional_organisation_id: str | None = None, today: date | None = None) -> LetterDraft:
    """The template filled from the case, for the caseworker to finish.
    May raise: ValidationError, NotFound, PermissionDenied."""
    case = cases.load_case(session, case_id)
    chosen = current_template(session, template)
    recipient = _recipient(session, case, professional_person_id, professional_organisation_id,
                           chosen.to_professional)
    today = today or clock.now().astimezone().date()
    values = {"recipient_name": recipient.name, "service": session.vault.service_name,
              "case_reference": case.reference, "child_name": case.child_name, "client_name": case.client_name,
              # Whoever writes the letter signs it and takes the replies, as the "From" it is
              # listed under says: a colleague covering a case writes in their own name.
              "worker_name": session.user.full_name, "today": uk_date(today.isoformat())}
    return LetterDraft(case.id, chosen.name, chosen.version, chosen.title, chosen.body.format_map(_Fill(values)),
                       recipient, chosen.to_professional)


@dataclass
class SentLetter:
    document: Document
    disclosure_id: str | None


@grants(Scope.CASEWORK, "a letter to a professional needs consent or an override (R5)")
def send_letter(session: Session, draft: LetterDraft, text: str, lawful_reason: str | None = None,
                justification: str | None = None, today: date | None = None) -> SentLetter:
    """Produce the letter as a PDF and keep it on the case as a "letter sent" document; a letter
    to a professional is checked and logged as a disclosure first, in the same transaction.

    May raise: ConsentMissing, ValidationError, PermissionDenied, NotFound."""
    case = cases.load_case(session, draft.case_id)
    today = today or clock.now().astimezone().date()
    body = clean(text, "text", "The letter", required=True, max_len=min(LONG_MAX, BODY_MAX), multiline=True)
    left = TO_WRITE.search(body)
    if left:
        raise ValidationError(f"The letter still has a part of the template to write: {left.group(0)}. Replace "
                              "each [bracketed] part with your words before sending.", field="text")
    checked = None
    if draft.to_professional:
        checked = disclosures.check_disclosure(session, DisclosureInput(
            case.id, f"Letter: {draft.title}", kind=DisclosureKind.SHARE.value,
            counterparty_person_id=draft.recipient.person_id,
            counterparty_organisation_id=draft.recipient.organisation_id, channel=DisclosureChannel.LETTER.value,
            disclosed_on=today, lawful_reason=lawful_reason, justification=justification), today=today)
    pdf = letter_pdf(LetterContent(session.vault.service_name, draft.title, today, case.reference,
                                   draft.recipient.lines, body))
    with transaction(session.conn):
        disclosure_id = disclosures.write_disclosure_in_tx(session, checked) if checked is not None else None
        document_id = records.insert(session.conn, "document", {
            "case_id": case.id, "title": f"{draft.title}: {draft.recipient.name}", "kind": "letter_sent",
            "document_date": today.isoformat(), "source": f"{session.user.full_name}, {session.vault.service_name}",
            "file_name": f"letter-{case.reference}-{today.isoformat()}.pdf", "media_type": "application/pdf",
            "disclosure_id": disclosure_id, "letter_template": draft.template,
            "letter_template_version": draft.template_version, "letter_text": body}, session.user.username)
        size, digest, count = chunks.write(session.conn, document_id, io.BytesIO(pdf))
        session.conn.execute("UPDATE document SET size = ?, sha256 = ?, chunk_count = ? WHERE id = ?",
                             (size, digest, count, document_id))
        documents.index(session.conn, document_id)
        session.audit("letter_sent", "document", document_id,
                      {"case": case.id, "template": draft.template, "version": draft.template_version,
                       **({"disclosure": disclosure_id} if disclosure_id else {})})
    return SentLetter(documents.get_document(session, document_id), disclosure_id)


@grants(Scope.CASEWORK)
def letter_text(session: Session, document_id: str) -> str:
    """The text of a letter written here. May raise: NotFound (not a letter), PermissionDenied."""
    document = documents.get_document(session, document_id)
    if document.letter_text is None:
        raise NotFound("That document is not a letter written in Confide.")
    return document.letter_text
