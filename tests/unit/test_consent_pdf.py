"""Consent PDFs: the family's record and the mailing list are AES-256 (V5 R6) encrypted and
unreadable without the password; the blank form is plain and holds no personal data."""

import re

import pytest
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from app.errors import ValidationError
from app.pdf import common
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.consent import export as consent_export
from app.services.consent import records as consent
from app.services.consent.wording import paragraphs
from tests.unit.consent_helpers import TODAY, family_case, share_with, signed, verbal

PASSWORD = "family-copy-pass-2"


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _assert_aes256_r6(reader: PdfReader) -> None:
    encrypt = reader.trailer["/Encrypt"]
    assert reader.is_encrypted and encrypt["/V"] == 5 and encrypt["/R"] == 6
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"


def test_consent_record_is_encrypted_and_holds_the_wording_signature_and_how_to_withdraw(session, tmp_path):
    fam = family_case(session)
    made = signed(session, fam, share_with(fam.senco, purpose="to plan support at school"),
                  consent.ScopeItem("voicemail"))
    path = tmp_path / "consent-record.pdf"
    password = consent_export.export_consent_record(session, made[0].id, path, PASSWORD, today=TODAY)
    assert password == PASSWORD and (path.stat().st_mode & 0o777) == 0o600
    assert b"Hartley" not in path.read_bytes() and b"Okafor" not in path.read_bytes()

    locked = PdfReader(path)
    _assert_aes256_r6(locked)
    assert locked.decrypt("not the password") == 0
    with pytest.raises(FileNotDecryptedError):
        locked.pages[0].extract_text()

    reader = PdfReader(path)
    reader.decrypt(PASSWORD)
    text = _text(reader)
    for paragraph in paragraphs(made[0].wording_text) + paragraphs(made[1].wording_text):
        assert paragraph in text
    for expected in ("Your consent record", "Ellie Hartley", "Dana Hartley (parent or carer with parental "
                     "responsibility)", "Signed on screen by Dana Hartley on 25/11/2026", "Review date: 25/11/2027",
                     "For: to plan support at school", "Changing your mind", "CAS-2026-00001", "Page 1 of"):
        assert expected in text
    # The signature is redrawn from its strokes as vector lines.
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert content.count(b" l ") >= 100
    assert "Hartley" not in (reader.metadata.title or "")
    audit = session.conn.execute("SELECT detail FROM audit_event WHERE action = 'consent_record_exported'").fetchone()
    assert "Hartley" not in audit[0]


def test_a_verbal_consent_record_says_who_gave_it_and_that_no_signature_was_taken(session, tmp_path):
    fam = family_case(session)
    made = verbal(session, fam, "voicemail")
    consent.withdraw_consent(session, made.id, "verbal_phone", today=TODAY)
    path = tmp_path / "verbal.pdf"
    password = consent_export.export_consent_record(session, made.id, path, today=TODAY)
    assert re.fullmatch(r"[0-9a-z]{4}(-[0-9a-z]{4}){3}", password)
    reader = PdfReader(path)
    _assert_aes256_r6(reader)
    reader.decrypt(password)
    text = _text(reader)
    assert "No signature was taken on screen" in text and "verbal, by phone" in text
    assert "Withdrawn on 25/11/2026" in text


def test_names_beyond_latin_1_print(session, tmp_path):
    fam = family_case(session)
    polish = people.create_person(session, PersonInput(kind="professional", first_name="Łukasz", last_name="Wróbel",
                                                       job_title="Speech and language therapist",
                                                       organisation_name="Zdrowie NHS Trust"))
    [made] = signed(session, fam, share_with(polish), signed_name="Zoë Hartley-Nowak")
    reader = PdfReader(_write(session, made.id, tmp_path))
    reader.decrypt(PASSWORD)
    text = _text(reader)
    assert "Łukasz Wróbel" in text and "Zoë Hartley-Nowak" in text


def _write(session, consent_id, tmp_path):
    path = tmp_path / "record.pdf"
    consent_export.export_consent_record(session, consent_id, path, PASSWORD, today=TODAY)
    return path


def test_blank_form_is_plain_with_the_current_wording_and_no_personal_data(session, tmp_path):
    fam = family_case(session)
    signed(session, fam, share_with(fam.senco))
    path = consent_export.export_blank_form(session, tmp_path / "blank.pdf")
    reader = PdfReader(path)
    assert not reader.is_encrypted
    text = _text(reader)
    for heading in ("Consent form", "Share information with a professional", "Ask a professional for records",
                    "Put me on the mailing list", "Leave voicemail messages", "Changing your mind",
                    "I am a parent or carer with parental responsibility", "For office use"):
        assert heading in text
    assert "I agree that Northshire SENDIASS may share information about me or my child with" in text
    assert "wording v1" in text
    for name in ("Hartley", "Okafor", "Ellie", "CAS-"):
        assert name not in text


def test_encrypt_refuses_a_weak_password_and_write_is_atomic(session, tmp_path):
    from app.services import exports

    out = tmp_path / "out"
    out.mkdir()
    pdf = common.build([], title="t", footer="f")
    with pytest.raises(ValidationError, match="at least 12"):
        exports.export_pdf(session, exports.ExportKind.CONSENT_RECORD, out / "x.pdf", pdf, "short")
    assert list(out.iterdir()) == []
    password = exports.export_pdf(session, exports.ExportKind.CONSENT_RECORD, out / "x.pdf", pdf).password
    reader = PdfReader(out / "x.pdf")
    _assert_aes256_r6(reader)
    assert reader.decrypt(password) != 0
    assert [p.name for p in out.iterdir()] == ["x.pdf"]  # no temporary file left behind
