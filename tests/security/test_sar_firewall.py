"""Attack: the young person's own case must not reach a parent's subject access pack.

The scenario of the issue: a parent with parental responsibility and their 17-year-old, the
young person's own case worked by another caseworker, no agreement. A reviewer who includes
everything they are allowed to include still produces a pack with no byte of the young
person's case: checked in the decrypted, decompressed PDF (pypdf, then qpdf --qdf
--object-streams=disable), in its extracted text, and in the content kept to regenerate it."""

import io
import json
import shutil
import subprocess

import pytest
from pypdf import PdfReader, PdfWriter

from app.errors import ValidationError
from app.services.sar import gather as sar_gather
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from tests.security.firewall_world import CANARIES, PARENT_NOTE, TODAY, build

PASSWORD = "open-sesame-2026"
QPDF = shutil.which("qpdf")
PDFTOTEXT = shutil.which("pdftotext")


def _include_everything_allowed(session, request) -> list[str]:
    """A careless reviewer: every item that needs a decision is included, if the service lets it."""
    refused = []
    for item in sar_review.load_review(session, request.id).items:
        if not item.needs_decision:
            continue
        try:
            sar_review.decide(session, request.id, item.key, True)
        except ValidationError as exc:
            assert "young person's own record" in str(exc)
            refused.append(item.key)
            sar_review.decide(session, request.id, item.key, False, "Needs the young person's agreement")
    return refused


def _opened(pdf: bytes, tmp_path, name: str) -> tuple[bytes, str]:
    """The pack decrypted and decompressed, and its text."""
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted and reader.decrypt(PASSWORD) != 0
    writer = PdfWriter(clone_from=reader)
    plain = tmp_path / f"{name}-plain.pdf"
    with open(plain, "wb") as handle:
        writer.write(handle)
    loose = tmp_path / f"{name}-qdf.pdf"
    subprocess.run([QPDF, "--qdf", "--object-streams=disable", str(plain), str(loose)], check=True)
    text = subprocess.run([PDFTOTEXT, "-layout", str(loose), "-"], check=True, capture_output=True,
                          text=True).stdout
    text += "\n".join(page.extract_text() for page in reader.pages)
    return loose.read_bytes() + plain.read_bytes(), text


def _leaks(data: bytes, text: str, stored: str) -> list[str]:
    found = []
    for kind, word in CANARIES.items():
        for where, haystack in (("pdf bytes", data.lower()), ("pdf text", text.lower().encode()),
                                ("stored content", stored.lower().encode())):
            for needle in (word.lower().encode("utf-8"), word.lower().encode("utf-16-be")):
                if needle in haystack:
                    found.append(f"{kind} in {where}")
    return sorted(set(found))


@pytest.mark.skipif(not (QPDF and PDFTOTEXT), reason="needs qpdf and pdftotext")
def test_parents_pack_about_their_17_year_old_holds_nothing_of_the_young_persons_case(session, data_dir,
                                                                                       tmp_path):
    w = build(session, data_dir)
    # The request itself is allowed by a manager's decision (Ellie is 17): that is not Ellie's
    # agreement to share her own case, which stays behind the firewall.
    request = sar.register(session, "2026-11-02", w.yp.id, "parent", requester_id=w.parent.id,
                           authority_note="Mother with parental responsibility",
                           identity_method="Known to us", identity_received_on="2026-11-02", today=TODAY,
                           child_authority="manager_decision",
                           child_authority_note="Ellie lacks capacity to decide about this request")
    keys = {i.key for i in sar_review.load_review(session, request.id).items}
    for kind, record_id in w.firewalled_ids().items():
        assert f"{kind}:{record_id}" not in keys
    _include_everything_allowed(session, request)
    sar_review.complete_review(session, request.id)
    out = tmp_path / "parent-pack.pdf"
    sar_pack.generate_pack(session, request.id, out, password=PASSWORD, today=TODAY)
    data, text = _opened(out.read_bytes(), tmp_path, "parent")
    stored = session.conn.execute("SELECT content FROM sar_disclosure WHERE sar_id = ?", (request.id,)).fetchone()[0]
    assert PARENT_NOTE in text and PARENT_NOTE in stored  # the scan finds what is really there
    assert _leaks(data, text, stored) == []

    # With the young person's recorded agreement the same pack does carry their case.
    sar.record_young_person_agreement(session, request.id, True)
    agreed = {i.key for i in sar_review.load_review(session, request.id).items}
    assert f"case:{w.own_case.id}" in agreed and f"enquiry:{w.yp_enquiry.id}" in agreed
    assert f"consent:{w.consent.id}" in agreed


@pytest.mark.skipif(not (QPDF and PDFTOTEXT), reason="needs qpdf and pdftotext")
def test_parents_own_pack_shows_a_mention_as_the_young_persons_own_record_and_never_includes_it(
        session, data_dir, tmp_path):
    w = build(session, data_dir)
    request = sar.register(session, "2026-11-02", w.parent.id, "subject", identity_method="Passport",
                           identity_received_on="2026-11-02", today=TODAY)
    items = sar_review.load_review(session, request.id).items
    own = [i for i in items if sar_gather.is_own_record(i.key)]
    assert [i.key for i in own] == [f"{sar_gather.OWN_RECORD}:{w.note.id}"]
    assert own[0].firewalled and not own[0].included and own[0].needs_decision
    assert "young person's own record: needs their agreement" in own[0].advice.lower()
    assert "another family" not in own[0].advice and not any(i.key == f"mention:{w.note.id}" for i in items)
    assert _include_everything_allowed(session, request) == [own[0].key]

    # Even a decision written past the service would not put it in the pack.
    session.conn.execute("UPDATE sar_decision SET included = 1 WHERE item_key = ?", (own[0].key,))
    sar_review.complete_review(session, request.id)
    out = tmp_path / "own-pack.pdf"
    sar_pack.generate_pack(session, request.id, out, password=PASSWORD, today=TODAY)
    data, text = _opened(out.read_bytes(), tmp_path, "own")
    stored = session.conn.execute("SELECT content FROM sar_disclosure WHERE sar_id = ?", (request.id,)).fetchone()[0]
    assert PARENT_NOTE in text
    assert _leaks(data, text, stored) == []
    assert w.note.id not in json.dumps(json.loads(stored))
