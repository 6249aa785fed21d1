"""A letter written in Confide, as a PDF on A4 (reportlab): the service's name, the date,
the recipient's name and address, then the text as the caseworker finished it. Built in
memory; it is kept inside the vault as a "letter sent" document (docs/documents.md)."""

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from app.pdf.common import STYLES, build, text


@dataclass
class LetterContent:
    service: str
    date_text: str
    recipient_lines: list[str]
    body: str          # paragraphs separated by blank lines; single breaks are kept


def letter_pdf(content: LetterContent) -> bytes:
    story = [Paragraph(text(content.service), STYLES["h2"]), Spacer(1, 6 * mm)]
    story += [Paragraph(text(line), STYLES["value"]) for line in content.recipient_lines if line.strip()]
    story += [Spacer(1, 6 * mm), Paragraph(text(content.date_text), STYLES["value"]), Spacer(1, 6 * mm)]
    for block in content.body.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            story.append(Paragraph("<br/>".join(text(line) for line in block.strip().split("\n")), STYLES["body"]))
    # Metadata stays free of names: "Letter" only.
    return build(story, title="Letter", footer=f"{content.service} · confidential")
