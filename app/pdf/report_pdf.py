"""The service report as a PDF: title page, contents, a section per table with a chart where
people would rather look than read, and "page n of m" on every page."""

from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as RLTable,
)
from reportlab.platypus.tableofcontents import TableOfContents

from app.domain.report import SUPPRESSION_NOTE, Report, Table
from app.pdf.common import build

INK = colors.HexColor("#1f2d3d")
ACCENT = colors.HexColor("#2f6f8f")
PALETTE = [colors.HexColor(c) for c in ("#2f6f8f", "#e0a030", "#6a9f58", "#b5545c", "#7d6bab", "#4f9fb8",
                                        "#c27c3a", "#8a8a8a", "#3e8e7e", "#d17aa0", "#5b6b8c", "#a0a040", "#704030")]

_base = getSampleStyleSheet()
STYLES = {
    "title": ParagraphStyle("title", parent=_base["Title"], fontSize=26, leading=32, textColor=INK),
    "subtitle": ParagraphStyle("subtitle", parent=_base["Normal"], fontSize=14, leading=20,
                               alignment=TA_CENTER, textColor=ACCENT),
    # Named "h1" so that common.build puts these headings in the contents.
    "h1": ParagraphStyle("h1", parent=_base["Heading1"], fontSize=16, textColor=INK, spaceAfter=6),
    "body": ParagraphStyle("body", parent=_base["Normal"], fontSize=10, leading=14),
    "note": ParagraphStyle("note", parent=_base["Normal"], fontSize=8.5, leading=11, textColor=colors.HexColor("#555555")),
    "toc1": ParagraphStyle("toc1", parent=_base["Normal"], fontSize=11, leading=16),
    "cell": ParagraphStyle("cell", parent=_base["Normal"], fontSize=8.5, leading=10.5),
    "label": ParagraphStyle("label", parent=_base["Normal"], fontSize=9.5, leading=11.5),
}


def _fitted(label: str, width: float, bold: bool = False):
    if stringWidth(label, "Helvetica-Bold" if bold else "Helvetica", 9.5) <= width - 12:
        return label
    return Paragraph(f"<b>{escape(label)}</b>" if bold else escape(label), STYLES["label"])


def _table_flowable(rows: list[list], columns: list[str], total_last: bool = False, words: bool = False) -> RLTable:
    if words:   # a register: every cell wrapped, left-aligned
        data = [columns] + [[Paragraph(escape(str(c)), STYLES["cell"]) for c in row] for row in rows]
    first = 80 * mm if len(columns) <= 2 else 60 * mm if len(columns) <= 5 else 50 * mm
    if not words:
        # A label too long for its column wraps rather than run under the figures beside it.
        last = len(rows) - 1
        data = [columns] + [[_fitted(str(row[0]), first, total_last and i == last), *(str(c) for c in row[1:])]
                            for i, row in enumerate(rows)]
    widths = [first] + [(170 * mm - first) / max(len(columns) - 1, 1)] * (len(columns) - 1)
    if words and len(columns) == 5:     # the standards: short rating, owner and date; room for evidence
        widths = [55 * mm, 22 * mm, 28 * mm, 20 * mm, 45 * mm]
    table = RLTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("ALIGN", (1, 0), (-1, -1), "LEFT" if words else "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef4f7")]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, ACCENT), ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ] + ([("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")] if total_last else [])))
    return table


def _chart(table: Table, rows: list[list]) -> Drawing | None:
    """Bars without percentages, from the same (possibly suppressed) figures as the table beside
    them: a hidden figure gets no bar, and its label says why, so the picture never reveals it
    and no share of a whole is implied (a pie with a slice dropped read "Phone: 100%")."""
    if table.total_last:
        rows = rows[:-1]
    values = [r[1] if isinstance(r[1], int) else 0 for r in rows]
    labels = [str(r[0]) if isinstance(r[1], int) else f"{r[0]} ({r[1]})" for r in rows]
    if not table.chart or sum(values) == 0:
        return None
    height = max(30, 7 * len(rows) + 14)
    drawing = Drawing(170 * mm, height * mm)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 70 * mm, 6 * mm, 95 * mm, (height - 10) * mm
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = ACCENT
    chart.bars.strokeColor = None
    drawing.add(chart)
    return drawing


def _at_a_glance(report: Report, exact: bool) -> RLTable:
    """The four figures a steering group asks for first, large, on the title page."""
    def first(key: str, label: str) -> tuple[str, str]:
        value = {r[0]: r[1] for r in report.table(key).shown_rows(exact)}[label]
        return (f"{value:,}" if isinstance(value, int) else str(value)), label

    cells = [first("contacts_by_channel", "All contacts"), first("cases", "New cases opened"),
             first("cases_closed", "All cases closed"), first("age_bands", "All children and young people")]
    big = ParagraphStyle("big", parent=STYLES["subtitle"], fontSize=22, leading=26, textColor=INK)
    small = ParagraphStyle("small", parent=STYLES["note"], alignment=TA_CENTER)
    words = ParagraphStyle("words", parent=big, fontSize=14, leading=26)  # "withheld" fits its box
    table = RLTable([[Paragraph(v, big if v[:1].isdigit() else words) for v, _ in cells],
                     [Paragraph(lab, small) for _, lab in cells]],
                    colWidths=[42 * mm] * 4)
    table.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, ACCENT), ("BACKGROUND", (0, 0), (-1, -1),
                                                                         colors.HexColor("#eef4f7")),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table


def render_report(report: Report, exact: bool = False, heading: str = "Service report") -> bytes:
    """Build the PDF in memory. With exact=True the caller must encrypt it (internal figures).
    `heading`: what the document is ("National return" prints the network's subset, without the
    at-a-glance figures, which are the steering group's)."""
    glance = [_at_a_glance(report, exact)] if heading == "Service report" else []
    story = [Spacer(1, 55 * mm), Paragraph(report.service_name, STYLES["title"]), Spacer(1, 6 * mm),
             Paragraph(f"{heading}<br/>{report.period.label}", STYLES["subtitle"]), Spacer(1, 4 * mm),
             Paragraph(f"{report.period.start:%d %B %Y} to {report.period.end:%d %B %Y}", STYLES["subtitle"]),
             Spacer(1, 14 * mm), *glance, Spacer(1, 20 * mm),
             Paragraph(f"Prepared on {report.generated_on:%d %B %Y}. "
                       + ("INTERNAL: exact figures; do not share outside the service." if exact else
                          SUPPRESSION_NOTE), STYLES["body"]),
             PageBreak()]
    toc = TableOfContents()
    toc.levelStyles = [STYLES["toc1"]]
    story += [Paragraph("Contents", STYLES["h1"].clone("contents")), toc, PageBreak()]
    for table in report.tables:
        rows = table.shown_rows(exact)
        block = [Paragraph(table.title, STYLES["h1"]),
                 _table_flowable(rows, table.columns, table.total_last, table.text)]
        if table.note:
            block += [Spacer(1, 2 * mm), Paragraph(table.note, STYLES["note"])]
        chart = _chart(table, rows)
        if chart is not None:
            block += [Spacer(1, 4 * mm), chart]
        story += [*(block if table.text else [KeepTogether(block)]), Spacer(1, 10 * mm)]


    return build(story, title=f"{report.service_name} {heading.lower()}: {report.period.label}",
                 footer=f"{report.service_name} · {report.period.label}", subject=heading,
                 author=report.service_name, contents=True)
