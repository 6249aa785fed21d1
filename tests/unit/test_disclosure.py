"""The disclosure log (R5, R6, R7): consent must match the case, scope and counterparty and be
in force that day; overrides need a lawful reason and a justification and go to the manager;
the mailing list follows its consent (R10)."""

from datetime import date

import pytest
from pypdf import PdfReader

from app.errors import ConsentMissing, PermissionDenied, ValidationError
from app.services.casework import cases, people
from app.services.casework.people import PersonInput
from app.services.consent import disclosures, mailing_list
from app.services.consent import records as consent
from app.services.consent import views as consent_views
from app.services.consent.disclosures import DisclosureInput
from tests.unit.casework_helpers import add_worker, adult
from tests.unit.consent_helpers import TODAY, family_case, professional, share_with, signed, verbal

PASSWORD = "test-pdf-password-1"


def share(session, fam, who=None, organisation_id=None, today=TODAY, **kwargs):
    return disclosures.record_disclosure(session, DisclosureInput(
        fam.case.id, kwargs.pop("what", "Summary of Ellie's needs and the support plan"),
        counterparty_person_id=who.id if who else None, counterparty_organisation_id=organisation_id, **kwargs),
        today=today)


# The scenario of the issue -------------------------------------------------------------------
def test_parent_signs_for_the_senco_then_sharing_with_the_ep_waits_for_consent_or_override(session):
    fam = family_case(session)
    [given] = signed(session, fam, share_with(fam.senco, purpose="to plan support at school"))

    to_senco = share(session, fam, fam.senco)
    assert to_senco.basis == "consent" and to_senco.consent_id == given.id
    assert to_senco.counterparty_name == "Priya Okafor (SENCo, Hillside Primary School)"

    with pytest.raises(ConsentMissing) as refused:
        share(session, fam, fam.ep)
    message = refused.value.message
    assert "No live consent covers sharing information with Sam Patel (Educational Psychologist, " \
           "Northshire Educational Psychology Service) in case CAS-2026-00001." in message
    assert "override" in message and "statutory duty, safeguarding, vital interests" in message
    assert len(disclosures.disclosures_for_case(session, fam.case.id)) == 1

    # Either the family agrees ...
    [to_ep] = signed(session, fam, share_with(fam.ep))
    assert share(session, fam, fam.ep).consent_id == to_ep.id
    # ... or, where it cannot wait, an override with its lawful reason goes to the manager.
    urgent = share(session, fam, fam.ep, lawful_reason="safeguarding", what="Concern about injury",
                   justification="Disclosure of harm at home; MASH asked for EP's view the same day.")
    assert urgent.basis == "override" and urgent.basis_label == "Override: safeguarding"
    assert [d.id for d in disclosures.unreviewed_overrides(session)] == [urgent.id]
    log = disclosures.disclosures_for_case(session, fam.case.id)
    assert {d.basis for d in log} == {"consent", "override"} and len(log) == 3


# Matching ---------------------------------------------------------------------------------
def test_sharing_consent_does_not_cover_a_records_request_and_vice_versa(session):
    fam = family_case(session)
    signed(session, fam, share_with(fam.ep))
    request = DisclosureInput(fam.case.id, "EP report of March 2026", counterparty_person_id=fam.ep.id)
    with pytest.raises(ConsentMissing, match="asking Sam Patel .* for records"):
        disclosures.record_records_request(session, request, today=TODAY)
    [records_consent] = signed(session, fam, consent.ScopeItem("obtain_records", fam.ep.id))
    logged = disclosures.record_records_request(session, request, today=TODAY)
    assert logged.kind == "records_request" and logged.consent_id == records_consent.id


def test_organisation_consent_covers_its_people_but_a_named_person_covers_only_them(session):
    fam = family_case(session)
    colleague = professional(session, "Tom", "Reed", "Class teacher", "Hillside Primary School")
    school_id = fam.senco.organisation_id
    signed(session, fam, share_with(fam.senco))
    with pytest.raises(ConsentMissing):
        share(session, fam, colleague)
    with pytest.raises(ConsentMissing, match="sharing information with Hillside Primary School"):
        share(session, fam, organisation_id=school_id)
    [whole_school] = signed(session, fam, share_with(organisation_id=school_id))
    assert share(session, fam, colleague).consent_id == whole_school.id
    assert share(session, fam, organisation_id=school_id).consent_id == whole_school.id


