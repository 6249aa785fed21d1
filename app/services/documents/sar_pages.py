"""A subject access pack's documents as pages (docs/documents.md, "Subject access"): each
included PDF's own pages, and each picture on a page of its own, after the pack's text. Read
from the vault in memory; the whole pack is encrypted afterwards by the export gate."""

import io
from contextlib import ExitStack

import pikepdf
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from app.domain.role_matrix import Scope, grants
from app.errors import ValidationError
from app.security.session import Session
from app.services.documents import chunks

MARGIN = 20 * mm


def _picture_page(title: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setFont("Helvetica-Bold", 11)
    page.drawString(MARGIN, height - MARGIN, title[:90])
    image = ImageReader(io.BytesIO(data))
    iw, ih = image.getSize()
    scale = min((width - 2 * MARGIN) / iw, (height - 3 * MARGIN) / ih, 1.0)
    page.drawImage(image, MARGIN, height - 1.5 * MARGIN - ih * scale, iw * scale, ih * scale)
    page.showPage()
    page.save()
    return buffer.getvalue()


def _divider_page(number: int, total: int, title: str, pages: int) -> bytes:
    """A page naming the document whose own pages follow: after the pack's last numbered page
    a reader must still know whose pages these are and where each one starts."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setFont("Helvetica", 10)
    page.drawString(MARGIN, height - MARGIN, f"Document {number} of {total} sent with this pack")
    page.setFont("Helvetica-Bold", 16)
    page.drawString(MARGIN, height - MARGIN - 28, title[:70])
    page.setFont("Helvetica", 11)
    page.drawString(MARGIN, height - MARGIN - 52, f"Its own {pages} page{'' if pages == 1 else 's'} follow, as we hold "
                    f"{'it' if pages == 1 else 'them'}.")
    page.showPage()
    page.save()
    return buffer.getvalue()


@grants(Scope.MANAGER, "part of making a subject access pack")
def add_pages(session: Session, pack: pikepdf.Pdf, documents: list[dict], sources: ExitStack) -> None:
    """Add the pages of each document named (id, title) at the end of the open pack, in order.
    A document no longer held (erased since) or of a kind with no pages is left out here: the
    pack's list says how it is sent. `sources` keeps each document's own file open until the
    pack is written (qpdf copies their page contents then). Called on the pack as it is being
    encrypted (app/pdf/secure.py, `edit`): the 2,000-note pack is rewritten once, not once to
    add the pages and again to encrypt it (0.7 s of CPU each). May raise: ValidationError (a
    damaged PDF or picture)."""
    held = []
    for wanted in documents:
        row = session.conn.execute("SELECT id, media_type, chunk_count FROM document WHERE id = ? AND "
                                   "deleted_at IS NULL", (wanted["id"],)).fetchone()
        if row is None or not chunks.complete(session.conn, row["id"], row["chunk_count"]):
            continue
        if row["media_type"] == "application/pdf" or row["media_type"].startswith("image/"):
            held.append((wanted, row))
    # qpdf (pikepdf) adds pages to the pack as it is; pypdf re-read and cloned every object of
    # the tagged pack first (7 of the 11 s a 2,000-note pack took).
    for number, (wanted, row) in enumerate(held, 1):
        data = b"".join(chunks.iterate(session.conn, row["id"]))
        if row["media_type"] != "application/pdf":
            data = _picture_page(wanted["title"], data)
        try:
            pages = sources.enter_context(pikepdf.open(io.BytesIO(data)))
            divider = sources.enter_context(pikepdf.open(io.BytesIO(
                _divider_page(number, len(held), wanted["title"], len(pages.pages)))))
            pack.pages.extend(divider.pages)
            for page in pages.pages:
                pack.pages.append(page)
                _untag(pack.pages[-1])
        except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError) as exc:
            raise ValidationError(f"The pages of “{wanted['title']}” cannot be read ({type(exc).__name__}): the "
                                  "file may be damaged. Exclude it from the pack and send a copy separately, "
                                  "or ask the sender for a new copy.") from None


def _untag(page: pikepdf.Page) -> None:
    """A document's pages keep their content but not their own file's tagging: its keys would
    point into the pack's structure tree, and a screen reader would read them as the pack."""
    if "/StructParents" in page.obj:
        del page.obj["/StructParents"]
    for annotation in page.obj.get("/Annots", []):
        if isinstance(annotation, pikepdf.Dictionary) and "/StructParent" in annotation:
            del annotation["/StructParent"]
