"""Subject access: documents and letters are gathered as whole documents; a professional's
document waits for a decision (include, or exclude with a reason); included PDFs' and
pictures' pages are in the encrypted pack; letters we wrote to the family go in."""

import io

import pikepdf
import pytest
from pypdf import PdfReader

from app.errors import ValidationError
from app.services.documents import documents as docs
from app.services.documents import letters
from app.services.documents.documents import DocumentInput
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from tests.unit.consent_helpers import TODAY, family_case
from tests.unit.document_helpers import pdf_with_plain_text, png_with_text

PASSWORD = "open-sesame-2026"


def _world(session):
    fam = family_case(session)
    report = docs.add_document(session, DocumentInput("EP report", "report", TODAY, "EP service", "ep.pdf",
                                                      case_id=fam.case.id),
                               io.BytesIO(pdf_with_plain_text("Psychology findings", pages=2)), today=TODAY)
    secret = docs.add_document(session, DocumentInput("Police report", "evidence", TODAY, "Police", "police.pdf",
                                                      case_id=fam.case.id),
                               io.BytesIO(pdf_with_plain_text("Withheld police text")), today=TODAY)
    photo = docs.add_document(session, DocumentInput("Photo of letter", "evidence", TODAY, "Parent", "photo.png",
                                                     person_id=fam.parent.id), io.BytesIO(png_with_text("x")),
                              today=TODAY)
    draft = letters.draft_letter(session, fam.case.id, "case_closure", today=TODAY)
    letter = letters.send_letter(session, draft, draft.text.replace("[the reason]", "your question was answered"),
                                 today=TODAY).document
    request = sar.register(session, "2026-11-02", fam.parent.id, "subject", identity_method="Passport seen",
                           identity_received_on="2026-11-02", today=TODAY)
    return fam, report, secret, photo, letter, request


def test_documents_are_gathered_whole_and_need_a_decision_except_our_letters(session):
    _fam, report, secret, photo, letter, request = _world(session)
    items = {i.key: i for i in sar_review.load_review(session, request.id).items if i.kind == "document"}
    assert set(items) == {f"document:{d.id}" for d in (report, secret, photo, letter)}
    assert items[f"document:{letter.id}"].included and not items[f"document:{letter.id}"].needs_decision
    assert items[f"document:{report.id}"].needs_decision and not items[f"document:{report.id}"].included
    assert "Closing our work" in items[f"document:{letter.id}"].field("text").text


def test_included_documents_pages_are_in_the_pack_and_excluded_ones_are_not(session, tmp_path):
    _fam, report, secret, photo, letter, request = _world(session)
    with pytest.raises(ValidationError, match="need"):
        sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password=PASSWORD, today=TODAY)
    sar_review.decide(session, request.id, f"document:{report.id}", True)
    sar_review.decide(session, request.id, f"document:{photo.id}", True)
    sar_review.decide(session, request.id, f"document:{secret.id}", False, "Police information: exemption")
    sar_review.complete_review(session, request.id)
    out = tmp_path / "pack.pdf"
    sar_pack.generate_pack(session, request.id, out, password=PASSWORD, today=TODAY)
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.is_encrypted and reader.decrypt(PASSWORD) != 0
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Psychology findings page 1" in text and "Psychology findings page 2" in text
    assert "Closing our work with you" in text and "Photo of letter" in text
    assert "Withheld police text" not in text and b"Withheld police text" not in out.read_bytes()
    assert "Documents and letters" in text


def test_a_damaged_pdf_stops_the_pack_with_a_plain_message(session, tmp_path):
    _fam, report, secret, photo, letter, request = _world(session)
    broken = docs.add_document(session, DocumentInput("Broken scan", "report", TODAY, "School", "scan.pdf",
                                                      case_id=_fam.case.id), io.BytesIO(b"%PDF-1.4 cut short"),
                               today=TODAY)
    for item in sar_review.load_review(session, request.id).items:
        if item.needs_decision:
            sar_review.decide(session, request.id, item.key, item.key == f"document:{broken.id}", "not needed")
    sar_review.complete_review(session, request.id)
    with pytest.raises(ValidationError, match="“Broken scan” cannot be read"):
        sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password=PASSWORD, today=TODAY)
    assert not (tmp_path / "p.pdf").exists()


def test_each_documents_pages_come_after_a_page_naming_it_and_the_pack_says_they_follow(session, tmp_path):
    """Found on the walk: the pack's last page said "End of the pack" and its footer "Page 8 of
    8", then six pages of other documents followed with nothing saying whose they were."""
    _fam, report, secret, photo, letter, request = _world(session)
    for document, keep in ((report, True), (photo, True), (secret, False)):
        sar_review.decide(session, request.id, f"document:{document.id}", keep, "" if keep else "Exempt")
    sar_review.complete_review(session, request.id)
    out = tmp_path / "pack.pdf"
    sar_pack.generate_pack(session, request.id, out, password=PASSWORD, today=TODAY)
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    reader.decrypt(PASSWORD)
    pages = [p.extract_text() for p in reader.pages]
    first = next(i for i, text in enumerate(pages) if "Psychology findings page 1" in text)
    assert "EP report" in pages[first - 1] and "2 pages" in pages[first - 1]
    assert "Psychology findings" not in pages[first - 1]
    body_end = next(i for i, text in enumerate(pages) if "End of the records" in text)
    assert body_end < first and "follow" in pages[body_end]
    assert not any("End of the pack" in text for text in pages)


def test_a_pack_with_documents_is_written_by_qpdf_once_and_a_regenerated_one_too(session, tmp_path, monkeypatch):
    # Adding the pages saved the whole pack (0.7 s of CPU for 2,000 notes) before the encryption
    # saved it again: now the pages are added to the pack as it is encrypted.
    _fam, report, secret, photo, letter, request = _world(session)
    for document, keep in ((report, True), (photo, True), (secret, False)):
        sar_review.decide(session, request.id, f"document:{document.id}", keep, "" if keep else "Exempt")
    sar_review.complete_review(session, request.id)
    saves = []
    real_save = pikepdf.Pdf.save
    monkeypatch.setattr(pikepdf.Pdf, "save", lambda self, *a, **k: (saves.append(len(self.pages)),
                                                                     real_save(self, *a, **k))[1])
    made = sar_pack.generate_pack(session, request.id, tmp_path / "pack.pdf", password=PASSWORD, today=TODAY)
    again = sar_pack.regenerate_pack(session, made.disclosure_id, tmp_path / "again.pdf", password=PASSWORD)
    assert len(saves) == 2 and saves[0] == saves[1]      # one save each, of the whole pack with its documents
    for path in (made.path, again.path):
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        reader.decrypt(PASSWORD)
        assert len(reader.pages) == saves[0]
        assert "Psychology findings page 2" in "\n".join(p.extract_text() for p in reader.pages)