def test_consent_for_a_professional_does_not_follow_them_to_a_new_employer(session):
    fam = family_case(session)
    signed(session, fam, share_with(fam.senco))
    moved = people.as_input(people.peek_person(session, fam.senco.id), "Ridgeway Academy")
    people.update_person(session, fam.senco.id, moved)
    with pytest.raises(ConsentMissing, match="Priya Okafor \\(SENCo, Ridgeway Academy\\)"):
        share(session, fam, fam.senco)


def test_consent_in_one_case_does_not_cover_another(session):
    fam = family_case(session)
    signed(session, fam, share_with(fam.senco))
    other = cases.open_case(session, fam.parent.id, fam.kid.id, opened_on=date(2026, 3, 1))
    with pytest.raises(ConsentMissing, match=other.reference):
        disclosures.record_disclosure(session, DisclosureInput(other.id, "x", counterparty_person_id=fam.senco.id),
                                      today=TODAY)


def test_expired_and_withdrawn_consent_no_longer_covers_and_the_message_says_why(session):
    fam = family_case(session)
    [given] = signed(session, fam, share_with(fam.senco), given_on=date(2026, 1, 10), expires_on=date(2026, 12, 1))
    assert share(session, fam, fam.senco, today=date(2026, 12, 1)).basis == "consent"  # its last day
    with pytest.raises(ConsentMissing, match="passed its review date on 01/12/2026"):
        share(session, fam, fam.senco, today=date(2026, 12, 2))
    # Logged later, but it happened while the consent was in force: accepted.
    assert share(session, fam, fam.senco, disclosed_on=date(2026, 11, 2), today=date(2026, 12, 2)).consent_id == given.id
    consent.withdraw_consent(session, given.id, "verbal_phone", withdrawn_on=date(2026, 11, 20), today=TODAY)
    with pytest.raises(ConsentMissing, match="was withdrawn on 20/11/2026"):
        share(session, fam, fam.senco)
    assert share(session, fam, fam.senco, disclosed_on=date(2026, 11, 19)).basis == "consent"


def test_disclosures_name_a_professional_or_organisation_and_say_what(session):
    fam = family_case(session)
    signed(session, fam, share_with(fam.senco))
    with pytest.raises(ValidationError, match="not recorded as a professional"):
        share(session, fam, fam.parent)
    with pytest.raises(ValidationError, match="Enter what was shared") as refused:
        share(session, fam, fam.senco, what="  ")
    assert refused.value.field == "what"
    with pytest.raises(ValidationError, match="future"):
        share(session, fam, fam.senco, disclosed_on=date(2026, 11, 26))


# Overrides --------------------------------------------------------------------------------
@pytest.mark.parametrize("reason, justification, field", [
    ("safeguarding", "", "justification"),
    ("safeguarding", "   ", "justification"),
    ("", "Urgent: risk of harm", "lawful_reason"),
    ("because", "Urgent", "lawful_reason"),
])
def test_an_override_needs_a_lawful_reason_and_a_justification(session, reason, justification, field):
    fam = family_case(session)
    with pytest.raises(ValidationError) as refused:
        share(session, fam, fam.ep, lawful_reason=reason, justification=justification)
    assert refused.value.field == field
    assert session.conn.execute("SELECT count(*) FROM disclosure").fetchone()[0] == 0


