"""Subject access by the law as amended: the clock stopped by clarification, a
parent's request about a young person of 16+, redaction of every string in the pack, no pack
without a completed review, transfers outside the UK; and the plain messages of §6."""

import subprocess
from datetime import date

import pytest

from app.domain.sar_authority import needs_childs_authority
from app.errors import NotEligible, OutputFolderMissing, PermissionDenied, ValidationError
from app.services.casework import cases, notes, people
from app.services.casework.people import PersonInput
from app.services.consent import disclosures
from app.services.consent.disclosures import DisclosureInput
from app.services.sar import pack as sar_pack
from app.services.sar import register as sar
from app.services.sar import review as sar_review
from app.services.sar import settings as sar_settings
from tests.unit.casework_helpers import add_worker, adult, child
from tests.unit.consent_helpers import family_case, share_with, signed

PASSWORD = "open-sesame-2026"
TODAY = date(2026, 11, 25)


def _known(session, subject, received="2026-11-02", **kwargs):
    return sar.register(session, received, subject.id, "subject", identity_method="Known to us",
                        identity_received_on=received, today=TODAY, **kwargs)


# --- the clock ---------------------------------------------------------------------------
def test_clarification_stops_the_clock_as_in_the_issue(session):
    parent = adult(session)
    request = sar.register(session, "2026-02-10", parent.id, "subject", identity_method="Passport seen",
                           identity_received_on="2026-02-10", today=date(2026, 2, 10))
    assert request.due_on == "2026-03-10"
    waiting = sar.request_clarification(session, request.id, "2026-02-20", today=date(2026, 2, 20))
    assert waiting.status == "awaiting_clarification" and waiting.due_on is None
    with pytest.raises(ValidationError, match="already asked for on 20/02/2026"):
        sar.request_clarification(session, request.id, "2026-02-25", today=date(2026, 2, 25))
    resumed = sar.clarification_received(session, request.id, "2026-03-02", today=date(2026, 3, 2))
    assert resumed.due_on == "2026-03-23" and resumed.paused_days() == 11  # not 02/04/2026
    # A second clarification adds its own paused days (13..16/03 = 4): 21/03 + 4 = 25/03.
    sar.request_clarification(session, request.id, "2026-03-13", today=date(2026, 3, 13))
    again = sar.clarification_received(session, request.id, "2026-03-16", today=date(2026, 3, 16))
    assert again.due_on == "2026-03-25" and again.paused_days() == 15
    # The first period now ends 25/03: an extension on 26/03 is too late, on 25/03 in time.
    with pytest.raises(ValidationError, match=r"before the first period ends \(by 25/03/2026\)"):
        sar.extend(session, request.id, 1, "Many records", today=date(2026, 3, 26))
    extended = sar.extend(session, request.id, 1, "Many records", today=date(2026, 3, 25))
    assert extended.due_on == "2026-04-27"  # 10/04 + 15 = 25/04 (Saturday) -> Monday 27/04


def test_clarification_after_the_deadline_or_before_the_request_is_refused(session):
    parent = adult(session)
    request = _known(session, parent, received="2026-09-01")  # due 01/10/2026
    with pytest.raises(ValidationError, match="cannot stop the clock"):
        sar.request_clarification(session, request.id, "2026-10-05", today=TODAY)
    with pytest.raises(ValidationError, match="between the request and today"):
        sar.request_clarification(session, request.id, "2026-08-30", today=TODAY)
    with pytest.raises(ValidationError, match="No clarification is awaited"):
        sar.clarification_received(session, request.id, "2026-09-10", today=TODAY)


# --- a parent asking for a young person's data ---------------------------------------------
def _parent_and(session, born):
    kid = child(session, "Ellie", "Hartley", born=born) if born else people.create_person(
        session, PersonInput(kind="child", first_name="Ellie", last_name="Hartley"))
    parent = adult(session)
    people.link_relationship(session, parent.id, kid.id, "mother", True)
    return parent, kid


