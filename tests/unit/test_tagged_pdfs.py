"""The documents a family reads are tagged PDFs (PDF/UA-1), checked as written to disk
(encrypted, AES-256 R6) by opening them with pikepdf and reading them with pdftotext:

- a structure tree with headings (H1 first, none skipped), tables with header cells, lists,
  and a Figure with alternative text for the signature;
- the language en-GB, a title shown as the window title, marked content;
- the text in reading order, as pdftotext gives it, is the record's text in the record's order.

Every template in resources/typst/ (other than the shared common.typ) must have a kind here:
a new tagged document (a letter) cannot skip these checks."""

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import date

import pikepdf
import pytest

from app import resources
from app.domain.signature import signature_alt
from app.pdf import sar_pack_pdf
from app.services.consent import export as consent_export
from app.services.consent import records as consent
from app.services.consent.wording import paragraphs
from app.services.documents import documents as docs
from app.services.documents import letters
from app.services.sar import pack as sar_pack
from app.services.sar import review as sar_review
from tests.unit.consent_helpers import TODAY, family_case, share_with, signed
from tests.unit.test_sar import _complete, _request, _setup

PASSWORD = "family-copy-pass-2"


def _structure(pdf: pikepdf.Pdf) -> tuple[Counter, list[str], list[tuple[str, str]]]:
    """(count of each structure type, the heading types in reading order, (type, alt) pairs)."""
    counts, headings, alts = Counter(), [], []

    def walk(node):
        if isinstance(node, pikepdf.Dictionary):
            kind = str(node.get("/S", ""))
            if kind:
                counts[kind] += 1
                if re.fullmatch(r"/H\d", kind):
                    headings.append(kind)
                if "/Alt" in node:
                    alts.append((kind, str(node.Alt)))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return counts, headings, alts


