"""The SAR response pack: cover letter, the supplementary information the law requires, a
contents page, then the data in readable sections. Redactions are solid black boxes that
name their reason.

Every string that reaches the PDF (letter, headings, item titles, labels, values, footer,
file metadata) goes through one function, `_markup` (`_piece` for a record's cells, which
calls it, and `_plain` for the footer and the metadata), which applies app.domain.redaction
with the pack's withheld phrases. So words a reviewer redacted in one field are hidden
wherever else they appear. Never build a Paragraph or a string for the canvas any other way
in this module.
"""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, PageBreak, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

from app.domain import redaction
from app.domain.text import uk_date
from app.pdf.common import CONTENT_WIDTH, PAPER, RULE, STYLES, build, text
from app.pdf.record_block import PAD_LEFT, PAD_RIGHT, Line, RecordBlock
from app.resources import wording

REASONS = {"third_party": "third-party information", "serious_harm": "risk of serious harm",
           "legal_privilege": "legal privilege", "other": "exempt information"}


class Cancelled(Exception):
    """The user stopped the pack being made."""


def _phrases(content: dict) -> list[redaction.Phrase]:
    return [redaction.Phrase(w["t"], w["r"]) for w in content.get("withheld", [])]


def _markup(value, phrases: list[redaction.Phrase], tally: list | None = None, *, redacted=None) -> str:
    """The choke point: a str or segments, redacted, as Paragraph markup. `tally` counts
    the boxes placed (a name marked once may be hidden in several places). `redacted`:
    the segments redaction.apply already made of `value` (see _piece)."""
    parts = []
    for seg in redaction.apply(value, phrases) if redacted is None else redacted:
        if "t" in seg:
            parts.append(text(seg["t"]).replace("\n", "<br/>"))
        else:
            if tally is not None:
                tally.append(seg["r"])
            label = REASONS.get(seg["r"], "exempt information")
            parts.append(f'<font backColor="#000000" color="#ffffff">&nbsp;[Redacted: {label}]&nbsp;</font>')
    return "".join(parts)


def _piece(value, style, width: float, phrases: list[redaction.Phrase], tally: list):
    """A record's cell: a Line when the redacted text is plain and fits on one line (no
    markup to parse), else a Paragraph of _markup."""
    segments = redaction.apply(value, phrases)
    if all("t" in seg for seg in segments):
        raw = "".join(seg["t"] for seg in segments)
        flat = " ".join(raw.split())  # as a Paragraph collapses spaces
        if "\n" not in raw and Line.fits(flat, style, width):
            return Line(flat, style)
    return Paragraph(_markup(value, phrases, tally, redacted=segments), style)


def _plain(value: str, phrases: list[redaction.Phrase]) -> str:
    return redaction.plain(value, phrases)


def _letter(content: dict, generated: date, phrases: list) -> list:
    about = "you" if content["requester_kind"] == "subject" else content["subject_name"]
    values = {"requester_name": content["requester_name"], "reference": content["reference"],
              "received_on": uk_date(content["received_on"]), "service": content["service"],
              "about": about, "about_short": "you" if about == "you" else "them",
              "signatory": "Service Manager"}
    _, template = wording.current("sar_cover_letter")
    story = [Paragraph(_markup(content["service"], phrases), STYLES["title"]),
             Paragraph(_markup(f"{generated:%d %B %Y}", phrases), STYLES["subtitle"]), Spacer(1, 4 * mm)]
    for para in template.format(**values).split("\n\n"):
        style = STYLES["h2"] if para.startswith("Your request for personal information") else STYLES["body"]
        story.append(Paragraph(_markup(para, phrases), style))
    return story + [PageBreak()]


def _supplementary(content: dict, phrases: list) -> list:
    _, body = wording.current("sar_supplementary")
    story = [Paragraph(_markup("About this pack and your rights", phrases), STYLES["h1"])]
    blocks = body.split("\n\n")
    if "transfers" in content:  # packs made before transfers were stated have no such block
        blocks.insert(3, "## Transfers outside the UK\n" + content["transfers"])
    for block in blocks:
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("## "):
            story.append(Paragraph(_markup(lines[0][3:], phrases), STYLES["h2"]))
            lines = lines[1:]
        if lines:
            story.append(Paragraph(_markup(" ".join(lines), phrases), STYLES["body"]))
    return story + [PageBreak()]


LABEL_WIDTH = 38 * mm
_TITLE_W = CONTENT_WIDTH - PAD_LEFT - PAD_RIGHT
_LABEL_W = LABEL_WIDTH - PAD_LEFT - PAD_RIGHT
_VALUE_W = CONTENT_WIDTH - LABEL_WIDTH - PAD_LEFT - PAD_RIGHT


def _item(item: dict, phrases: list, tally: list) -> RecordBlock:
    title = _piece(item["title"], STYLES["h2"], _TITLE_W, phrases, tally)
    rows = [(_piece(fld["label"], STYLES["label"], _LABEL_W, phrases, tally),
             _piece(fld["segments"], STYLES["value"], _VALUE_W, phrases, tally)) for fld in item["fields"]]
    return RecordBlock(title, rows, LABEL_WIDTH, PAPER, RULE)


def render_pack(content: dict, generated: date, progress=None, cancelled=None) -> bytes:
    """May raise: Cancelled (when `cancelled()` turns true during layout)."""
    phrases = _phrases(content)
    story = _letter(content, generated, phrases) + _supplementary(content, phrases)
    toc = TableOfContents()
    toc.levelStyles = [STYLES["body"]]
    story += [Paragraph(_markup("Contents", phrases), STYLES["h2"].clone("contents_heading")), toc, PageBreak()]
    total = sum(len(s["items"]) for s in content["sections"]) or 1
    tally: list = []
    for section in content["sections"]:
        items = [_item(i, phrases, tally) for i in section["items"]]
        heading = Paragraph(_markup(section["title"], phrases), STYLES["h1"])
        # A section heading never stands alone at the foot of a page. (Not KeepTogether: the
        # contents page would lose the heading.)
        story += [CondPageBreak(45 * mm), heading, *items]
        story.append(Spacer(1, 4 * mm))
    records = content["item_count"]
    story.append(Paragraph(_markup(f"End of the pack: {records} record{'' if records == 1 else 's'}, "
                                   f"{len(tally)} hidden part{'' if len(tally) == 1 else 's'}.", phrases),
                           STYLES["note"]))
    placed = {"n": 0, "pass": 0}

    def on_flowable(_flowable):
        placed["n"] += 1
        if cancelled and cancelled():
            raise Cancelled()
        if progress and placed["n"] % 50 == 0:
            progress(min(95, 72 + int(20 * placed["n"] / (2 * total + 40))), "Laying out the pages")

    return build(story, title=_plain(f"Response to subject access request {content['reference']}", phrases),
                 footer=_plain(f"{content['reference']} · {content['service']} · confidential", phrases),
                 contents=True, on_flowable=on_flowable)


