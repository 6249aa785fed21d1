"""The SAR response pack: cover letter, the supplementary information the law requires, a
contents page, then the data in readable sections. Redactions are solid black boxes that
name their reason; the hidden words are never given to the PDF at all (they are not in the
content this module receives)."""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from app.domain.text import uk_date
from app.pdf.common import CONTENT_WIDTH, PAPER, RULE, STYLES, build, text
from app.services import wording

REASONS = {"third_party": "third-party information", "serious_harm": "risk of serious harm",
           "legal_privilege": "legal privilege", "other": "exempt information"}


class Cancelled(Exception):
    """The user stopped the pack being made."""


def _segments_markup(segments: list[dict]) -> str:
    parts = []
    for seg in segments:
        if "t" in seg:
            parts.append(text(seg["t"]).replace("\n", "<br/>"))
        else:
            label = REASONS.get(seg["r"], "exempt information")
            parts.append(f'<font backColor="#000000" color="#ffffff">&nbsp;[Redacted: {label}]&nbsp;</font>')
    return "".join(parts)


def _letter(content: dict, generated: date) -> list:
    about = "you" if content["requester_kind"] == "subject" else content["subject_name"]
    values = {"requester_name": content["requester_name"], "reference": content["reference"],
              "received_on": uk_date(content["received_on"]), "service": content["service"],
              "about": about, "about_short": "you" if about == "you" else "them",
              "signatory": "Service Manager"}
    _, template = wording.current("sar_cover_letter")
    story = [Paragraph(text(content["service"]), STYLES["title"]),
             Paragraph(f"{generated:%d %B %Y}", STYLES["subtitle"]), Spacer(1, 4 * mm)]
    for para in template.format(**values).split("\n\n"):
        style = STYLES["h2"] if para.startswith("Your request for personal information") else STYLES["body"]
        story.append(Paragraph(text(para).replace("\n", "<br/>"), style))
    return story + [PageBreak()]


def _supplementary() -> list:
    _, body = wording.current("sar_supplementary")
    story = [Paragraph("About this pack and your rights", STYLES["h1"])]
    for block in body.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("## "):
            story.append(Paragraph(text(lines[0][3:]), STYLES["h2"]))
            lines = lines[1:]
        if lines:
            story.append(Paragraph(text(" ".join(lines)), STYLES["body"]))
    return story + [PageBreak()]


def _item(item: dict) -> KeepTogether | Table:
    rows = [[Paragraph(text(item["title"]), STYLES["h2"]), ""]]
    for fld in item["fields"]:
        rows.append([Paragraph(text(fld["label"]), STYLES["label"]),
                     Paragraph(_segments_markup(fld["segments"]), STYLES["value"])])
    table = Table(rows, colWidths=[38 * mm, CONTENT_WIDTH - 38 * mm], splitByRow=True)
    table.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, -1), (-1, -1), 0.4, RULE),
                               ("BACKGROUND", (0, 0), (-1, 0), PAPER),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2)]))
    return table


def render_pack(content: dict, generated: date, progress=None, cancelled=None) -> bytes:
    """May raise: Cancelled (when `cancelled()` turns true during layout)."""
    story = _letter(content, generated) + _supplementary()
    toc = TableOfContents()
    toc.levelStyles = [STYLES["body"]]
    story += [Paragraph("Contents", STYLES["h2"].clone("contents_heading")), toc, PageBreak()]
    total = sum(len(s["items"]) for s in content["sections"]) or 1
    for section in content["sections"]:
        story.append(Paragraph(text(section["title"]), STYLES["h1"]))
        story += [_item(i) for i in section["items"]]
        story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"End of the pack: {content['item_count']} records, {content['redaction_count']} "
                           "redactions.", STYLES["note"]))
    placed = {"n": 0, "pass": 0}

    def on_flowable(_flowable):
        placed["n"] += 1
        if cancelled and cancelled():
            raise Cancelled()
        if progress and placed["n"] % 50 == 0:
            progress(min(95, 72 + int(20 * placed["n"] / (2 * total + 40))), "Laying out the pages")

    return build(story, title=f"Response to subject access request {content['reference']}",
                 footer=f"{content['reference']} · {content['service']} · confidential", contents=True,
                 on_flowable=on_flowable)