def _reading_order(path, password: str) -> str:
    out = subprocess.run(["pdftotext", "-upw", password, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return " ".join(out.split())


def _in_order(text: str, expected: list[str]) -> list[str]:
    """The expected pieces that are missing or out of order (empty when all follow each other)."""
    problems, at = [], 0
    for piece in expected:
        piece = " ".join(piece.split())
        found = text.find(piece, at)
        if found < 0:
            problems.append(piece if piece not in text else f"out of order: {piece}")
        else:
            at = found + len(piece)
    return problems


def _common_checks(path, password: str, title: str, encrypted: bool = True
                   ) -> tuple[Counter, list[str], list[tuple[str, str]]]:
    with pikepdf.open(path, password=password) as pdf:
        if encrypted:
            assert pdf.encryption.R == 6 and pdf.encryption.stream_method.name == "aesv3"
        assert pdf.allow.accessibility and pdf.allow.extract  # a screen reader may read it once open
        assert str(pdf.Root.Lang) == "en-GB"
        assert bool(pdf.Root.MarkInfo.Marked) is True
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == title
        with pdf.open_metadata() as meta:
            assert meta.get("dc:title") == title
            assert meta.get("pdfuaid:part") == "1"
        counts, headings, alts = _structure(pdf)
    assert headings and headings[0] == "/H1"
    levels = [int(h[2]) for h in headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), "a heading level is skipped"
    return counts, headings, alts


def _consent_record(session, tmp_path):
    fam = family_case(session)
    made = signed(session, fam, share_with(fam.senco, purpose="to plan support at school"),
                  consent.ScopeItem("voicemail"))
    path = tmp_path / "consent-record.pdf"
    consent_export.export_consent_record(session, made[0].id, path, PASSWORD, today=TODAY)
    return path, made


def check_consent_record(session, tmp_path):
    path, made = _consent_record(session, tmp_path)
    counts, _headings, alts = _common_checks(path, PASSWORD, "Consent record")
    assert counts["/Table"] >= 1 and counts["/TH"] >= 2  # the details, with their header row
    assert counts["/L"] >= 2 and counts["/LI"] >= 4  # each item's facts
    alt = signature_alt("Dana Hartley", TODAY.isoformat())
    assert ("/Figure", alt) in alts
    text = _reading_order(path, PASSWORD)
    expected = ["Your consent record", "About", "Ellie Hartley", "Given by", "Dana Hartley (parent or carer",
                "What you agreed to", "1. Share information with"]
    expected += paragraphs(made[0].wording_text) + ["For: to plan support at school", "Review date: 25/11/2027",
                                                    "2. "] + paragraphs(made[1].wording_text)
    expected += ["Signature", "Signed on screen by Dana Hartley on 25/11/2026", "Changing your mind"]
    assert _in_order(text, expected) == []


def check_sar_pack(session, tmp_path):
    parent, _kid, _other, _case = _setup(session)
    request = _request(session, parent)
    review = sar_review.load_review(session, request.id)
    sar_review.accept_suggestions(session, request.id, review)
    _complete(session, request)
    out = tmp_path / "pack.pdf"
    sar_pack.generate_pack(session, request.id, out, password="open-sesame-2026", today=TODAY)
    title = f"Response to subject access request {request.reference}"
    counts, headings, _alts = _common_checks(out, "open-sesame-2026", title)
    assert counts["/TOC"] == 1 and counts["/TOCI"] >= 2  # the contents, as a real outline
    assert headings.count("/H1") >= 4  # the letter, the rights, the contents' sections
    assert counts["/Table"] >= 1 and counts["/TH"] >= 2  # the summary of what the pack holds
    assert counts["/L"] >= 1 and counts["/LI"] >= 3  # each record's details
    # Reading order: every record's title, then its labels and values, section by section.
    row = session.conn.execute("SELECT content FROM sar_disclosure WHERE sar_id = ?", (request.id,)).fetchone()
    data = sar_pack_pdf.pack_data(json.loads(row["content"]), TODAY)

    def words(segments) -> str:
        return "".join(s["t"] if "t" in s else f"[Redacted: {sar_pack_pdf.REASONS[s['r']]}]" for s in segments)

    expected = [words(p["text"]) for p in data["letter"]][:3] + ["About this pack and your rights", "Contents"]
    for section in data["sections"]:
        expected.append(words(section["title"]))
        for item in section["items"]:
            expected.append(words(item["title"]))
            for field in item["fields"]:
                expected += [words(field["label"]), words(field["segments"])]
    expected.append(words(data["end"]))
    assert _in_order(_reading_order(out, "open-sesame-2026"), expected) == []


def _advice_letter(session):
    fam = family_case(session)
    draft = letters.draft_letter(session, fam.case.id, "summary_of_advice", today=TODAY)
    body = (draft.text.replace("[the question]", "Whether the school must hold an annual review.")
            .replace("[the advice]", "It must, within twelve months of the plan.\nWe gave you the timetable.")
            .replace("[the next steps, and who does them]", "You will write to the school."))
    return fam, letters.send_letter(session, draft, body, today=TODAY), body


def check_letter(session, tmp_path):
    """A letter is kept inside the vault (encrypted with the database, docs/documents.md), so it
    is checked as kept; it leaves encrypted only inside a SAR pack (check_sar_pack)."""
    fam, sent, body = _advice_letter(session)
    path = tmp_path / "letter.pdf"
    path.write_bytes(bytes(docs.read_for_viewing(session, sent.document.id)[1]))
    counts, headings, _alts = _common_checks(path, "", "Letter: Summary of advice given", encrypted=False)
    assert counts["/Title"] == 1  # the letterhead: the service's name
    assert headings == ["/H1", "/H2", "/H2", "/H2"]  # the subject line, then the three parts of the advice
    with pikepdf.open(path) as pdf:
        assert not pdf.is_encrypted
        assert "/Font" in pdf.pages[0].Resources  # real text, not pictures of text
    text = _reading_order(path, "")
    name = f"{fam.parent.first_name} {fam.parent.last_name}"
    expected = [session.vault.service_name, "Private and confidential", name, "25 November 2026",
                f"Our reference: {fam.case.reference}"]
    expected += [line for line in body.splitlines() if line.strip()]
    assert _in_order(text, expected) == []
    assert "Summary of our advice" in text.split("Dear")[1]  # the subject line after the greeting


KINDS = {"consent_record": check_consent_record, "letter": check_letter, "sar_pack": check_sar_pack}


def test_every_tagged_template_has_its_checks():
    templates = {p.stem for p in resources.path("typst").glob("*.typ")} - {"common"}
    assert templates == set(KINDS)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_is_tagged_in_english_with_alt_text_and_reads_in_order(kind, session, tmp_path):
    KINDS[kind](session, tmp_path)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_a_letter_leaves_encrypted_inside_a_sar_pack_without_pointing_into_the_pack_s_tags(session, tmp_path):
    parent, _kid, _other, case = _setup(session)
    draft = letters.draft_letter(session, case.id, "case_closure", today=TODAY)
    letters.send_letter(session, draft, draft.text.replace("[the reason]", "your question was answered"), today=TODAY)
    request = _request(session, parent)
    sar_review.accept_suggestions(session, request.id, sar_review.load_review(session, request.id))
    _complete(session, request)
    out = tmp_path / "pack.pdf"
    sar_pack.generate_pack(session, request.id, out, password="open-sesame-2026", today=TODAY)
    with pikepdf.open(out, password="open-sesame-2026") as pdf:
        assert pdf.encryption.R == 6 and pdf.encryption.stream_method.name == "aesv3"
        # The letter's pages come from a tagged file of their own: they must not point into the
        # pack's structure tree, or a screen reader would read them as the pack's first pages.
        assert "/StructParents" not in pdf.pages[-1].obj
    text = _reading_order(out, "open-sesame-2026")
    assert _in_order(text.split("Closing our work with you")[0][-400:] + text[text.rfind("Closing our work"):],
                     ["Dear Dana Hartley,", "Closing our work with you", "your question was answered",
                      "Yours sincerely,"]) == []


def test_a_family_s_words_are_printed_as_text_never_run_as_markup(session, tmp_path):
    """A note holding Typst's own syntax prints as those characters."""
    tricky = '#panic("x") *bold* [link] $x$ = heading \\ @ref <label> // comment'
    content = {"service": "Northshire SENDIASS", "reference": "SAR-2026-0009", "requester_kind": "subject",
               "requester_name": "Alex Example", "subject_name": "Alex Example", "received_on": "2026-01-05",
               "generated_at": "2026-01-20T10:00:00+00:00", "item_count": 1, "redaction_count": 0, "withheld": [],
               "sections": [{"title": "Your case", "items": [
                   {"title": "Note", "fields": [{"label": "Note", "segments": [{"t": tricky}]}]}]}]}
    path = tmp_path / "tricky.pdf"
    path.write_bytes(sar_pack_pdf.render_pack(content, date(2026, 1, 20)))
    assert tricky in _reading_order(path, "")
