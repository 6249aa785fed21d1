"""Letters from templates: filled from the case, finished by the caseworker, kept as a "letter
sent" PDF; a letter to a professional is a disclosure (consent or override, logged); the
templates are the manager's, versioned."""

import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from app.errors import ConsentMissing, PermissionDenied, ValidationError
from app.pdf.letter_pdf import LetterContent, letter_blocks, letter_pdf
from app.services.casework import search
from app.services.consent import disclosures
from app.services.documents import documents as docs
from app.services.documents import letters
from tests.unit.casework_helpers import add_worker
from tests.unit.consent_helpers import TODAY, family_case, share_with, signed


def _pdf_text(session, document_id) -> str:
    import io

    data = bytes(docs.read_for_viewing(session, document_id)[1])
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_a_family_letter_is_filled_finished_and_kept_as_a_pdf(session):
    fam = family_case(session)
    draft = letters.draft_letter(session, fam.case.id, "summary_of_advice", today=TODAY)
    assert draft.recipient.name == f"{fam.parent.first_name} {fam.parent.last_name}"
    assert fam.case.reference in draft.text and fam.kid.first_name in draft.text and "[the advice]" in draft.text
    with pytest.raises(ValidationError, match=r"still has a part of the template to write: \[the question\]"):
        letters.send_letter(session, draft, draft.text, today=TODAY)
    finished = (draft.text.replace("[the question]", "Whether the school must hold an annual review.")
                .replace("[the advice]", "It must, within twelve months of the plan.")
                .replace("[the next steps, and who does them]", "You will write to the school."))
    sent = letters.send_letter(session, draft, finished, today=TODAY)
    assert sent.disclosure_id is None
    doc = sent.document
    assert doc.kind == "letter_sent" and doc.letter_template == "summary_of_advice" and doc.letter_template_version == 1
    assert doc.media_type == "application/pdf"
    text = _pdf_text(session, doc.id)
    assert "within twelve months of the plan" in text and session.vault.service_name in text
    assert letters.letter_text(session, doc.id) == finished


def test_a_letter_to_a_professional_needs_consent_and_is_in_the_disclosure_log(session):
    fam = family_case(session)
    draft = letters.draft_letter(session, fam.case.id, "letter_to_professional", fam.senco.id, today=TODAY)
    assert draft.to_professional and draft.recipient.name == "Priya Okafor"
    body = draft.text.replace("[what the family has asked us to share or to ask]",
                              "Ellie's parent asks the school to share the provision map before the review.")
    with pytest.raises(ConsentMissing, match="sharing information with Priya Okafor"):
        letters.send_letter(session, draft, body, today=TODAY)
    assert session.conn.execute("SELECT count(*) FROM document").fetchone()[0] == 0
    [given] = signed(session, fam, share_with(fam.senco))
    sent = letters.send_letter(session, draft, body, today=TODAY)
    [logged] = disclosures.disclosures_for_case(session, fam.case.id)
    assert logged.id == sent.disclosure_id and logged.consent_id == given.id and logged.channel == "letter"
    assert sent.document.basis.startswith("Sent to Priya Okafor") and "consent" in sent.document.basis


def test_a_letter_to_a_professional_without_consent_goes_only_under_an_override(session):
    fam = family_case(session)
    draft = letters.draft_letter(session, fam.case.id, "letter_to_professional", fam.ep.id, today=TODAY)
    body = draft.text.replace("[what the family has asked us to share or to ask]", "Urgent: see attached.")
    sent = letters.send_letter(session, draft, body, lawful_reason="safeguarding",
                               justification="Risk of harm; the EP is part of the safeguarding plan.", today=TODAY)
    assert [d.id for d in disclosures.unreviewed_overrides(session)] == [sent.disclosure_id]


