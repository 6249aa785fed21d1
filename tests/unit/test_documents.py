"""Documents on a case or a person: stored in chunks inside the vault, with the R6 records
request a professional's document came under (consent or override), and read back whole."""

import hashlib
import io
import os
from datetime import date

import pytest

from app.domain.documents import CHUNK_BYTES
from app.errors import ConsentMissing, ValidationError
from app.services import settings_change
from app.services.casework import notes, search
from app.services.consent import disclosures
from app.services.consent import records as consent
from app.services.consent.disclosures import DisclosureInput
from app.services.documents import documents as docs
from app.services.documents import text as found_text
from app.services.documents.documents import DocumentInput
from tests.unit.consent_helpers import TODAY, family_case, signed
from tests.unit.document_helpers import pdf_bytes, png_bytes


def report_input(fam, **overrides) -> DocumentInput:
    values = dict(title="EP report, autumn term", kind="report", document_date="2026-11-20",
                  source="Sam Patel, educational psychologist", file_name="ep-report.pdf", case_id=fam.case.id)
    values.update(overrides)
    return DocumentInput(**values)


def test_a_document_is_kept_in_chunks_and_read_back_exactly(session):
    fam = family_case(session)
    data = pdf_bytes("Report") + os.urandom(CHUNK_BYTES * 2 + 123)   # a PDF with a tail: 3+ chunks
    added = docs.add_document(session, report_input(fam), io.BytesIO(data), today=TODAY)
    assert added.size == len(data) and added.sha256 == hashlib.sha256(data).hexdigest()
    assert added.chunk_count == 3
    sizes = [r[0] for r in session.conn.execute(
        "SELECT length(data) FROM document_chunk WHERE document_id = ? ORDER BY seq", (added.id,))]
    assert max(sizes) <= CHUNK_BYTES and sum(sizes) == len(data)
    shown, held = docs.read_for_viewing(session, added.id)
    assert bytes(held) == data and shown.title == "EP report, autumn term"
    assert [d.id for d in docs.documents_for_case(session, fam.case.id)] == [added.id]
    actions = [r[0] for r in session.conn.execute("SELECT action FROM audit_event WHERE object_id = ?", (added.id,))]
    assert actions == ["document_added", "document_viewed"]


def test_a_professionals_document_without_consent_is_refused_until_consent_or_override(session):
    fam = family_case(session)
    from_ep = report_input(fam, from_professional=True, counterparty_person_id=fam.ep.id)
    with pytest.raises(ConsentMissing, match="asking Sam Patel .* for records"):
        docs.add_document(session, from_ep, io.BytesIO(pdf_bytes()), today=TODAY)
    assert session.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 0
    assert session.conn.execute("SELECT count(*) FROM disclosure").fetchone()[0] == 0

    [given] = signed(session, fam, consent.ScopeItem("obtain_records", fam.ep.id))
    added = docs.add_document(session, from_ep, io.BytesIO(pdf_bytes()), today=TODAY)
    request = disclosures.get_disclosure(session, added.records_request_id)
    assert request.kind == "records_request" and request.consent_id == given.id
    assert added.basis.startswith("Records requested from Sam Patel") and "consent given on 25/11/2026" in added.basis


def test_a_professionals_document_under_an_override_shows_it(session):
    fam = family_case(session)
    added = docs.add_document(session, report_input(
        fam, from_professional=True, counterparty_person_id=fam.senco.id, lawful_reason="safeguarding",
        justification="School sent its exclusion record during a safeguarding referral."),
        io.BytesIO(pdf_bytes()), today=TODAY)
    assert "without consent" in added.basis and "safeguarding" in added.basis.lower()
    assert [d.id for d in disclosures.unreviewed_overrides(session)] == [added.records_request_id]


def test_a_document_can_name_the_records_request_it_answers(session):
    fam = family_case(session)
    signed(session, fam, consent.ScopeItem("obtain_records", fam.ep.id))
    request = disclosures.record_records_request(session, DisclosureInput(
        fam.case.id, "EP report", counterparty_person_id=fam.ep.id), today=TODAY)
    added = docs.add_document(session, report_input(fam, from_professional=True, records_request_id=request.id),
                              io.BytesIO(pdf_bytes()), today=TODAY)
    assert added.records_request_id == request.id
    assert session.conn.execute("SELECT count(*) FROM disclosure").fetchone()[0] == 1


def test_bad_files_are_refused_in_plain_words_and_nothing_is_kept(session):
    fam = family_case(session)
    with pytest.raises(ValidationError, match="not a kind of file Confide keeps"):
        docs.add_document(session, report_input(fam, file_name="run-me.exe"), io.BytesIO(b"MZ"), today=TODAY)
    with pytest.raises(ValidationError, match="does not look like"):
        docs.add_document(session, report_input(fam), io.BytesIO(b"not a pdf at all"), today=TODAY)
    with pytest.raises(ValidationError, match="empty"):
        docs.add_document(session, report_input(fam, file_name="notes.txt"), io.BytesIO(b""), today=TODAY)
    with pytest.raises(ValidationError, match="future"):
        docs.add_document(session, report_input(fam, document_date="2026-12-25"), io.BytesIO(pdf_bytes()),
                          today=TODAY)
    assert session.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 0
    assert session.conn.execute("SELECT count(*) FROM document_chunk").fetchone()[0] == 0


