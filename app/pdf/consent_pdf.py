"""Two consent documents: the blank paper form (current wording, no personal data; reportlab,
to be printed and filled in by hand) and the consent record a family is handed after giving
consent (their words, what they agreed to, the signature redrawn from its strokes with words
for a screen reader, and how to change their mind), a tagged PDF (app/pdf/tagged.py).
Renderers take plain data and return bytes; the service encrypts the record before it touches
the disk."""

from dataclasses import dataclass, field
from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.domain.signature import Signature, signature_alt
from app.domain.text import uk_date
from app.pdf import tagged
from app.pdf.common import CONTENT_WIDTH, INK, PAPER, RULE, STYLES, build, text


@dataclass
class AgreedItem:
    heading: str
    paragraphs: list[str]
    wording_ref: str  # e.g. "consent_share v1"
    expires_on: str
    purpose: str | None = None
    status: str = ""  # e.g. "In force" or "Withdrawn on 03/02/2027", as of the day printed


@dataclass
class ConsentRecordDoc:
    service_name: str
    subject_name: str
    given_by_name: str
    capacity: str
    method: str
    given_on: str
    recorded_by: str
    printed_on: date
    introduction: list[str]
    withdrawal: list[str]
    items: list[AgreedItem] = field(default_factory=list)
    case_reference: str | None = None
    capacity_note: str | None = None
    signed_name: str | None = None
    signature: Signature | None = None
    easy_read: bool = False  # the easy-read words were agreed to (a child or young person)


@dataclass
class BlankItem:
    heading: str
    paragraphs: list[str]


@dataclass
class BlankFormDoc:
    service_name: str
    introduction: list[str]
    withdrawal: list[str]
    items: list[BlankItem]
    wording_versions: str


class Checkbox(Flowable):
    """An empty box to tick with a pen."""

    def __init__(self, size: float = 5.5 * mm):
        super().__init__()
        self.size = size
        self.width = self.height = size

    def draw(self):
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(1)
        self.canv.rect(0, 0, self.size, self.size)


def _boxed(flowables: list, width: float = CONTENT_WIDTH, background=PAPER) -> Table:
    box = Table([[flowables]], colWidths=[width])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), background), ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                             ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm), ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                             ("TOPPADDING", (0, 0), (-1, -1), 3 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm)]))
    return box


def signature_svg(signature: Signature) -> str:
    """The strokes as an SVG of lines, in the pad's own coordinates (y counts downwards in
    both): the tagged record's image, with its words given as alternative text."""
    lines = []
    for stroke in signature.strokes:
        if len(stroke) == 1:
            stroke = (stroke[0], (stroke[0][0] + 1, stroke[0][1]))
        points = " ".join(f"{x},{y}" for x, y in stroke)
        lines.append(f'<polyline points="{points}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {signature.width} {signature.height}" '
            f'width="{signature.width}" height="{signature.height}">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
            f'<g fill="none" stroke="#1f2d3d" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round">'
            + "".join(lines) + "</g></svg>")


def consent_record_data(doc: ConsentRecordDoc) -> dict:
    """What the tagged record prints (resources/typst/consent_record.typ), as plain data."""
    giver = doc.given_by_name + (f" ({doc.capacity.lower()})" if doc.capacity else "")
    details = [("About", doc.subject_name), ("Given by", giver), ("Why someone else decided", doc.capacity_note or ""),
               ("Date given", uk_date(doc.given_on)), ("How it was given", doc.method),
               ("Recorded by", f"{doc.recorded_by}, {doc.service_name}"), ("Our reference", doc.case_reference or "")]
    items = []
    for item in doc.items:
        facts = [f"Review date: {uk_date(item.expires_on)}"]
        if item.purpose:
            facts.insert(0, f"For: {item.purpose}")
        if item.status:
            facts.append(f"Status on {uk_date(doc.printed_on)}: {item.status}")
        items.append({"heading": item.heading, "paragraphs": item.paragraphs, "facts": facts,
                      "wording_ref": item.wording_ref})
    name = doc.signed_name or doc.given_by_name
    signature = None
    if doc.signature is not None:
        # 85 mm wide at most, 32 mm tall at most, as on the paper form's signature line.
        scale = min(85 / doc.signature.width, 32 / doc.signature.height)
        signature = {"svg": signature_svg(doc.signature), "width": round(doc.signature.width * scale, 2),
                     "alt": signature_alt(name, doc.given_on), "name": name}
    how = doc.method[0].lower() + doc.method[1:] if doc.method else ""
    return {
        "service_name": doc.service_name, "introduction": doc.introduction, "withdrawal": doc.withdrawal,
        "details": [[label, value] for label, value in details if value], "items": items,
        "given_on": uk_date(doc.given_on), "signature": signature, "easy_read": doc.easy_read,
        "no_signature": f"Consent given by {name} on {uk_date(doc.given_on)} ({how}), and recorded by "
                        f"{doc.recorded_by}. No signature was taken on screen.",
    }