def test_templates_are_the_managers_and_versioned_and_a_letter_keeps_its_version(session, data_dir):
    fam = family_case(session)
    worker = add_worker(session, data_dir, "casey")
    with pytest.raises(PermissionDenied):
        letters.save_template(worker, "case_closure", "Case closure", "Dear {recipient_name}, goodbye.")
    old = letters.draft_letter(session, fam.case.id, "case_closure", today=TODAY)
    saved = letters.save_template(session, "case_closure", "Closing your case",
                                  "Dear {recipient_name},\n\nWe have closed case {case_reference}.\n\n{worker_name}")
    assert saved.version == 2
    assert [t.version for t in letters.template_versions(session, "case_closure")] == [1, 2]
    new = letters.draft_letter(session, fam.case.id, "case_closure", today=TODAY)
    assert new.template_version == 2 and new.text.endswith("Test Manager")
    with pytest.raises(ValidationError, match="stray brace"):
        letters.save_template(session, "case_closure", "X", "Dear {recipient_name")
    sent_old = letters.send_letter(session, old, old.text.replace("[the reason]", "your question was answered"),
                                   today=TODAY)
    assert sent_old.document.letter_template_version == 1


def test_titles_and_letter_text_are_searchable(session):
    fam = family_case(session)
    draft = letters.draft_letter(session, fam.case.id, "appointment_confirmation", today=TODAY)
    body = draft.text.replace("[date]", "3 March").replace("[time]", "10am").replace("[place]", "Quarrybank Library")
    letters.send_letter(session, draft, body, today=TODAY)
    sent = letters.send_letter(session, letters.draft_letter(session, fam.case.id, "case_closure", today=TODAY),
                               "Dear parent, closed.", today=TODAY)
    [hit] = search.search(session, "Quarrybank")
    assert hit.kind == "document" and hit.case_id == fam.case.id and "Quarrybank" in hit.snippet
    assert [h.ref_id for h in search.search(session, "Case closure")] == [sent.document.id]


def test_the_letter_pdf_renders(session, tmp_path):
    fam = family_case(session)
    draft = letters.draft_letter(session, fam.case.id, "case_closure", today=TODAY)
    sent = letters.send_letter(session, draft, draft.text.replace("[the reason]", "your question was answered"),
                               today=TODAY)
    out = tmp_path / "letter.pdf"
    out.write_bytes(bytes(docs.read_for_viewing(session, sent.document.id)[1]))
    done = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True)
    assert "Closing our work with you" in done.stdout


def test_a_letter_s_blocks_keep_every_line_in_order_and_its_words_are_never_markup(tmp_path):
    body = ("Dear Mr #Smith,\n\nYour *request* = [granted]\n\nWe looked at it:\nline one\nline two\n\n"
            "A plain paragraph.\n\nKind regards,\n\nSam Reid\nNorthshire SENDIASS")
    blocks = letter_blocks(body)
    assert [b["kind"] for b in blocks] == ["salutation", "subject", "heading", "paragraph", "closing", "signature"]
    assert [line for b in blocks for line in b["lines"]] == [line for line in body.splitlines() if line]
    assert [b["kind"] for b in letter_blocks("No greeting here.\n\nJust text.")] == ["paragraph", "paragraph"]
    out = tmp_path / "letter.pdf"
    out.write_bytes(letter_pdf(LetterContent("Northshire SENDIASS", "Case closure", date(2026, 11, 25), "CAS-1",
                                             ["Mr #Smith"], body)))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Dear Mr #Smith," in text and "Your *request* = [granted]" in text


def test_a_colleague_covering_a_case_signs_the_letter_they_write(session, data_dir):
    """Found on the walk: a caseworker writing on a colleague's case sent a letter listed as
    from her but signed, and asking for replies to, the colleague who works the case."""
    fam = family_case(session)       # worked by the manager, Test Manager
    covering = add_worker(session, data_dir, "casey")
    draft = letters.draft_letter(covering, fam.case.id, "appointment_confirmation", today=TODAY)
    assert draft.text.rstrip().splitlines()[-2:] == ["Casey Worker", covering.vault.service_name]
    assert "Test Manager" not in draft.text
    covering.lock("test")
