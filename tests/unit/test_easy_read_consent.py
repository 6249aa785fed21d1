"""Easy-read consent: each consent text has an easy-read version (short sentences, one idea
each), chosen at capture, recorded with the consent (its name, version and words) and printed
in the family's record; the manager writes new versions of either kind, and a consent keeps
the version it was given under."""

import re
import subprocess

import pytest

from app.domain.consent import ConsentScope
from app.errors import ValidationError
from app.resources import wording
from app.services.consent import export as consent_export
from app.services.consent import records as consent
from app.services.consent import wording as consent_wording
from app.services.consent import wording_edits
from app.services.consent.wording import paragraphs
from tests.unit.consent_helpers import TODAY, family_case, share_with, signed

PASSWORD = "family-copy-pass-2"
MAX_WORDS = 16  # a sentence of an easy-read text


def _young_person_signs(session, fam, *items, **fields):
    return signed(session, fam, *items, given_by_id=fam.kid.id, signed_name=fam.kid.full_name, **fields)


def test_every_consent_text_has_an_easy_read_version_of_short_sentences():
    names = [consent_wording.template_name(s) for s in ConsentScope]
    names += [consent_wording.INTRODUCTION, consent_wording.WITHDRAWAL]
    for name in names:
        _version, text = wording.current(name + consent_wording.EASY_SUFFIX)
        for paragraph in paragraphs(text):
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]
            assert len(sentences) <= 2, f"{name}: one idea a line: {paragraph!r}"
            assert all(len(s.split()) <= MAX_WORDS for s in sentences), f"{name}: too long: {paragraph!r}"


def test_a_young_person_s_easy_read_consent_is_recorded_and_printed_with_its_words(session, tmp_path):
    fam = family_case(session, born="2009-05-01")  # 17: decides for themself
    made = _young_person_signs(session, fam, share_with(fam.senco), consent.ScopeItem("voicemail"),
                               easy_read=True)
    share = made[0]
    assert share.easy_read == 1 and share.wording_name == "consent_share_easy" and share.wording_version == "v1"
    assert "can tell Priya Okafor (SENCo, Hillside Primary School) about me." in share.wording_text
    assert consent.get_consent(session, share.id).easy_read == 1  # as stored, not only as returned

    path = tmp_path / "record.pdf"
    consent_export.export_consent_record(session, share.id, path, PASSWORD, today=TODAY)
    text = " ".join(subprocess.run(["pdftotext", "-upw", PASSWORD, str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "These are the easy-read words that were agreed to." in text
    for paragraph in paragraphs(share.wording_text) + paragraphs(made[1].wording_text):
        assert paragraph in text
    _v, intro = wording.current("consent_introduction_easy")
    assert "We do not tell anyone you talked to us." in text and "We do not tell anyone" in intro
    assert "You do not have to say why." in text  # the easy-read way to change your mind
    assert "Wording consent_share_easy v1" in text


def test_standard_words_stay_standard(session):
    fam = family_case(session)
    made = signed(session, fam, share_with(fam.senco))
    assert made[0].easy_read == 0 and made[0].wording_name == "consent_share"


def test_the_manager_writes_a_new_easy_read_version_and_old_consents_keep_theirs(session):
    fam = family_case(session, born="2009-05-01")
    before = _young_person_signs(session, fam, consent.ScopeItem("voicemail"), easy_read=True)[0]
    new_words = ("{service} can leave a message on my phone.\n\nThe message only says who to call.\n\n"
                 "It does not say why.")
    assert wording_edits.publish(session, "consent_voicemail_easy", new_words) == "v2"
    listed = {w.name: w for w in wording_edits.wordings(session)}
    assert listed["consent_voicemail_easy"].version == "v2" and listed["consent_voicemail_easy"].easy_read
    assert listed["consent_voicemail"].version == "v1"  # the standard text is its own
    after = _young_person_signs(session, fam, consent.ScopeItem("voicemail"), easy_read=True)[0]
    assert after.wording_version == "v2" and "The message only says who to call." in after.wording_text
    assert consent.get_consent(session, before.id).wording_version == "v1"
    assert "The message says a number to call back." in consent.get_consent(session, before.id).wording_text
    row = session.conn.execute("SELECT detail FROM audit_event WHERE action = 'consent_wording_published'").fetchone()
    assert "consent_voicemail_easy" in row[0]


@pytest.mark.parametrize(("name", "text", "says"), [
    ("consent_voicemail_easy", "{service} can call {child_name}.", "cannot fill in {child_name}"),
    ("consent_voicemail_easy", "Unmatched { bracket", "unmatched"),
    ("consent_voicemail_easy", "   ", "wording"),
    ("no_such_wording", "Words.", "no such consent wording"),
])
def test_wording_the_manager_writes_is_checked(session, name, text, says):
    with pytest.raises(ValidationError) as caught:
        wording_edits.publish(session, name, text)
    assert says.lower() in str(caught.value).lower()


def test_unchanged_wording_is_not_a_new_version(session):
    _version, text = wording.current("consent_share_easy")
    with pytest.raises(ValidationError, match="unchanged"):
        wording_edits.publish(session, "consent_share_easy", text + "\n")
