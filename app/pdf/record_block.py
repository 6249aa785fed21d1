"""A record laid out as a shaded title bar over label/value rows, as one flowable.

It replaces a reportlab Table per record. A 2,000-note SAR pack spent most of its time in
those tables: a Table wraps every cell twice (once to size the rows, once to draw them) and
each cell was a Paragraph, parsed as markup, even for a one-word label. Here a cell is a
`Line` (plain text that fits on one line, drawn straight on the canvas) or a Paragraph (text
that wraps or holds a redaction box), and each is wrapped once.

The block splits between rows at a page end, and inside a row whose value is a long
Paragraph (a Table could not: a note longer than a page stopped the pack).
"""

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

PAD_LEFT = PAD_RIGHT = 6
PAD_TOP, PAD_BOTTOM = 2, 3


class Line:
    """One line of plain text, drawn with drawString: no markup, no wrapping."""

    __slots__ = ("text", "style")

    def __init__(self, text: str, style: ParagraphStyle):
        self.text, self.style = text, style

    @staticmethod
    def fits(text: str, style: ParagraphStyle, width: float) -> bool:
        return "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width

    def height(self, _width: float) -> float:
        return self.style.leading

    def draw(self, canv, x: float, top: float) -> None:
        style = self.style
        canv.setFont(style.fontName, style.fontSize)
        canv.setFillColor(style.textColor)
        # Where a Paragraph puts its first baseline, so both kinds of cell line up.
        canv.drawString(x, top - style.fontSize, self.text)


def _height(piece, width: float) -> float:
    if piece is None:
        return 0
    if isinstance(piece, Line):
        return piece.height(width)
    return piece.wrap(width, 1e9)[1]


def _draw(piece, canv, x: float, top: float) -> None:
    if piece is None:
        return
    if isinstance(piece, Line):
        piece.draw(canv, x, top)
    else:
        piece.drawOn(canv, x, top - piece.height)


KEEP_WITH_TITLE = 3  # rows (a note's date, author and the start of its text)


class RecordBlock(Flowable):
    """`title` (a piece or None on a continued block) over `rows` of (label, value) pieces;
    a piece is a Line, a Paragraph, or None (an empty cell)."""

    def __init__(self, title, rows: list[tuple], label_width: float, shade, rule, *, last: bool = True):
        super().__init__()
        self.title, self.rows, self.label_width = title, rows, label_width
        self.shade, self.rule, self.last = shade, rule, last
        self._sized_for = None

    def _widths(self, width: float) -> tuple[float, float, float]:
        return (width - PAD_LEFT - PAD_RIGHT, self.label_width - PAD_LEFT - PAD_RIGHT,
                width - self.label_width - PAD_LEFT - PAD_RIGHT)

    def wrap(self, avail_width, avail_height):
        if self._sized_for != avail_width:
            whole, label_w, value_w = self._widths(avail_width)
            self._title_h = _height(self.title, whole) + PAD_TOP + PAD_BOTTOM if self.title is not None else 0
            self._row_h = [max(_height(label, label_w), _height(value, value_w)) + PAD_TOP + PAD_BOTTOM
                           for label, value in self.rows]
            self._sized_for = avail_width
        self.width, self.height = avail_width, self._title_h + sum(self._row_h)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        room = avail_height - self._title_h
        fitting = 0
        while fitting < len(self.rows) and self._row_h[fitting] <= room:
            room -= self._row_h[fitting]
            fitting += 1
        head, tail = list(self.rows[:fitting]), list(self.rows[fitting:])
        if not tail:
            return []
        label, value = tail[0]
        if isinstance(value, Paragraph) and room - PAD_TOP - PAD_BOTTOM >= value.style.leading:
            # Paragraph.split drops the layout of the paragraph it splits: size afresh next time.
            self._sized_for = None
            parts = value.split(self._widths(avail_width)[2], room - PAD_TOP - PAD_BOTTOM)
            if len(parts) == 2:
                head.append((label, parts[0]))
                tail[0] = (None, parts[1])
        if not head or (self.title is not None and len(head) < min(KEEP_WITH_TITLE, len(self.rows))):
            # A title with only its first short rows (a note's date and author) at the foot of a
            # page reads as an empty record: the whole block moves on. A block taller than a page
            # still splits on the next one, where its first rows (or part of a long note) fit.
            return []
        return [RecordBlock(self.title, head, self.label_width, self.shade, self.rule, last=False),
                RecordBlock(None, tail, self.label_width, self.shade, self.rule, last=self.last)]

    def draw(self):
        canv = self.canv
        top = self.height
        if self.title is not None:
            canv.setFillColor(self.shade)
            canv.rect(0, top - self._title_h, self.width, self._title_h, stroke=0, fill=1)
            _draw(self.title, canv, PAD_LEFT, top - PAD_TOP)
            top -= self._title_h
        for (label, value), row_h in zip(self.rows, self._row_h, strict=True):
            _draw(label, canv, PAD_LEFT, top - PAD_TOP)
            _draw(value, canv, self.label_width + PAD_LEFT, top - PAD_TOP)
            top -= row_h
        if self.last:
            canv.setStrokeColor(self.rule)
            canv.setLineWidth(0.4)
            canv.line(0, 0, self.width, 0)
