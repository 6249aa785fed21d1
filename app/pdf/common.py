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
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents

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

# Helvetica cannot print Ł, ő, ğ and the like, which families' names have. Use a full
# Unicode font: the one shipped in resources/fonts, else a common system font.
_FONT_CANDIDATES = [
    (resources.path("fonts", "DejaVuSans.ttf"), resources.path("fonts", "DejaVuSans-Bold.ttf")),
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
    """Holds every page until the end so the footer can say 'page n of m', and the contents
    page its page numbers."""

    footer_text = ""
    contents: "_ContentsState | None" = None

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
            if self.contents is not None:
                self.contents.draw_numbers(self, number)
            super().showPage()
        super().save()


class _ContentsState:
    """The h1 headings' pages as they are placed, and where the contents page wants them."""

    def __init__(self, titles: list[str]):
        self.titles = titles
        self.placed: list[tuple[str, int]] = []
        self.slots: list[tuple[int, float, float, int, ParagraphStyle]] = []  # (page, x, y, title, style)

    def pages(self) -> list[int | None]:
        found, used = [], set()
        for title in self.titles:
            match = next((i for i, (t, _) in enumerate(self.placed) if t == title and i not in used), None)
            used.add(match)
            found.append(None if match is None else self.placed[match][1])
        return found

    def draw_numbers(self, canvas, page: int) -> None:
        pages = self.pages()
        for slot_page, x, y, index, style in self.slots:
            if slot_page == page and pages[index] is not None:
                canvas.setFont(style.fontName, style.fontSize)
                canvas.setFillColor(style.textColor)
                canvas.drawRightString(x, y, str(pages[index]))


class _Contents(Flowable):
    """The contents in ONE layout pass: reportlab's TableOfContents needs multiBuild, which
    lays out the whole document twice (half of a 2,000-note SAR pack's time). The titles are
    known before layout; only their page numbers are not, and those are drawn when the
    canvas writes the pages out, as 'page n of m' is."""

    def __init__(self, state: _ContentsState, style: ParagraphStyle, first: int = 0, count: int | None = None):
        super().__init__()
        self.state, self.style, self.first = state, style, first
        self.count = len(state.titles) - first if count is None else count

    def wrap(self, avail_width, avail_height):
        self.width, self.height = avail_width, self.count * self.style.leading
        return self.width, self.height

    def split(self, avail_width, avail_height):
        fit = int(avail_height // self.style.leading)
        if fit <= 0 or fit >= self.count:
            return []
        return [_Contents(self.state, self.style, self.first, fit),
                _Contents(self.state, self.style, self.first + fit, self.count - fit)]

    def draw(self):
        c, style = self.canv, self.style
        c.setFont(style.fontName, style.fontSize)
        c.setFillColor(style.textColor)
        number_room = 12 * mm
        for n in range(self.count):
            index = self.first + n
            y = self.height - (n + 1) * style.leading + (style.leading - style.fontSize) / 2
            title = self.state.titles[index]
            while title and pdfmetrics.stringWidth(title, style.fontName, style.fontSize) > self.width - number_room - 6 * mm:
                title = title[:-2] + "…"
            c.drawString(0, y, title)
            start = pdfmetrics.stringWidth(title + " ", style.fontName, style.fontSize)
            dots = max(0, int((self.width - number_room - start) // pdfmetrics.stringWidth(". ", style.fontName,
                                                                                          style.fontSize)))
            c.drawRightString(self.width - number_room, y, ". " * dots)
            page = len(c._pages) + 1  # _NumberedCanvas holds the pages laid out so far
            c.contents.slots.append((page, *c.absolutePosition(self.width, y), index, style))


def _h1_titles(flowables) -> list[str]:
    titles = []
    for flowable in flowables:
        if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            titles.append(flowable.getPlainText())
        elif isinstance(getattr(flowable, "_content", None), list):  # KeepTogether and the like
            titles += _h1_titles(flowable._content)
    return titles


class _Doc(BaseDocTemplate):
    """Records where each h1 heading was placed, for the contents page."""

    on_flowable = None
    contents: _ContentsState | None = None

    def afterFlowable(self, flowable):  # noqa: N802 (reportlab's name)
        if self.contents is not None and isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            self.contents.placed.append((flowable.getPlainText(), self.page))
        if self.on_flowable:
            self.on_flowable(flowable)


def build(story: list, *, title: str, footer: str, subject: str = "", author: str = "",
          contents: bool = False, on_flowable=None) -> bytes:
    """Lay out the story on A4 and return the PDF bytes (nothing touches the disk).

    With contents=True the story holds a TableOfContents, filled from the h1 headings (in one
    layout pass: see _Contents). `on_flowable` is called after each flowable is placed: a long build
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

    state = _ContentsState(_h1_titles(story)) if contents else None
    if state is not None:
        story = [_Contents(state, f.levelStyles[0]) if isinstance(f, TableOfContents) else f for f in story]
    doc.contents = state

    class Canvas(_NumberedCanvas):
        footer_text = footer

    Canvas.contents = state
    doc.build(story, canvasmaker=Canvas)
    return buffer.getvalue()
