"""The service report as a QTextDocument, for print preview and printing.

QtPdf (which could rasterise the exported PDF) is not part of PySide6-Essentials, and
shelling out to poppler would not work on the service's Windows machines. A QTextDocument
prints through Qt alone, paginates itself with page numbers, and uses the same figures
(Table.shown_rows) as the PDF, CSV and the screen, so the printed copy cannot disagree.
Charts are drawn by the same QPainter code as on screen and embedded as images.
"""

from html import escape

from PySide6.QtCore import QUrl
from PySide6.QtGui import QFont, QTextDocument

from app.domain.report import SUPPRESSION_NOTE, Report
from ui.models.report_table_model import cell_text
from ui.widgets.bar_chart import chart_image

CHART_WIDTH = 520


def report_html(report: Report, exact: bool) -> str:
    version = ("INTERNAL: exact figures and staff names. Not for circulation."
               if exact else f"As published. {SUPPRESSION_NOTE}")
    parts = [
        f"<h1>{escape(report.service_name)}: service report</h1>",
        f"<p><b>{escape(report.period.label)}</b> ({report.period.start:%d/%m/%Y} to {report.period.end:%d/%m/%Y})"
        f"<br/>Produced {report.generated_on:%d/%m/%Y}</p>",
        f"<p style='color:{'#7f1414' if exact else '#4a5866'}'>{escape(version)}</p>",
    ]
    for table in report.tables:
        rows = table.shown_rows(exact)
        parts.append(f"<h2>{escape(table.title)}</h2>")
        if table.note:
            parts.append(f"<p style='color:#4a5866'>{escape(table.note)}</p>")
        if table.chart:
            parts.append(f"<p><img src='chart://{escape(table.key)}' width='{CHART_WIDTH}'/></p>")
        head = "".join(f"<th align='{'left' if i == 0 else 'right'}'>{escape(c)}</th>"
                       for i, c in enumerate(table.columns))
        body = []
        for n, row in enumerate(rows):
            total = table.total_last and n == len(rows) - 1
            cells = "".join(f"<td align='{'left' if i == 0 else 'right'}'>"
                            f"{'<b>' if total else ''}{escape(cell_text(v))}{'</b>' if total else ''}</td>"
                            for i, v in enumerate(row))
            body.append(f"<tr>{cells}</tr>")
        parts.append("<table border='1' cellspacing='0' cellpadding='4' width='100%' "
                     f"style='border-color:#b8c7d3; border-collapse:collapse'><tr style='background:#e8edf2'>"
                     f"{head}</tr>{''.join(body)}</table>")
    return "\n".join(parts)


def report_document(report: Report, exact: bool, font: QFont | None = None) -> QTextDocument:
    doc = QTextDocument()
    base = QFont(font) if font is not None else QFont()
    base.setPointSizeF(10)
    doc.setDefaultFont(base)
    doc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, "Service report")
    for table in report.tables:
        if table.chart:
            rows = table.shown_rows(exact)
            rows = rows[:-1] if table.total_last else rows
            image = chart_image([(str(r[0]), r[1]) for r in rows], CHART_WIDTH, base)
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart://{table.key}"), image)
    doc.setHtml(report_html(report, exact))
    return doc