@pytest.mark.parametrize("age,competent,needed", [
    (17, None, True), (16, False, True), (15, None, False), (15, True, True), (None, None, True), (3, False, False)])
def test_the_one_rule_for_a_childs_authority(age, competent, needed):
    assert needs_childs_authority(age, competent) is needed


def test_parent_request_about_a_17_year_old_needs_authority_or_a_managers_decision(session):
    parent, kid = _parent_and(session, "2009-05-01")  # 17 on 02/11/2026
    ask = dict(requester_id=parent.id, today=TODAY)
    with pytest.raises(ValidationError, match="Ellie Hartley is 17: a parent can have their information only "
                                              "with the young person's own authority"):
        sar.register(session, "2026-11-02", kid.id, "parent", **ask)
    with pytest.raises(ValidationError, match="record the reason for the manager's decision"):
        sar.register(session, "2026-11-02", kid.id, "parent", child_authority="manager_decision", **ask)
    assert session.conn.execute("SELECT count(*) FROM subject_access_request").fetchone()[0] == 0
    request = sar.register(session, "2026-11-02", kid.id, "parent", child_authority="young_person",
                           child_authority_note="Ellie signed a letter asking us to give her mum a copy.", **ask)
    assert (request.child_authority, request.child_authority_by) == ("young_person", session.user.username)
    decided = sar.register(session, "2026-11-03", kid.id, "parent", child_authority="manager_decision",
                           child_authority_note="Ellie lacks capacity to decide (recorded assessment).", **ask)
    assert decided.child_authority == "manager_decision"


def test_under_16_only_when_competent_and_unknown_age_is_not_assumed(session):
    parent, kid = _parent_and(session, "2012-01-01")  # 14
    assert sar.register(session, "2026-11-02", kid.id, "parent", requester_id=parent.id, today=TODAY).id
    with pytest.raises(ValidationError, match="recorded as competent to decide"):
        sar.register(session, "2026-11-02", kid.id, "parent", requester_id=parent.id, child_competent=True,
                     today=TODAY)
    other_parent, unknown = _parent_and(session, None)
    with pytest.raises(ValidationError, match="date of birth is not recorded"):
        sar.register(session, "2026-11-02", unknown.id, "parent", requester_id=other_parent.id, today=TODAY)


def test_pack_refused_when_the_child_turns_out_to_be_16_until_authority_is_recorded(session, tmp_path):
    parent, kid = _parent_and(session, "2012-01-01")
    request = sar.register(session, "2026-11-02", kid.id, "parent", requester_id=parent.id, today=TODAY,
                           identity_method="Known to us", identity_received_on="2026-11-02")
    corrected = people.as_input(people.peek_person(session, kid.id))
    corrected.date_of_birth = "2010-01-01"  # the date of birth was wrong: Ellie is 16
    people.update_person(session, kid.id, corrected)
    sar_review.complete_review(session, request.id)
    with pytest.raises(ValidationError, match="Ellie Hartley is 16"):
        sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password=PASSWORD)
    assert not (tmp_path / "p.pdf").exists()
    sar.record_child_authority(session, request.id, "young_person", "Ellie agreed at the office.", today=TODAY)
    sar_pack.generate_pack(session, request.id, tmp_path / "p.pdf", password=PASSWORD)