def test_a_person_can_hold_documents_and_only_pictures_and_pdfs_open_inside(session, tmp_path):
    fam = family_case(session)
    picture = docs.add_document(session, DocumentInput("Photo of the letter", "evidence", "2026-11-01", "Parent",
                                                       "letter.png", person_id=fam.parent.id),
                                io.BytesIO(png_bytes()), today=TODAY)
    word = docs.add_document(session, DocumentInput("Draft EHC plan", "ehc_plan", "2026-11-01", "Local authority",
                                                    "draft.docx", person_id=fam.parent.id),
                             io.BytesIO(b"PK\x03\x04 a word file"), today=TODAY)
    assert {d.id for d in docs.documents_for_person(session, fam.parent.id)} == {picture.id, word.id}
    assert docs.read_for_viewing(session, picture.id)[1].startswith(b"\x89PNG")
    with pytest.raises(ValidationError, match="Save a copy"):
        docs.read_for_viewing(session, word.id)
    out = tmp_path / "copy.docx"
    written = docs.save_copy(session, word.id, out)
    assert out.read_bytes() == b"PK\x03\x04 a word file" and oct(out.stat().st_mode & 0o777) == "0o600"
    assert not written.encrypted
    event = session.conn.execute("SELECT detail FROM audit_event WHERE action = 'export_written' "
                                 "ORDER BY seq DESC").fetchone()[0]
    assert "document_copy" in event and word.id in event and "draft" not in event.lower()


def _found(session, words: str) -> list[str]:
    return [h.ref_id for h in search.search(session, words) if h.kind == "document"]


def test_a_received_pdfs_words_are_searchable_unless_the_service_turned_it_off(session):
    # Failed before: only titles, sources and letters' text were searchable.
    fam = family_case(session)
    added = docs.add_document(session, report_input(fam), io.BytesIO(pdf_bytes(
        "Working memory assessment", "Recommends a dyscalculia screening")), today=TODAY)
    assert _found(session, "dyscalculia") == [added.id]
    settings_change.set_document_text_search(session, False)
    later = docs.add_document(session, report_input(fam, title="Second report"), io.BytesIO(pdf_bytes(
        "Recommends occupational therapy for handwriting")), today=TODAY)
    assert _found(session, "handwriting") == [] and _found(session, "Second report") == [later.id]


def test_documents_do_not_hide_newer_notes_from_a_search(session):
    # Failed before: documents were read with people and cases, ahead of every note, so at
    # 100,000 documents a common word's page of hits held documents only.
    fam = family_case(session)
    for day in (1, 2, 3):
        docs.add_document(session, report_input(fam, title=f"School report {day}", document_date=f"2026-11-0{day}"),
                          io.BytesIO(pdf_bytes("Attendance")), today=TODAY)
    note = notes.add_note(session, fam.case.id, "phone_call", date(2026, 11, 20), 10,
                          "Spoke to the school about transport.", today=TODAY)
    hits = search.search(session, "school", limit=3)
    found = [h.kind for h in hits]
    assert len(hits) == 3 and note.id in [h.ref_id for h in hits]
    assert found[found.index("note") + 1:] == ["document"] * (len(found) - found.index("note") - 1)


def test_only_the_first_pages_are_read_and_an_unreadable_pdf_is_kept(session):
    fam = family_case(session)
    long = docs.add_document(session, report_input(fam), io.BytesIO(pdf_bytes(
        "Sensory profile", pages=found_text.MAX_PAGES + 5)), today=TODAY)
    kept = session.conn.execute("SELECT found_text FROM document WHERE id = ?", (long.id,)).fetchone()[0]
    assert f"(page {found_text.MAX_PAGES})" in kept and f"(page {found_text.MAX_PAGES + 1})" not in kept
    broken = b"%PDF-1.4\n" + os.urandom(4000)
    odd = docs.add_document(session, report_input(fam, title="Scanned letter"), io.BytesIO(broken), today=TODAY)
    assert bytes(docs.read_for_viewing(session, odd.id)[1]) == broken
    assert _found(session, "Scanned letter") == [odd.id]


def test_a_large_pdf_is_kept_without_reading_its_words(session, monkeypatch):
    # Reading a large scan's words held its image whole in memory: past the limit they are not read.
    fam = family_case(session)
    monkeypatch.setattr(found_text, "MAX_FILE_BYTES", 3000)
    data = pdf_bytes("Attendance record for the autumn term") + b"%" * 4000
    added = docs.add_document(session, report_input(fam), io.BytesIO(data), today=TODAY)
    assert bytes(docs.read_for_viewing(session, added.id)[1]) == data
    assert _found(session, "attendance") == []


def test_many_documents_at_once_are_each_written_as_one_is_and_saved_all_or_none(session):
    # add_documents (synthetic data: the demo's and the 100,000-document benchmark's) writes what
    # add_document writes, each file its audit event and search entry, in one transaction.
    fam = family_case(session)
    report, letter = pdf_bytes("Working memory assessment"), pdf_bytes("Exclusion for five days")
    files = [(report_input(fam, title=f"Report {i}"), io.BytesIO(data)) for i, data in enumerate((report, letter, report))]
    ids = docs.add_documents(session, files, today=TODAY)
    assert [docs.get_document(session, i).title for i in ids] == ["Report 0", "Report 1", "Report 2"]
    assert [bytes(docs.read_for_viewing(session, i)[1]) for i in ids] == [report, letter, report]
    assert sorted(_found(session, "memory")) == sorted([ids[0], ids[2]])  # the same bytes' words, on both
    assert _found(session, "exclusion") == [ids[1]]
    added = session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'document_added'").fetchone()[0]
    assert added == 3
    bad = [(report_input(fam, title="Kept?"), io.BytesIO(report)), (report_input(fam), io.BytesIO(b"not a pdf"))]
    with pytest.raises(ValidationError):
        docs.add_documents(session, bad, today=TODAY)
    assert session.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 3
    assert _found(session, "Kept") == []
