"""Attack: guess the password of an exported file offline. A typed password is all that
protects a lost SAR pack or mailing list, with unlimited guesses: "password", "aaaaaaaaaaaa"
and 8-character words are refused; the generated default (80 random bits) stays."""

from datetime import date

import pytest
from pypdf import PdfReader

from app.errors import ValidationError
from app.pdf import secure
from app.services.casework import people
from app.services.casework.people import PersonInput
from app.services.consent import mailing_list
from app.services.consent import records as consent
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from tests.unit.casework_helpers import family

WEAK = ["", "password", "Summer2026!", "aaaaaaaaaaaaaaaa", "abcabcabcabcabc", "123412341234"]


@pytest.mark.parametrize("password", WEAK)
def test_weak_typed_passwords_are_refused_with_a_plain_message(password):
    with pytest.raises(ValidationError) as info:
        secure.check_password(password)
    assert info.value.message.count(".") <= 2 and "\n" not in info.value.message


def test_good_typed_and_generated_passwords_pass():
    assert secure.check_password("four unrelated typed words") == "four unrelated typed words"
    assert secure.check_password("bl7-Qx2-mm9-Tr") == "bl7-Qx2-mm9-Tr"
    for _ in range(50):
        generated = secure.new_password()
        assert secure.check_password(generated) == generated and len(generated) >= 12


def _ready_sar(session):
    parent, _kid = family(session)
    today = date.today().isoformat()
    return sar.register(session, today, parent.id, "subject", identity_method="Passport seen",
                        identity_received_on=today)


@pytest.mark.parametrize("password", ["letmein1", "aaaaaaaaaaaaaaaa"])
def test_no_export_is_written_under_a_weak_typed_password(session, tmp_path, password):
    request = _ready_sar(session)
    member = people.create_person(session, PersonInput(kind="parent_carer", first_name="Robin", last_name="Vale",
                                                       address="2 Sample Street", postcode="NT2 2BB"))
    consent.record_consent(session, None, member.id, "mailing_list", "verbal_phone")
    with pytest.raises(ValidationError, match="file password"):
        sar_pack.generate_pack(session, request.id, tmp_path / "pack.pdf", password=password)
    with pytest.raises(ValidationError, match="file password"):
        mailing_list.export_mailing_list(session, tmp_path / "list.pdf", password)
    assert list(tmp_path.glob("*.pdf")) == []
    assert session.conn.execute("SELECT count(*) FROM sar_disclosure").fetchone()[0] == 0


def test_the_generated_default_still_works(session, tmp_path):
    request = _ready_sar(session)
    sar_review.complete_review(session, request.id)  # no pack without a completed review
    result = sar_pack.generate_pack(session, request.id, tmp_path / "pack.pdf")
    reader = PdfReader(result.path)
    assert reader.is_encrypted and reader.decrypt(result.password) != 0
    assert len(result.password) >= 12
