"""The mailing-list export (R10): only people whose mailing-list consent is in force on the
day it is made. Holds names and addresses, so the caller encrypts it."""

from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from app.domain.text import uk_date
from app.pdf.common import ACCENT, CONTENT_WIDTH, PAPER, RULE, STYLES, build, text


def render_mailing_list(service_name: str, today: date, entries: list) -> bytes:
    """`entries`: objects with name, email, address, postcode and review_on."""
    s = STYLES
    count = len(entries)
    story = [Paragraph("Mailing list", s["title"]), Paragraph(text(service_name), s["subtitle"]),
             Paragraph(f"Made on {uk_date(today)}: {count:,} {'person' if count == 1 else 'people'} whose "
                       "consent to be on the mailing list is in force today. Nobody else is included.", s["body"]),
             Paragraph("Confidential. Use it only to send the service's mailing, do not forward it, and delete it "
                       "when the mailing has gone. Before the review date shown, ask each person again.", s["note"]),
             Spacer(1, 4 * mm)]
    head = [Paragraph(h, s["cell_head"]) for h in ("Name", "Email", "Postal address", "Consent until")]
    rows = [head]
    for entry in entries:
        address = ", ".join(p for p in ((entry.address or "").replace("\n", ", "), entry.postcode) if p)
        rows.append([Paragraph(text(entry.name), s["cell"]), Paragraph(text(entry.email or ""), s["cell"]),
                     Paragraph(text(address), s["cell"]), Paragraph(uk_date(entry.review_on), s["cell"])])
    if not entries:
        rows.append([Paragraph("Nobody has a mailing-list consent in force today.", s["cell"]), "", "", ""])
    widths = [42 * mm, 50 * mm, CONTENT_WIDTH - 42 * mm - 50 * mm - 24 * mm, 24 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PAPER]), ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story.append(table)
    footer = f"{service_name} · Mailing list {uk_date(today)} · Confidential"
    return build(story, title="Mailing list", subject="Mailing list export", footer=footer, author=service_name)
