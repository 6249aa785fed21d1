"""Make the SAR response pack, encrypt it, write it atomically and record what was sent:
the content (so the same pack can be made again), its SHA-256, when and by whom."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app import clock
from app.domain.role_matrix import Scope, grants
from app.errors import NotFound, ValidationError
from app.fsutil import require_folder
from app.pdf import secure
from app.pdf.sar_pack_pdf import Cancelled, render_pack
from app.security.session import Session
from app.services import exports
from app.services.documents import sar_pages
from app.services.exports import ExportKind
from app.services.sar import review as sar_review
from app.services.sar.parent import check_parent_authority
from app.services.sar.register import get_sar
from app.storage import records
from app.storage.db import transaction

__all__ = ["Cancelled", "PackResult", "generate_pack", "regenerate_pack", "disclosures"]


@dataclass
class PackResult:
    path: Path
    sha256: str
    password: str
    items: int
    redactions: int
    disclosure_id: str


@dataclass
class SarDisclosure:
    id: str
    generated_at: str
    generated_by: str
    items: int
    redactions: int
    sha256: str
    sent_on: str | None
    sent_method: str | None


def _documents_pages(session: Session, content: dict) -> secure.Edit:
    """The included documents' pages, added to the pack as it is encrypted."""
    documents = content.get("documents", [])
    return lambda pdf, sources: sar_pages.add_pages(session, pdf, documents, sources)


@grants(Scope.MANAGER)
def generate_pack(session: Session, sar_id: str, out_path: Path, password: str | None = None,
                  progress: Callable[[int, str], None] | None = None,
                  cancelled: Callable[[], bool] | None = None, today: date | None = None) -> PackResult:
    """Gather, apply the review, render, encrypt, write and record. The database is only
    written (the record of disclosure) after the file is safely on disk.

    May raise: ValidationError (no completed review, undecided items, stale redactions, a
    parent's request without the young person's authority, weak password), OutputFolderMissing,
    Cancelled, OSError.
    """
    require_folder(Path(out_path))
    sar = get_sar(session, sar_id)
    if sar.status in ("awaiting_id", "awaiting_clarification", "withdrawn"):
        why = {"awaiting_id": "the requester's identity has not been confirmed",
               "awaiting_clarification": "the clarification asked for has not arrived",
               "withdrawn": "the request was withdrawn"}[sar.status]
        raise ValidationError(f"No pack can be made for {sar.reference} yet: {why}.")
    check_parent_authority(session, sar)
    if password:
        secure.check_password(password)  # before the slow part, not after it
    step = progress or (lambda _p, _t: None)
    step(2, "Gathering records")
    review = sar_review.load_review(session, sar.id, step, suggestions=False)
    content = sar_review.build_content(session, sar.id, review)
    sar_review.require_completed(session, sar.id, review)
    if cancelled and cancelled():
        raise Cancelled()
    generated = clock.now()
    content["generated_at"] = generated.isoformat(timespec="seconds")
    pdf = render_pack(content, today or generated.date(), step, cancelled)
    step(94, "Adding the documents' pages and encrypting")
    written = exports.export_pdf(session, ExportKind.SAR_PACK, Path(out_path), pdf, password, {"sar": sar.id},
                                 edit=_documents_pages(session, content))
    password, digest = password or written.password, written.sha256
    with transaction(session.conn):
        disclosure_id = records.insert(session.conn, "sar_disclosure", {
            "sar_id": sar.id, "generated_at": content["generated_at"], "generated_by": session.user.username,
            "content": json.dumps(content, ensure_ascii=False), "items": content["item_count"],
            "redactions": content["redaction_count"], "sha256": digest}, session.user.username)
        session.audit("sar_pack_generated", "sar", sar.id, {"disclosure": disclosure_id, "sha256": digest})
    step(100, "Done")
    return PackResult(Path(out_path), digest, password, content["item_count"], content["redaction_count"],
                      disclosure_id)


@grants(Scope.MANAGER)
def regenerate_pack(session: Session, disclosure_id: str, out_path: Path, password: str | None = None) -> PackResult:
    """The same content as was sent, from the record of disclosure (the records may have
    changed since). The bytes differ (encryption is randomised); the text does not.

    May raise: NotFound, ValidationError (weak password), OutputFolderMissing, OSError.
    """
    require_folder(Path(out_path))
    row = session.conn.execute("SELECT * FROM sar_disclosure WHERE id = ?", (disclosure_id,)).fetchone()
    if row is None:
        raise NotFound("There is no such record of disclosure.")
    content = json.loads(row["content"])
    generated = datetime.fromisoformat(content["generated_at"]).date()
    written = exports.export_pdf(session, ExportKind.SAR_PACK, Path(out_path), render_pack(content, generated),
                                 password, {"sar": row["sar_id"]}, edit=_documents_pages(session, content))
    password = password or written.password
    with transaction(session.conn):
        session.audit("sar_pack_regenerated", "sar", row["sar_id"], {"disclosure": disclosure_id})
    return PackResult(Path(out_path), written.sha256, password, row["items"], row["redactions"],
                      disclosure_id)


@grants(Scope.MANAGER)
def disclosures(session: Session, sar_id: str) -> list[SarDisclosure]:
    rows = session.conn.execute(
        "SELECT id, generated_at, generated_by, items, redactions, sha256, sent_on, sent_method "
        "FROM sar_disclosure WHERE sar_id = ? ORDER BY generated_at DESC", (get_sar(session, sar_id).id,))
    return [SarDisclosure(**{k: r[k] for k in r.keys()}) for r in rows]
