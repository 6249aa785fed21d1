"""A letter written in Confide, as a tagged PDF on A4 (app/pdf/tagged.py, resources/typst/
letter.typ): the service's name as the letterhead, the addressee, the date and our reference,
then the text exactly as the caseworker finished it. Built in memory; it is kept inside the
vault as a "letter sent" document (docs/documents.md).

The text is split into blocks here, never rewritten: the subject line after "Dear …," becomes
the first heading, a short line ending in a colon over the lines of its own paragraph a
second-level heading ("What you asked about:"), the sign-off ("Yours sincerely,") gets room
for a pen signature, and the block after it is the signature block."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.pdf import tagged

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
CLOSINGS = re.compile(r"(yours (sincerely|faithfully|truly)|kind regards|best wishes|with best wishes|"
                      r"regards|many thanks|thank you)[,.]?", re.IGNORECASE)
SUBJECT_MAX = 160
HEADING_MAX = 80


@dataclass
class LetterContent:
    service: str
    title: str         # the template's title, free of names: the PDF's title
    on: date
    reference: str
    recipient_lines: list[str]
    body: str          # paragraphs separated by blank lines; single breaks are kept


def long_date(day: date) -> str:
    """A letter's date as people write it: 25 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _blocks(body: str) -> list[list[str]]:
    blocks = []
    for block in re.split(r"\n[ \t]*\n", body.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in block.strip("\n").split("\n")]
        if any(line.strip() for line in lines):
            blocks.append(lines)
    return blocks


def _is_subject(lines: list[str]) -> bool:
    line = lines[0].strip()
    return len(lines) == 1 and 0 < len(line) <= SUBJECT_MAX and line[-1] not in ".,:;!?"


def _is_heading(lines: list[str]) -> bool:
    first = lines[0].strip()
    return len(lines) > 1 and first.endswith(":") and len(first) <= HEADING_MAX


def letter_blocks(body: str) -> list[dict]:
    """The caseworker's text as kinds of block: salutation, subject, heading, paragraph,
    closing, signature. Every line is kept, in order."""
    out, seen_subject, closed = [], False, False
    blocks = _blocks(body)
    for index, lines in enumerate(blocks):
        kind = "paragraph"
        if closed:
            kind = "signature"
            closed = False
        elif CLOSINGS.fullmatch(lines[0].strip()) and len(lines) == 1:
            kind, closed = "closing", True
        elif index == 0 and lines[0].lower().startswith("dear "):
            kind = "salutation"
        elif (not seen_subject and index <= 1 and _is_subject(lines)
              and (index == 1 or not lines[0].lower().startswith("dear "))):
            kind, seen_subject = "subject", True
        elif _is_heading(lines):
            kind = "heading"
        out.append({"kind": kind, "lines": lines})
    return out


def letter_data(content: LetterContent) -> dict:
    """What resources/typst/letter.typ prints, as plain data."""
    return {"service": content.service, "title": f"Letter: {content.title}",
            "footer": f"{content.service} · Confidential", "marking": "Private and confidential",
            "recipient": [line for line in content.recipient_lines if line.strip()],
            "date": long_date(content.on), "reference": content.reference, "blocks": letter_blocks(content.body)}


def letter_pdf(content: LetterContent) -> bytes:
    """The letter, tagged (PDF/UA-1). It holds personal data: it is kept inside the vault.
    May raise: tagged.PdfLayoutError."""
    return tagged.render("letter", letter_data(content),
                         when=datetime(content.on.year, content.on.month, content.on.day, 9, tzinfo=UTC))
