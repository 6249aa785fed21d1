"""Attach, list, read and save documents of a case or a person (docs/documents.md).

A document from a professional came under a records request (R6): adding one names the
request it answers, or makes one, through the disclosure log's own check (consent or a
recorded override: consent/disclosures.check_disclosure), in the same transaction as the
document. The firewall (R4) and the role matrix govern documents as they govern notes: a
case's documents through its case, a person's through the person."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import BinaryIO

from app import clock
from app.domain.consent import DisclosureKind
from app.domain.documents import (
    CHUNK_BYTES,
    SOURCE_MAX,
    TITLE_MAX,
    Document,
    DocumentKind,
    check_magic,
    media_type_of,
)
from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.domain.text import clean, parse_date, uk_date
from app.errors import NotFound, PermissionDenied, ValidationError
from app.security.session import Session
from app.services import access, exports
from app.services.casework import cases, people
from app.services.consent import disclosures
from app.services.consent.disclosures import DisclosureInput
from app.services.documents import chunks
from app.services.documents import text as found_text
from app.storage import records, search_index
from app.storage.db import transaction

SELECT = "SELECT * FROM document "
NOT_ENCRYPTED_WARNING = ("The copy you save is NOT encrypted: anyone who can open that folder can read it. "
                         "Save it only where it must go, and delete it when you have finished with it.")


# A document filed on a young person who has their own case may have come from that case:
# the separate-enquiry firewall (docs/rules.md, R4) keeps it with the case's own workers.
PERSON_FIREWALLED = ("Documents filed on this young person are seen only by the worker of their own case and the "
                     "manager. File a document about them on your case instead.")


def _own_case_closed(session: Session, person_id: str) -> bool:
    """The person is the young person of an own case this member of staff may not see."""
    return bool(session.conn.execute(
        "SELECT EXISTS (SELECT 1 FROM casefile c WHERE c.client_id = :pid AND c.own_case = 1 AND "
        f"c.deleted_at IS NULL AND NOT {access.case_visible_sql('c')})",
        {**access.visibility_params(session), "pid": person_id}).fetchone()[0])


@dataclass
class DocumentInput:
    title: str
    kind: str
    document_date: object
    source: str
    file_name: str
    case_id: str | None = None
    person_id: str | None = None
    # Received from a professional (R6): the records request it answers, or the professional
    # (person or organisation) to record one for now, with an override if no consent covers it.
    from_professional: bool = False
    records_request_id: str | None = None
    counterparty_person_id: str | None = None
    counterparty_organisation_id: str | None = None
    lawful_reason: str | None = None
    justification: str | None = None


def _where_it_belongs(session: Session, case_id: str | None, person_id: str | None) -> tuple[str | None, str | None]:
    """The case (firewall) or the person (firewall) a document is filed under.
    May raise: ValidationError, NotFound, PermissionDenied."""
    access.require_casework(session)
    if case_id:
        case = cases.load_case(session, case_id)
        return case.id, None
    if person_id:
        person = people.peek_person(session, person_id)
        if _own_case_closed(session, person.id):
            raise PermissionDenied(PERSON_FIREWALLED)
        return None, person.id
    raise ValidationError("Choose the case or the person the document belongs to.", field="case_id")


def _validate(data: DocumentInput, today: date) -> dict:
    kind = DocumentKind.parse(data.kind, "kind").value
    when = parse_date(data.document_date, "document_date", "The document's date", required=True)
    if when > today:
        raise ValidationError("A document cannot be dated in the future.", field="document_date")
    title = clean(data.title, "title", "The title", required=True, max_len=TITLE_MAX)
    source = clean(data.source, "source", "Where it came from", required=True, max_len=SOURCE_MAX)
    name = PurePath(str(data.file_name or "")).name
    if not name:
        raise ValidationError("Choose the file to add.", field="file")
    return {"title": title, "kind": kind, "document_date": when.isoformat(), "source": source,
            "file_name": name[:255], "media_type": media_type_of(name)}


def _records_request(session: Session, data: DocumentInput, case_id: str | None, day: date,
                     title: str) -> tuple[str | None, disclosures.Checked | None]:
    """The records request a professional's document came under: the one named, or a new
    one checked now (consent or override). May raise: ConsentMissing, ValidationError."""
    if not data.from_professional:
        return None, None
    if case_id is None:
        raise ValidationError("A document from a professional is filed on a case: the family's consent to "
                              "obtain records is recorded per case.", field="case_id")
    if data.records_request_id:
        row = session.conn.execute("SELECT case_id, kind FROM disclosure WHERE id = ? AND deleted_at IS NULL",
                                   (data.records_request_id,)).fetchone()
        if row is None or row["case_id"] != case_id or row["kind"] != DisclosureKind.RECORDS_REQUEST.value:
            raise ValidationError("That records request is not one of this case's.", field="records_request_id")
        return data.records_request_id, None
    if not (data.counterparty_person_id or data.counterparty_organisation_id):
        raise ValidationError("Say which professional or organisation sent it, or choose the records request "
                              "it answers.", field="counterparty")
    checked = disclosures.check_disclosure(session, DisclosureInput(
        case_id, f"Records received: {title}", kind=DisclosureKind.RECORDS_REQUEST.value,
        counterparty_person_id=data.counterparty_person_id,
        counterparty_organisation_id=data.counterparty_organisation_id, channel="email",
        disclosed_on=day, lawful_reason=data.lawful_reason, justification=data.justification), today=day)
    return None, checked


@grants(Scope.CASEWORK)
def add_document(session: Session, data: DocumentInput, stream: BinaryIO, today: date | None = None) -> Document:
    """Store a file as a document, a chunk at a time, in one transaction with its records
    request (if it came from a professional) and its audit event.

    May raise: ValidationError (title, kind, date, source, file: kind, size, empty),
    ConsentMissing (from a professional with no consent and no override), PermissionDenied,
    NotFound, OSError (reading the file)."""
    today = today or clock.now().astimezone().date()
    ready = _prepare(session, data, stream, today, None)
    with transaction(session.conn):
        document_id = _store(session, data, stream, ready)
    return get_document(session, document_id)


@grants(Scope.CASEWORK, "add_document for each file: synthetic data (demo, benchmarks)")
def add_documents(session: Session, files: Iterable[tuple[DocumentInput, BinaryIO]],
                  today: date | None = None) -> list[str]:
    """add_document for each file, all in one transaction (all or none): each its checks,
    chunks, search entry and audit event, as add_document writes them. For many documents
    at once (synthetic data: a commit each made a 100,000-document benchmark vault take an
    hour). Files with the same bytes are read for their words once. Returns the ids.

    May raise: whatever add_document raises; then none of the files is saved."""
    today = today or clock.now().astimezone().date()
    words_of: dict[bytes, str | None] = {}
    ids = []
    with transaction(session.conn):
        for data, stream in files:
            ids.append(_store(session, data, stream, _prepare(session, data, stream, today, words_of)))
    return ids


@dataclass
class _Ready:
    case_id: str | None
    person_id: str | None
    values: dict
    first: bytes
    request_id: str | None
    checked: disclosures.Checked | None
    words: str | None


def _prepare(session: Session, data: DocumentInput, stream: BinaryIO, today: date,
             words_of: dict[bytes, str | None] | None) -> _Ready:
    """The checks before anything is written, and the words to index. `words_of`, when given,
    keeps the words of files already read, by their SHA-256 (small files only)."""
    case_id, person_id = _where_it_belongs(session, data.case_id, data.person_id)
    values = _validate(data, today)
    first = stream.read(min(CHUNK_BYTES, 16))
    check_magic(values["media_type"], first, values["file_name"])
    request_id, checked = _records_request(session, data, case_id, today, values["title"])
    words = None
    if values["media_type"] == "application/pdf" and found_text.wanted(session.conn):
        key = _small_file_digest(stream, first) if words_of is not None else None
        if key is None or key not in words_of:
            words = found_text.pdf_text(stream)
            if key is not None:
                words_of[key] = words
        else:
            words = words_of[key]
    return _Ready(case_id, person_id, values, first, request_id, checked, words)


def _small_file_digest(stream: BinaryIO, first: bytes) -> bytes | None:
    """The SHA-256 of a small seekable file (from `first` on, leaving the stream where it was),
    or None: the key under which add_documents remembers a file's words."""
    if not stream.seekable():
        return None
    where = stream.tell()
    rest = stream.read(CHUNK_BYTES)
    stream.seek(where)
    if len(first) + len(rest) >= CHUNK_BYTES:
        return None
    return hashlib.sha256(first + rest).digest()