def test_overrides_are_flagged_to_the_manager_until_reviewed(session, data_dir):
    fam = family_case(session)
    worker = add_worker(session, data_dir)
    override = share(worker, fam, fam.ep, lawful_reason="statutory_duty",
                     justification="Tribunal directed the evidence to be sent.")
    with pytest.raises(PermissionDenied):
        disclosures.unreviewed_overrides(worker)
    with pytest.raises(PermissionDenied):
        disclosures.mark_override_reviewed(worker, override.id)
    view = consent_views.manager_view(session, TODAY)
    assert [d.id for d in view.overrides] == [override.id] and view.overrides[0].created_by == "casey"
    reviewed = disclosures.mark_override_reviewed(session, override.id, "Appropriate; parent told.")
    assert reviewed.reviewed_by == "manager" and reviewed.review_note == "Appropriate; parent told."
    assert disclosures.unreviewed_overrides(session) == []
    with pytest.raises(ValidationError, match="already reviewed"):
        disclosures.mark_override_reviewed(session, override.id)
    signed(session, fam, share_with(fam.senco))
    with pytest.raises(ValidationError, match="without consent"):
        disclosures.mark_override_reviewed(session, share(session, fam, fam.senco).id)
    worker.lock()


def test_the_log_is_never_edited_and_audit_holds_no_names(session):
    fam = family_case(session)
    signed(session, fam, share_with(fam.senco))
    logged = share(session, fam, fam.senco)
    override = share(session, fam, fam.ep, lawful_reason="vital_interests", justification="Ambulance called")
    from app.storage.db import DatabaseError

    with pytest.raises(DatabaseError, match="never edited"):
        session.conn.execute("UPDATE disclosure SET what = 'less' WHERE id = ?", (logged.id,))
    rows = session.conn.execute("SELECT action, object_id, detail FROM audit_event WHERE action LIKE 'disclosure%' "
                                "ORDER BY seq").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("disclosure_recorded", logged.id),
                                            ("disclosure_override_recorded", override.id)]
    assert all(name not in r[2] for r in rows for name in ("Hartley", "Patel", "Okafor", "Ambulance"))


def test_a_young_persons_own_case_log_is_firewalled(session, data_dir):
    fam = family_case(session, born="2009-05-01")
    own = cases.open_case(session, fam.kid.id, fam.kid.id, worker="manager", opened_on=date(2026, 2, 1))
    consent.record_consent(session, own.id, fam.kid.id, "share_with", "verbal_in_person",
                           counterparty_person_id=fam.senco.id, today=TODAY)
    disclosures.record_disclosure(session, DisclosureInput(own.id, "x", counterparty_person_id=fam.senco.id),
                                  today=TODAY)
    other = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied, match="restricted"):
        disclosures.disclosures_for_case(other, own.id)
    with pytest.raises(PermissionDenied, match="restricted"):
        consent.consents_for_case(other, own.id)
    other.lock()


def test_consents_expiring_soon_for_the_manager_and_each_worker(session, data_dir):
    fam = family_case(session)
    soon = verbal(session, fam, "voicemail", given_on=date(2026, 1, 1), expires_on=date(2026, 12, 20))
    verbal(session, fam, "contact_at_work")  # a year away
    worker = add_worker(session, data_dir)
    assert [c.id for c in consent_views.expiring_consents(session, TODAY)] == [soon.id]
    assert consent_views.expiring_consents(worker, TODAY) == []  # not their case
    assert [c.id for c in consent_views.manager_view(session, TODAY).expiring] == [soon.id]
    worker.lock()


# Mailing list (R10) --------------------------------------------------------------------------
def _with_contact(session, first, last):
    return people.create_person(session, PersonInput(kind="parent_carer", first_name=first, last_name=last,
                                                     email=f"{first.lower()}@example.org",
                                                     address="2 Sample Street\nNorthtown", postcode="NT2 2BB"))


