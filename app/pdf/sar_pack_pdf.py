"""The SAR response pack: cover letter, the supplementary information the law requires, a
contents page, then the data in readable sections. Redactions are solid black boxes that
name their reason. A tagged PDF (PDF/UA-1, app/pdf/tagged.py, resources/typst/sar_pack.typ):
headings for the letter, the rights and each section and record, each record a table with a
header row, the contents as a real outline, en-GB, read in order by a screen reader.

Every string that reaches the PDF (letter, headings, item titles, labels, values, footer,
file metadata) goes through one function, `_seg` (`_plain` for the footer and the metadata),
which applies app.domain.redaction with the pack's withheld phrases. So words a reviewer
redacted in one field are hidden wherever else they appear. Never hand the template a string
any other way in this module.
"""

from datetime import UTC, date, datetime

from app.domain import redaction
from app.domain.text import uk_date
from app.pdf import tagged
from app.resources import wording

REASONS = {"third_party": "third-party information", "serious_harm": "risk of serious harm",
           "legal_privilege": "legal privilege", "other": "exempt information"}
LETTER_HEADING = "Your request for personal information"


class Cancelled(Exception):
    """The user stopped the pack being made."""


def _phrases(content: dict) -> list[redaction.Phrase]:
    return [redaction.Phrase(w["t"], w["r"]) for w in content.get("withheld", [])]


def _seg(value, phrases: list[redaction.Phrase], tally: list | None = None) -> list[dict]:
    """The choke point: a str or segments, redacted, as segments for the template. `tally`
    counts the boxes placed (a name marked once may be hidden in several places)."""
    segments = redaction.apply(value, phrases)
    if tally is not None:
        tally += [s["r"] for s in segments if "r" in s]
    return [s if "r" not in s else {"r": s["r"] if s["r"] in REASONS else "other"} for s in segments]


def _plain(value: str, phrases: list[redaction.Phrase]) -> str:
    return redaction.plain(value, phrases)


def _letter(content: dict, phrases: list) -> list[dict]:
    about = "you" if content["requester_kind"] == "subject" else content["subject_name"]
    values = {"requester_name": content["requester_name"], "reference": content["reference"],
              "received_on": uk_date(content["received_on"]), "service": content["service"],
              "about": about, "about_short": "you" if about == "you" else "them",
              "signatory": "Service Manager"}
    _, template = wording.current("sar_cover_letter")
    return [{"heading": para.startswith(LETTER_HEADING), "text": _seg(para, phrases)}
            for para in template.format(**values).split("\n\n")]


def _rights(content: dict, phrases: list) -> list[dict]:
    _, body = wording.current("sar_supplementary")
    blocks = body.split("\n\n")
    if "transfers" in content:  # packs made before transfers were stated have no such block
        blocks.insert(3, "## Transfers outside the UK\n" + content["transfers"])
    out = []
    for block in blocks:
        lines = block.strip().splitlines()
        if lines and lines[0].startswith("## "):
            out.append({"heading": True, "text": _seg(lines[0][3:], phrases)})
            lines = lines[1:]
        if lines:
            out.append({"heading": False, "text": _seg(" ".join(lines), phrases)})
    return out


def pack_data(content: dict, generated: date) -> dict:
    """What the template prints, every string redacted: also what the structure test reads
    the PDF's text against."""
    phrases = _phrases(content)
    tally: list = []
    sections = [{"title": _seg(section["title"], phrases),
                 "items": [{"title": _seg(item["title"], phrases, tally),
                            "fields": [{"label": _seg(f["label"], phrases, tally),
                                        "segments": _seg(f["segments"], phrases, tally)}
                                       for f in item["fields"]]}
                           for item in section["items"]]}
                for section in content["sections"]]
    records = content["item_count"]
    hidden = len(tally)
    return {
        "title": _plain(f"Response to subject access request {content['reference']}", phrases),
        "footer": _plain(f"{content['reference']} · {content['service']} · confidential", phrases),
        "service": _plain(content["service"], phrases),
        "generated": _plain(f"{generated:%d %B %Y}", phrases),
        "letter": _letter(content, phrases),
        "rights_title": _seg("About this pack and your rights", phrases),
        "rights": _rights(content, phrases),
        "summary_head": ["Section", "Records"],
        "summary": [[section["title"], len(section["items"])] for section in sections],
        "sections": sections,
        "end": _seg(f"End of the records: {records} record{'' if records == 1 else 's'}, "
                    f"{hidden} hidden part{'' if hidden == 1 else 's'}."
                    + (" The pages of the PDFs and pictures listed under “Documents and letters” follow, each after "
                       "a page naming it." if content.get("documents") else ""), phrases),
    }


def render_pack(content: dict, generated: date, progress=None, cancelled=None) -> bytes:
    """May raise: Cancelled (when `cancelled()` is true before or after the layout; Typst lays
    out the pack in one call, which cannot be stopped half-way), tagged.PdfLayoutError."""
    if cancelled and cancelled():
        raise Cancelled()
    data = pack_data(content, generated)
    if progress:
        progress(75, "Laying out the pages")
    pdf = tagged.render("sar_pack", data, when=datetime(generated.year, generated.month, generated.day,
                                                        tzinfo=UTC))
    if progress:
        progress(94, "Laid out")
    if cancelled and cancelled():
        raise Cancelled()
    return pdf