def _store(session: Session, data: DocumentInput, stream: BinaryIO, ready: _Ready) -> str:
    """Inside the caller's transaction: the document, its chunks, search entry and audit event."""
    request_id = ready.request_id
    if ready.checked is not None:
        request_id = disclosures.write_disclosure_in_tx(session, ready.checked)
    document_id = records.insert(session.conn, "document", {
        **ready.values, "case_id": ready.case_id, "person_id": ready.person_id,
        "from_professional": int(bool(data.from_professional)), "records_request_id": request_id},
        session.user.username)
    size, digest, count = chunks.write(session.conn, document_id, stream, ready.first)
    # Same transaction, same version: the row is made whole before anyone can see it.
    session.conn.execute("UPDATE document SET size = ?, sha256 = ?, chunk_count = ?, found_text = ? WHERE id = ?",
                         (size, digest, count, ready.words or None, document_id))
    index(session.conn, document_id)
    session.audit("document_added", "document", document_id,
                  {"case": ready.case_id, "person": ready.person_id, "kind": ready.values["kind"], "size": size,
                   **({"records_request": request_id} if request_id else {})})
    return document_id


def index(conn, document_id: str) -> None:
    """Titles, sources, the text of letters written here and the words read from a received
    PDF (text.py) are searchable."""
    row = conn.execute("SELECT case_id, person_id, title, source, letter_text, found_text FROM document "
                       "WHERE id = ?", (document_id,)).fetchone()
    search_index.put(conn, "document", document_id, row["case_id"], f"{row['title']} ({row['source']})",
                     row["letter_text"] or row["found_text"] or "")