# --- no pack without a completed review ------------------------------------------------------
def test_no_pack_without_a_completed_review_that_still_matches(session, tmp_path):
    parent, kid = _parent_and(session, "2014-03-09")
    case = cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 9, 1))
    request = _known(session, parent)
    out = tmp_path / "p.pdf"
    with pytest.raises(ValidationError, match="its review has not been completed"):
        sar_pack.generate_pack(session, request.id, out, password=PASSWORD)
    review = sar_review.complete_review(session, request.id)
    assert review.completed_by == session.user.username
    assert sar_review.load_review(session, request.id, suggestions=False).completed_at
    people.get_person(session, parent.id)  # a view goes into the access log, which is not reviewed
    cases.get_case(session, case.id)
    assert sar_review.load_review(session, request.id, suggestions=False).completed_at
    notes.add_note(session, case.id, "phone_call", date(2026, 11, 20), 5, "A note written after the review.")
    assert sar_review.load_review(session, request.id, suggestions=False).completed_at is None
    with pytest.raises(ValidationError, match="changed after the review was completed"):
        sar_pack.generate_pack(session, request.id, out, password=PASSWORD)
    assert not out.exists() and sar_pack.disclosures(session, request.id) == []
    sar_review.complete_review(session, request.id)
    sar_pack.generate_pack(session, request.id, out, password=PASSWORD)
    assert out.exists()


# --- redaction of every string -----------------------------------------------------------------
def _decrypted_text(path, tmp_path) -> tuple[bytes, str]:
    """The PDF decrypted and decompressed by qpdf (raw bytes), and its text by pdftotext."""
    plain = tmp_path / f"{path.stem}.qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--decrypt", f"--password={PASSWORD}",
                    str(path), str(plain)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(plain), "-"], check=True, capture_output=True,
                          text=True).stdout
    return plain.read_bytes(), text


def _shared_with_senco(session):
    fam = family_case(session, opened_on=date(2026, 9, 1))
    signed(session, fam, share_with(fam.senco, purpose="to plan support at school"), given_on=date(2026, 9, 5),
           today=TODAY)
    disclosures.record_disclosure(session, DisclosureInput(
        fam.case.id, "Summary of needs; Priya Okafor asked for the latest report.",
        counterparty_person_id=fam.senco.id, disclosed_on=date(2026, 9, 10)), today=TODAY)
    request = _known(session, fam.parent)
    return fam, request


def test_a_redacted_counterparty_is_nowhere_in_the_decrypted_decompressed_pdf(session, tmp_path):
    fam, request = _shared_with_senco(session)
    # Control: without the redaction the name is there, in the heading "Shared with ..." too.
    sar_review.complete_review(session, request.id)
    sar_pack.generate_pack(session, request.id, tmp_path / "before.pdf", password=PASSWORD, today=TODAY)
    _raw, before = _decrypted_text(tmp_path / "before.pdf", tmp_path)
    assert "Shared with Priya Okafor (SENCo" in before and "Okafor" in before

    review = sar_review.load_review(session, request.id, suggestions=False)
    item = next(i for i in review.items if i.kind == "consent")
    scope = item.field("scope").text
    start = scope.index("Priya Okafor")
    sar_review.redact(session, request.id, item, "scope", start, start + len("Priya Okafor"), "third_party")
    sar_review.complete_review(session, request.id)
    sar_pack.generate_pack(session, request.id, tmp_path / "after.pdf", password=PASSWORD, today=TODAY)
    raw, after = _decrypted_text(tmp_path / "after.pdf", tmp_path)
    assert b"/Encrypt" not in raw  # qpdf really decrypted it
    for word in ("Okafor", "Priya"):
        assert word not in after and word.encode() not in raw and word.encode("utf-16-be") not in raw
    assert "Shared with" in after and "Redacted: third-party information" in after
    assert after.count("Redacted: third-party") >= 3  # the consent, the heading and the note text


# --- transfers outside the UK --------------------------------------------------------------------
def test_transfers_outside_the_uk_are_stated_from_the_managers_setting(session, data_dir, tmp_path):
    parent = adult(session)
    request = _known(session, parent)
    sar_review.complete_review(session, request.id)
    sar_pack.generate_pack(session, request.id, tmp_path / "none.pdf", password=PASSWORD, today=TODAY)
    _raw, text = _decrypted_text(tmp_path / "none.pdf", tmp_path)
    assert "Transfers outside the UK" in text and "do not transfer your personal information" in " ".join(text.split())

    with pytest.raises(ValidationError, match="which safeguard"):
        sar_settings.set_transfers(session, False, "Email hosting in the United States")
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        sar_settings.set_transfers(worker, True)
    worker.lock()
    sar_settings.set_transfers(session, False, "Email hosting in the United States",
                               "International Data Transfer Agreement (IDTA)")
    sar_pack.generate_pack(session, request.id, tmp_path / "some.pdf", password=PASSWORD, today=TODAY)
    _raw, text = _decrypted_text(tmp_path / "some.pdf", tmp_path)
    flat = " ".join(text.split())
    assert "Email hosting in the United States" in flat and "International Data Transfer Agreement" in flat


