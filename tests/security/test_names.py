"""Attack: names that display as someone else's. A right-to-left override turns "Hartley" into
what reads as another name; zero-width and filler characters make two accounts or two
families look identical; a lone surrogate used to crash the save with UnicodeEncodeError."""

import ast
from datetime import date

import pytest

from app.domain.text import clean, clean_name, name_problem
from app.errors import ValidationError
from app.security.device import KeyringStore
from app.services.casework import cases, enquiries, notes, people
from app.services.casework.enquiries import EnquiryInput
from app.services.casework.people import PersonInput
from app.services.consent import records as consent
from app.services.sar import register as sar
from app.services.vault import staff
from app.services.vault import unlock as vault_service
from tests.conftest import OTHER_PASSPHRASE, PASSPHRASE
from tests.security.support import ROOT
from tests.unit.casework_helpers import family

BAD = {
    "right-to-left override": "Hart\u202eyelt",
    "left-to-right override": "Hart\u202dley",
    "zero-width space": "Hart\u200bley",
    "left-to-right isolate": "Hart\u2066ley\u2069",
    "first strong isolate": "\u2068Hartley",
    "right-to-left mark": "Hartley\u200f",
    "byte order mark": "\ufeffHartley",
    "word joiner": "Hart\u2060ley",
    "soft hyphen": "Hart\u00adley",
    "Hangul filler": "\u3164",
    "braille blank": "Hartley\u2800",
    "lone surrogate": "Hart\ud800ley",
    "private use": "Hart\ue000ley",
}
GOOD = ["Élodie Ní Fhearghail-Đặng", "Zoë O'Rourke", "Jan-Willem van der Berg", "Łucja Żółć", "أمل"]


@pytest.mark.parametrize("label", sorted(BAD))
def test_the_one_name_rule_refuses_each_trick(label):
    assert name_problem(BAD[label]) is not None
    with pytest.raises(ValidationError, match="First name contains"):
        clean_name(BAD[label], "first_name", "First name")


@pytest.mark.parametrize("name", GOOD)
def test_real_world_names_still_pass(name):
    assert clean_name(name, "first_name", "First name") == name


@pytest.mark.parametrize("label", ["right-to-left override", "zero-width space", "lone surrogate",
                                   "left-to-right isolate"])
def test_every_service_that_takes_a_name_refuses_it_and_saves_nothing(session, tmp_path, label):
    bad = BAD[label]
    before = session.conn.execute("SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM staff) + "
                                  "(SELECT count(*) FROM enquiry) + (SELECT count(*) FROM consent) + "
                                  "(SELECT count(*) FROM subject_access_request)").fetchone()[0]
    parent, kid = family(session)
    before += 2
    attempts = [
        lambda: people.create_person(session, PersonInput(kind="parent_carer", first_name=bad, last_name="Vale")),
        lambda: people.create_person(session, PersonInput(kind="parent_carer", first_name="Robin", last_name=bad)),
        lambda: people.create_person(session, PersonInput(kind="child", first_name="Robin", last_name="Vale",
                                                          known_as=bad)),
        lambda: people.create_person(session, PersonInput(kind="professional", first_name="Robin", last_name="Vale",
                                                          organisation_name=bad)),
        lambda: staff.add_staff(session, "robin", bad, "caseworker", OTHER_PASSPHRASE),
        lambda: enquiries.record_enquiry(session, EnquiryInput(channel="phone", caller_role="anonymous",
                                                               anonymous_first_name=bad, topics=["other"])),
        lambda: consent.record_consents(session, consent.ConsentBatch(
            given_by_id=parent.id, method="written_form", signed_name=bad,
            items=[consent.ScopeItem("mailing_list")])),
        lambda: sar.register(session, date.today().isoformat(), kid.id, "representative", requester_name=bad,
                             authority_note="Signed letter of authority"),
        lambda: vault_service.create_vault(tmp_path / "v1", "Northshire SENDIASS", "other", bad, PASSPHRASE,
                                           KeyringStore()),
        lambda: vault_service.create_vault(tmp_path / "v2", f"Northshire {bad}", "other", "Test Manager",
                                           PASSPHRASE, KeyringStore()),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as info:
            attempt()
        # Refused for the name itself, not for some other missing field.
        assert "contains" in info.value.message and "\n" not in info.value.message, info.value.message
    after = session.conn.execute("SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM staff) + "
                                 "(SELECT count(*) FROM enquiry) + (SELECT count(*) FROM consent) + "
                                 "(SELECT count(*) FROM subject_access_request)").fetchone()[0]
    assert after == before
    assert not (tmp_path / "v1" / "vault.json").exists() and not (tmp_path / "v2" / "vault.json").exists()


def test_a_lone_surrogate_in_free_text_is_a_message_not_a_crash(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    with pytest.raises(ValidationError, match="broken character"):
        notes.add_note(session, case.id, "phone_call", date.today(), 10, "Called back \ud83d about the plan")
    with pytest.raises(ValidationError, match="broken character"):
        clean("x\udfff", "summary", "The summary")


def test_every_name_field_in_the_services_uses_the_one_rule():
    """A clean(...) call whose field is a name is a name field that skips clean_name."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "clean" and len(node.args) > 1
                    and isinstance(node.args[1], ast.Constant) and "name" in str(node.args[1].value)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[1].value}")
    assert found == []