def _load(session: Session, document_id: str) -> Document:
    """The document after the firewall check of its case or person. May raise: NotFound,
    PermissionDenied."""
    row = session.conn.execute(SELECT + "WHERE id = ? AND deleted_at IS NULL", (document_id,)).fetchone()
    if row is None:
        raise NotFound("That document does not exist or has been removed.")
    _where_it_belongs(session, row["case_id"], row["person_id"])
    document = Document.from_row(row)
    document.basis = _basis(session, document)
    return document


def _basis(session: Session, document: Document) -> str:
    """In words: the consent or override a document came under (R6) or went under (R5)."""
    ref = document.records_request_id or document.disclosure_id
    if not ref:
        return ""
    record = disclosures.get_disclosure(session, ref)
    doing = "Records requested from" if record.kind == DisclosureKind.RECORDS_REQUEST.value else "Sent to"
    if record.is_override:
        return f"{doing} {record.counterparty_name} without consent: {record.basis_label}"
    consent = session.conn.execute("SELECT given_on FROM consent WHERE id = ?", (record.consent_id,)).fetchone()
    given = f" given on {uk_date(consent['given_on'])}" if consent else ""
    return f"{doing} {record.counterparty_name} under the family's consent{given}"


@grants(Scope.CASEWORK)
def get_document(session: Session, document_id: str) -> Document:
    """May raise: NotFound, PermissionDenied."""
    return _load(session, document_id)