# --- §6 messages -------------------------------------------------------------------------------
def test_a_missing_output_folder_is_named(session, tmp_path):
    parent = adult(session)
    request = _known(session, parent)
    sar_review.complete_review(session, request.id)
    missing = tmp_path / "nonexistent" / "dir"
    with pytest.raises(OutputFolderMissing) as refused:
        sar_pack.generate_pack(session, request.id, missing / "x.pdf", password=PASSWORD)
    assert refused.value.message.startswith(f"The folder {missing} does not exist, so x.pdf was not saved.")
    assert ".tmp" not in refused.value.message and isinstance(refused.value, OSError)
    assert sar_pack.disclosures(session, request.id) == []


def test_a_disclosure_dated_before_its_consent_gives_both_dates(session):
    fam = family_case(session)
    signed(session, fam, share_with(fam.senco), given_on=date(2026, 11, 20), today=TODAY)
    with pytest.raises(Exception) as refused:
        disclosures.record_disclosure(session, DisclosureInput(fam.case.id, "Needs summary",
                                                               counterparty_person_id=fam.senco.id,
                                                               disclosed_on=date(2026, 11, 10)), today=TODAY)
    assert "The consent given on 20/11/2026 came after this, which is dated 10/11/2026" in str(refused.value)


def test_open_case_without_an_enquiry_says_why_casework_cannot_open(session):
    kid = child(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, kid.id, "grandparent", False)
    with pytest.raises(NotEligible) as refused:
        cases.open_case(session, gran.id, kid.id)
    message = refused.value.message
    assert message.startswith("Casework cannot be opened: Maureen Hartley is recorded as grandparent without "
                              "parental responsibility for Ellie Hartley, and casework is only for")
    assert "enquiry" not in message


def test_the_question_and_the_answer_are_kept_and_old_records_still_count(session):
    parent = adult(session)
    request = sar.register(session, "2026-02-10", parent.id, "subject", identity_method="Passport seen",
                           identity_received_on="2026-02-10", today=date(2026, 2, 10))
    waiting = sar.request_clarification(session, request.id, "2026-02-20", today=date(2026, 2, 20),
                                        question="Which meetings do you mean?")
    assert waiting.due_before_pause() == date(2026, 3, 10) and waiting.due_on is None
    [open_one] = waiting.clarifications()
    assert (open_one.question, open_one.received, open_one.answer) == ("Which meetings do you mean?", None, "")
    assert waiting.pauses() == []  # an unanswered request pauses nothing yet
    done = sar.clarification_received(session, request.id, "2026-03-02", today=date(2026, 3, 2),
                                      answer="The two in January.")
    assert done.due_on == "2026-03-23" and done.paused_days() == 11 and done.due_before_pause() is None
    assert [(c.question, c.answer) for c in done.clarifications()] == [
        ("Which meetings do you mean?", "The two in January.")]
    # A register written before the words were kept: [asked, received] pairs still count.
    old = type(done)(**{**done.__dict__, "clarification_pauses": '[["2026-02-20","2026-03-02"]]'})
    assert old.paused_days() == 11 and old.clarifications()[0].question == ""
    # The audit trail holds the action, never the words (they may describe a family).
    trail = " ".join(str(row) for row in session.conn.execute("SELECT * FROM audit_event"))
    assert "meetings" not in trail and "January" not in trail