def render_consent_record(doc: ConsentRecordDoc) -> bytes:
    """The record handed to the family, tagged (PDF/UA-1). Holds personal data: the caller
    must encrypt it. May raise: tagged.PdfLayoutError."""
    return tagged.render("consent_record", consent_record_data(doc))


def _write_line(label: str, width: float = CONTENT_WIDTH) -> Table:
    table = Table([[Paragraph(text(label), STYLES["label"]), ""]], colWidths=[55 * mm, width - 55 * mm],
                  rowHeights=[10 * mm])
    table.setStyle(TableStyle([("LINEBELOW", (1, 0), (1, 0), 0.6, INK), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _tick_row(label: str, paragraphs: list[str] | None = None, heading_style: str = "value") -> Table:
    content = [Paragraph(text(label), STYLES[heading_style])]
    content += [Paragraph(text(p), STYLES["wording"]) for p in paragraphs or []]
    table = Table([[Checkbox(), content]], colWidths=[10 * mm, CONTENT_WIDTH - 10 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm)]))
    return table


def render_blank_form(doc: BlankFormDoc) -> bytes:
    """The paper form for a family to fill in by hand. No personal data, so it may stay plain."""
    s = STYLES
    story = [Paragraph("Consent form", s["title"]), Paragraph(text(doc.service_name), s["subtitle"])]
    story += [Paragraph(text(p), s["body"]) for p in doc.introduction]
    story += [Paragraph("About you", s["h1"]), _write_line("Name of the child or young person"),
              _write_line("Their date of birth"), _write_line("Your name"), Spacer(1, 3 * mm),
              _tick_row("I am the young person (16 or over), deciding for myself"),
              _tick_row("I am a parent or carer with parental responsibility for the child"),
              Paragraph("From 16, young people decide for themselves about their information, so a parent "
                        "signs only for a child under 16.", s["note"])]
    story.append(Paragraph("What you agree to", s["h1"]))
    story.append(Paragraph("Tick each one you agree to. You can agree to some and not others.", s["body"]))
    for item in doc.items:
        story.append(KeepTogether([_tick_row(item.heading, item.paragraphs, "h2"), Spacer(1, 2 * mm)]))
    story.append(KeepTogether([
        Paragraph("Signature", s["h1"]), _write_line("Signed"), _write_line("Name in capitals"),
        _write_line("Date"), Spacer(1, 4 * mm),
        Paragraph("Changing your mind", s["h1"])] + [Paragraph(text(p), s["body"]) for p in doc.withdrawal]))
    story.append(KeepTogether([
        Spacer(1, 4 * mm),
        _boxed([Paragraph("For office use", s["label"]), _write_line("Received by", CONTENT_WIDTH - 8 * mm),
                _write_line("Date recorded in Confide", CONTENT_WIDTH - 8 * mm),
                _write_line("Review date", CONTENT_WIDTH - 8 * mm)], background=colors.white)]))
    footer = f"{doc.service_name} · Consent form · wording {doc.wording_versions}"
    return build(story, title="Consent form", subject="Blank consent form", footer=footer, author=doc.service_name)