@grants(Scope.CASEWORK)
def documents_for_case(session: Session, case_id: str) -> list[Document]:
    """Newest first. The caller has already opened (and so audited) the case."""
    cases.load_case(session, case_id)
    rows = session.conn.execute(SELECT + "WHERE case_id = ? AND deleted_at IS NULL "
                                "ORDER BY document_date DESC, created_at DESC", (case_id,)).fetchall()
    return [_with_basis(session, r) for r in rows]


@grants(Scope.CASEWORK)
def documents_for_person(session: Session, person_id: str) -> list[Document]:
    """Documents filed on the person themself (not those of their cases), newest first."""
    _where_it_belongs(session, None, person_id)
    rows = session.conn.execute(SELECT + "WHERE person_id = ? AND deleted_at IS NULL "
                                "ORDER BY document_date DESC, created_at DESC", (person_id,)).fetchall()
    return [_with_basis(session, r) for r in rows]


def _with_basis(session: Session, row) -> Document:
    document = Document.from_row(row)
    document.basis = _basis(session, document)
    return document


@grants(Scope.CASEWORK)
def records_requests(session: Session, case_id: str) -> list:
    """The case's records requests, newest first: what a professional's document can answer."""
    return [d for d in disclosures.disclosures_for_case(session, case_id)
            if d.kind == DisclosureKind.RECORDS_REQUEST.value]


def _require_complete(session: Session, document: Document) -> None:
    if not chunks.complete(session.conn, document.id, document.chunk_count):
        raise ValidationError("This document is still arriving from the team's hub: sync, then try again.")


@grants(Scope.CASEWORK, "audited as a view")
def read_for_viewing(session: Session, document_id: str) -> tuple[Document, bytearray]:
    """A PDF's or an image's bytes, held in memory to be shown inside Confide; nothing is
    written anywhere. May raise: ValidationError (a kind only 'Save a copy…' opens),
    NotFound, PermissionDenied."""
    document = _load(session, document_id)
    if not document.viewable:
        raise ValidationError(f"Confide shows PDFs and pictures itself. {document.file_name} opens only in its "
                              "own program: use 'Save a copy…'.")
    _require_complete(session, document)
    data = bytearray()
    for piece in chunks.iterate(session.conn, document.id):
        data += piece
    with transaction(session.conn):
        session.audit("document_viewed", "document", document.id, {"case": document.case_id,
                                                                  "person": document.person_id})
    return document, data


@grants(Scope.CASEWORK, "audited; the person was warned the copy is not encrypted")
def save_copy(session: Session, document_id: str, path: Path) -> exports.Written:
    """Write the document's own bytes to `path` (streamed, atomic, this OS account only),
    audited as an export. The caller shows NOT_ENCRYPTED_WARNING first.

    May raise: NotFound, PermissionDenied, ValidationError, OSError."""
    document = _load(session, document_id)
    _require_complete(session, document)
    return exports.export_stream(session, exports.ExportKind.DOCUMENT_COPY, Path(path),
                                 chunks.iterate(session.conn, document.id),
                                 {"document": document.id, "case": document.case_id})


@grants(Scope.CASEWORK, "the one who added it or the manager; erasure is a separate purge")
def remove_document(session: Session, document_id: str) -> None:
    """Soft delete, as for every record (docs/architecture.md): the bytes stay until erasure.
    May raise: PermissionDenied, NotFound."""
    document = _load(session, document_id)
    if document.created_by != session.user.username and session.user.role != Role.MANAGER:
        raise PermissionDenied("Only the person who added a document, or a manager, can remove it.")
    with transaction(session.conn):
        records.update(session.conn, "document", document.id, {"deleted_at": records.utc_now()},
                       session.user.username)
        search_index.remove(session.conn, "document", document.id)
        session.audit("document_removed", "document", document.id, {"case": document.case_id})
