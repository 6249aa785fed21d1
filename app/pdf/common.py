"""What every Confide PDF shares: fonts that can print families' names, styles, an A4 page
with "page n of m" in the footer, and the rule for files holding personal data: built in
memory; writing it out is the export service's job (app/services/exports.py decides
whether it is encrypted, AES-256 revision 6, and writes it atomically).

    pdf = build(story, title="Consent record", footer="Northshire SENDIASS · confidential")
    exports.export_pdf(session, ExportKind.CONSENT_RECORD, path, pdf, password, {...})
"""

import io
import os
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from app import resources

__all__ = ["STYLES", "INK", "ACCENT", "MUTED", "PAPER", "RULE", "build", "text", "FONT", "FONT_BOLD", "PAGE_WIDTH",
           "CONTENT_WIDTH"]

INK = colors.HexColor("#1f2d3d")
ACCENT = colors.HexColor("#2f6f8f")
MUTED = colors.HexColor("#555f6b")
PAPER = colors.HexColor("#eef4f7")
RULE = colors.HexColor("#b8c7d3")

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

_RESOURCES = resources.path("fonts")
# Helvetica cannot print Ł, ő, ğ and the like, which families' names have. Use a full
# Unicode font: the one shipped in app/resources/fonts, else a common system font.
_FONT_CANDIDATES = [
    (_RESOURCES / "DejaVuSans.ttf", _RESOURCES / "DejaVuSans-Bold.ttf"),
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path("/usr/share/fonts/TTF/DejaVuSans.ttf"), Path("/usr/share/fonts/TTF/DejaVuSans-Bold.ttf")),
    (Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts" / "arial.ttf",
     Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts" / "arialbd.ttf"),
    (Path("/System/Library/Fonts/Supplemental/Arial.ttf"), Path("/System/Library/Fonts/Supplemental/Arial Bold.ttf")),
]


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    for regular, bold in _FONT_CANDIDATES:
        try:
            if regular.is_file() and bold.is_file():
                pdfmetrics.registerFont(TTFont("ConfideSans", str(regular)))
                pdfmetrics.registerFont(TTFont("ConfideSans-Bold", str(bold)))
                pdfmetrics.registerFontFamily("ConfideSans", normal="ConfideSans", bold="ConfideSans-Bold",
                                              italic="ConfideSans", boldItalic="ConfideSans-Bold")
                return "ConfideSans", "ConfideSans-Bold"
        except Exception:  # noqa: BLE001 - a damaged font file must not stop a PDF
            continue
    return "Helvetica", "Helvetica-Bold"


FONT, FONT_BOLD = _fonts()


def _style(name: str, size: float, leading: float, *, bold: bool = False, color=INK, **extra) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=FONT_BOLD if bold else FONT, fontSize=size, leading=leading,
                          textColor=color, **extra)


STYLES = {
    "title": _style("title", 22, 27, bold=True, spaceAfter=2 * mm),
    "subtitle": _style("subtitle", 12, 16, color=ACCENT, spaceAfter=4 * mm),
    "h1": _style("h1", 14, 18, bold=True, spaceBefore=5 * mm, spaceAfter=2 * mm),
    "h2": _style("h2", 12, 15, bold=True, color=ACCENT, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
    "body": _style("body", 10.5, 14.5, spaceAfter=2 * mm),
    # The words a family agrees to: larger, so they can be read across a table.
    "wording": _style("wording", 12, 17, spaceAfter=2.5 * mm),
    "label": _style("label", 9, 12, bold=True, color=MUTED),
    "value": _style("value", 10.5, 14),
    "note": _style("note", 8.5, 11, color=MUTED),
    "cell": _style("cell", 9, 11.5),
    "cell_head": _style("cell_head", 9, 11.5, bold=True, color=colors.white),
}


def text(value) -> str:
    """Escape text for a Paragraph: names and notes are data, never markup."""
    return escape("" if value is None else str(value))


class _NumberedCanvas(pdfcanvas.Canvas):
    """Holds every page until the end so the footer can say 'page n of m'."""

    footer_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.line(MARGIN, 15 * mm, PAGE_WIDTH - MARGIN, 15 * mm)
            self.drawString(MARGIN, 10.5 * mm, self.footer_text)
            self.drawRightString(PAGE_WIDTH - MARGIN, 10.5 * mm, f"Page {number} of {total}")
            super().showPage()
        super().save()


class _Doc(BaseDocTemplate):
    """Reports each h1 heading to a TableOfContents in the story, if there is one."""

    on_flowable = None

    def afterFlowable(self, flowable):  # noqa: N802 (reportlab's name)
        if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page))
        if self.on_flowable:
            self.on_flowable(flowable)


def build(story: list, *, title: str, footer: str, subject: str = "", author: str = "",
          contents: bool = False, on_flowable=None) -> bytes:
    """Lay out the story on A4 and return the PDF bytes (nothing touches the disk).

    With contents=True the story holds a TableOfContents, filled from the h1 headings (two
    layout passes). `on_flowable` is called after each flowable is placed: a long build
    reports progress, or raises to stop, from there.
    The title and subject land in the file's metadata: keep names out of them.
    """
    buffer = io.BytesIO()
    doc = _Doc(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
               bottomMargin=22 * mm, title=title, subject=subject, author=author, creator="Confide")
    doc.on_flowable = on_flowable
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("page", [frame])])

    class Canvas(_NumberedCanvas):
        footer_text = footer

    if contents:
        doc.multiBuild(story, canvasmaker=Canvas)
    else:
        doc.build(story, canvasmaker=Canvas)
    return buffer.getvalue()