def test_joining_needs_consent_and_withdrawing_it_removes_the_person(session):
    fam = family_case(session)
    with pytest.raises(ConsentMissing, match="no live consent to be on the mailing list"):
        mailing_list.join(session, fam.parent.id, today=TODAY)
    given = verbal(session, fam, "mailing_list")
    assert mailing_list.is_member(session, fam.parent.id)
    assert mailing_list.join(session, fam.parent.id, today=TODAY)  # already on it: no second row
    assert session.conn.execute("SELECT count(*) FROM mailing_list_member").fetchone()[0] == 1
    assert [m.person_id for m in mailing_list.members(session, TODAY)] == [fam.parent.id]
    consent.withdraw_consent(session, given.id, "in_writing", today=TODAY)
    assert not mailing_list.is_member(session, fam.parent.id)
    assert mailing_list.members(session, TODAY) == []
    with pytest.raises(ConsentMissing):
        mailing_list.join(session, fam.parent.id, today=TODAY)


def test_mailing_list_consent_without_a_case(session):
    someone = _with_contact(session, "Robin", "Vale")
    consent.record_consent(session, None, someone.id, "mailing_list", "written_form", today=TODAY)
    assert mailing_list.is_member(session, someone.id)


def test_export_holds_only_current_consenters_and_is_encrypted(session, tmp_path):
    live = _with_contact(session, "Carys", "Pryce")
    lapsed = _with_contact(session, "Owain", "Lloyd")
    gone = _with_contact(session, "Bethan", "Rees")
    consent.record_consent(session, None, live.id, "mailing_list", "verbal_phone", today=TODAY)
    consent.record_consent(session, None, lapsed.id, "mailing_list", "verbal_phone", given_on=date(2026, 1, 1),
                           expires_on=date(2026, 11, 30), today=TODAY)
    withdrawn = consent.record_consent(session, None, gone.id, "mailing_list", "verbal_phone", today=TODAY)
    consent.withdraw_consent(session, withdrawn.id, "verbal_phone", today=TODAY)
    later = date(2026, 12, 5)  # the second consent has lapsed by then
    assert [m.name for m in mailing_list.members(session, later)] == ["Carys Pryce"]
    assert [m.name for m in mailing_list.lapsed(session, later)] == ["Owain Lloyd"]

    result = mailing_list.export_mailing_list(session, tmp_path / "list.pdf", PASSWORD, today=later)
    assert result.count == 1 and result.password == PASSWORD
    reader = PdfReader(result.path)
    assert reader.is_encrypted and reader.trailer["/Encrypt"]["/V"] == 5 and reader.trailer["/Encrypt"]["/R"] == 6
    reader.decrypt(PASSWORD)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Carys Pryce" in text and "carys@example.org" in text
    assert "Owain" not in text and "Bethan" not in text
    assert (result.path.stat().st_mode & 0o777) == 0o600
    detail = session.conn.execute("SELECT detail FROM audit_event WHERE action = 'mailing_list_exported'").fetchone()
    assert detail[0] == '{"count": 1}'


def test_only_a_manager_exports_the_mailing_list(session, data_dir, tmp_path):
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        mailing_list.export_mailing_list(worker, tmp_path / "list.pdf")
    assert not (tmp_path / "list.pdf").exists()
    worker.lock()


def test_an_unrelated_person_cannot_join_through_someone_elses_case(session):
    fam = family_case(session)
    stranger = adult(session, "Lee", "Norris")
    with pytest.raises(ValidationError, match="not part of this case's family"):
        consent.record_consent(session, fam.case.id, stranger.id, "mailing_list", "verbal_phone", today=TODAY)


def test_dashboard_sections_for_overrides_and_expiring_consents(session):
    fam = family_case(session)
    override = share(session, fam, fam.ep, lawful_reason="safeguarding", justification="Risk of harm; MASH called")
    soon = verbal(session, fam, "voicemail", given_on=date(2026, 1, 1), expires_on=date(2026, 12, 20))
    overrides = consent_views.overrides_section(session, TODAY)
    assert [(i.target_type, i.target_id) for i in overrides.items] == [("disclosure", override.id)]
    assert overrides.items[0].text == "CAS-2026-00001: Override: safeguarding"
    expiring = consent_views.expiring_section(session, TODAY)
    assert [(i.target_type, i.target_id, i.detail) for i in expiring.items] == [
        ("consent", soon.id, "review by 20/12/2026")]
    assert consent.consents_of_person(session, fam.parent.id)[0].id == soon.id
