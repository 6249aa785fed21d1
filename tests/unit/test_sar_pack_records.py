"""A SAR pack's records: every word reaches the page, in order, a record longer than a page
runs on to the next, and a redacted phrase is boxed in labels and titles as well as in
values."""

import io
from datetime import date

from pypdf import PdfReader

from app.pdf import sar_pack_pdf


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _content(items: list[dict], withheld=()) -> dict:
    return {"service": "Northshire SENDIASS", "reference": "SAR-2026-0001", "requester_kind": "subject",
            "requester_name": "Alex Example", "subject_name": "Alex Example", "received_on": "2026-01-05",
            "generated_at": "2026-01-20T10:00:00+00:00", "item_count": len(items), "redaction_count": 0,
            "withheld": [{"t": t, "r": "third_party"} for t in withheld],
            "sections": [{"title": "Your case", "items": items}]}


def _note(n: int, body: str) -> dict:
    return {"title": f"Case CAS-2026-00001: Phone call note {n}",
            "fields": [{"label": "Date", "segments": [{"t": "05/01/2026"}]},
                       {"label": "Written by", "segments": [{"t": "Morgan Caseworker"}]},
                       {"label": "Note", "segments": [{"t": body}]}]}


def test_a_note_longer_than_a_page_runs_on_and_every_word_is_printed():
    words = [f"word{i:04d}" for i in range(1800)]  # about three pages of text in the value column
    pdf = sar_pack_pdf.render_pack(_content([_note(1, " ".join(words)), _note(2, "Short note after it.")]),
                                   date(2026, 1, 20))
    pages = _text(pdf)
    body = " ".join(pages)
    found = [w for w in body.split() if w.startswith("word")]
    assert found == words  # all of them, once each, in order
    first = next(i for i, p in enumerate(pages) if "word0000" in p)
    last = next(i for i, p in enumerate(pages) if "word1799" in p)
    assert last - first >= 2
    assert "Short note after it." in pages[last] or "Short note after it." in pages[last + 1]


def test_a_phrase_withheld_anywhere_is_boxed_in_titles_labels_and_values():
    item = {"title": "Shared with Priya Okafor (SENCo)",
            "fields": [{"label": "Okafor", "segments": [{"t": "Spoke to Priya  Okafor\nabout the plan."}]},
                       {"label": "Date", "segments": [{"t": "05/01/2026"}]}]}
    pdf = sar_pack_pdf.render_pack(_content([item], withheld=["Priya Okafor", "Okafor"]), date(2026, 1, 20))
    whole = "\n".join(_text(pdf))
    assert "Okafor" not in whole and "Priya" not in whole
    assert whole.count("Redacted:") >= 3  # title, label (wrapped in its narrow column) and value
    assert "05/01/2026" in whole and "about the plan." in whole
