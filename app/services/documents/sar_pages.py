"""A subject access pack's documents as pages (docs/documents.md, "Subject access"): each
included PDF's own pages, and each picture on a page of its own, after the pack's text. Read
from the vault in memory; the whole pack is encrypted afterwards by the export gate."""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PdfStreamError
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


@grants(Scope.MANAGER, "part of making a subject access pack")
def append_documents(session: Session, pack: bytes, documents: list[dict]) -> bytes:
    """The pack with the pages of each document named (id, title) added at its end, in order.
    A document no longer held (erased since) or of a kind with no pages is left out here: the
    pack's list says how it is sent. May raise: ValidationError (a damaged PDF or picture)."""
    if not documents:
        return pack
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pack)))
    for wanted in documents:
        row = session.conn.execute("SELECT id, media_type, chunk_count FROM document WHERE id = ? AND "
                                   "deleted_at IS NULL", (wanted["id"],)).fetchone()
        if row is None or not chunks.complete(session.conn, row["id"], row["chunk_count"]):
            continue
        data = b"".join(chunks.iterate(session.conn, row["id"]))
        try:
            if row["media_type"] == "application/pdf":
                writer.append(PdfReader(io.BytesIO(data)))
            elif row["media_type"].startswith("image/"):
                writer.append(PdfReader(io.BytesIO(_picture_page(wanted["title"], data))))
        except (PdfReadError, PdfStreamError, OSError, ValueError) as exc:
            raise ValidationError(f"The pages of “{wanted['title']}” cannot be read ({type(exc).__name__}): the "
                                  "file may be damaged. Exclude it from the pack and send a copy separately, "
                                  "or ask the sender for a new copy.") from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
