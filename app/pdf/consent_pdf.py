"""Two consent documents: the blank paper form (current wording, no personal data) and the
consent record a family is handed after giving consent (their words, what they agreed to, the
signature redrawn from its strokes, and how to change their mind). Renderers take plain data
and return bytes; the service encrypts the record before it touches the disk."""

from dataclasses import dataclass, field
from datetime import date

from reportlab.graphics.shapes import Drawing, PolyLine, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.domain.signature import Signature
from app.domain.text import uk_date
from app.pdf.common import ACCENT, CONTENT_WIDTH, INK, PAPER, RULE, STYLES, build, text


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


def signature_drawing(signature: Signature, max_width: float = 85 * mm, max_height: float = 32 * mm) -> Drawing:
    """The strokes as vector lines, scaled to fit and flipped (the pad counts y downwards)."""
    scale = min(max_width / signature.width, max_height / signature.height)
    width, height = signature.width * scale, signature.height * scale
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.white, strokeColor=None))
    for stroke in signature.strokes:
        if len(stroke) == 1:
            stroke = (stroke[0], (stroke[0][0] + 1, stroke[0][1]))
        points = [v for x, y in stroke for v in (x * scale, height - y * scale)]
        drawing.add(PolyLine(points, strokeColor=INK, strokeWidth=1.4, strokeLineCap=1, strokeLineJoin=1))
    return drawing


def _details(rows: list[tuple[str, str]]) -> Table:
    data = [[Paragraph(text(label), STYLES["label"]), Paragraph(text(value), STYLES["value"])]
            for label, value in rows if value]
    table = Table(data, colWidths=[45 * mm, CONTENT_WIDTH - 45 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (0, 0), (-1, -2), 0.4, RULE)]))
    return table


def _boxed(flowables: list, width: float = CONTENT_WIDTH, background=PAPER) -> Table:
    box = Table([[flowables]], colWidths=[width])
    box.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), background), ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                             ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm), ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                             ("TOPPADDING", (0, 0), (-1, -1), 3 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 * mm)]))
    return box


def render_consent_record(doc: ConsentRecordDoc) -> bytes:
    """The record handed to the family. Holds personal data: the caller must encrypt it."""
    s = STYLES
    story = [Paragraph("Your consent record", s["title"]), Paragraph(text(doc.service_name), s["subtitle"])]
    story += [Paragraph(text(p), s["body"]) for p in doc.introduction]
    giver = doc.given_by_name + (f" ({doc.capacity.lower()})" if doc.capacity else "")
    story += [Spacer(1, 2 * mm), _details([
        ("About", doc.subject_name), ("Given by", giver), ("Why someone else decided", doc.capacity_note or ""),
        ("Date given", uk_date(doc.given_on)), ("How it was given", doc.method),
        ("Recorded by", f"{doc.recorded_by}, {doc.service_name}"), ("Our reference", doc.case_reference or ""),
    ])]
    story.append(Paragraph("What you agreed to", s["h1"]))
    for number, item in enumerate(doc.items, start=1):
        block = [Paragraph(f"{number}. {text(item.heading)}", s["h2"])]
        inner = [Paragraph(text(p), s["wording"]) for p in item.paragraphs]
        block.append(_boxed(inner))
        facts = [f"Review date: <b>{uk_date(item.expires_on)}</b>"]
        if item.purpose:
            facts.insert(0, f"For: {text(item.purpose)}")
        if item.status:
            facts.append(f"Status on {uk_date(doc.printed_on)}: <b>{text(item.status)}</b>")
        block += [Spacer(1, 1.5 * mm), Paragraph(" · ".join(facts), s["body"]),
                  Paragraph(f"Wording {text(item.wording_ref)}", s["note"])]
        story.append(KeepTogether(block))
    story.append(KeepTogether(_signature_block(doc)))
    story.append(KeepTogether([Paragraph("Changing your mind", s["h1"])]
                              + [Paragraph(text(p), s["body"]) for p in doc.withdrawal]))
    footer = f"{doc.service_name} · Consent record · Confidential"
    return build(story, title="Consent record", subject="Consent record", footer=footer, author=doc.service_name)


def _signature_block(doc: ConsentRecordDoc) -> list:
    s = STYLES
    block = [Paragraph("Signature" if doc.signature is not None else "How you gave consent", s["h1"])]
    if doc.signature is not None:
        sig = signature_drawing(doc.signature)
        frame = Table([[sig]], colWidths=[sig.width + 8 * mm], rowHeights=[sig.height + 6 * mm], hAlign="LEFT")
        frame.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, ACCENT), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BACKGROUND", (0, 0), (-1, -1), colors.white)]))
        block += [frame, Spacer(1, 2 * mm),
                  Paragraph(f"Signed on screen by <b>{text(doc.signed_name or doc.given_by_name)}</b> on "
                            f"{uk_date(doc.given_on)}.", s["body"])]
    else:
        how = doc.method[0].lower() + doc.method[1:] if doc.method else ""
        name = doc.signed_name or doc.given_by_name
        block.append(Paragraph(f"Consent given by <b>{text(name)}</b> on {uk_date(doc.given_on)} ({text(how)}), "
                               f"and recorded by {text(doc.recorded_by)}. No signature was taken on screen.",
                               s["body"]))
    return block


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

