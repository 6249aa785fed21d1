"""Consent (R5, R6, R10): who may give it, the words stored, the signature, dates and review,
withdrawal, replacement, and that a consent row is never edited."""

from datetime import date, timedelta

import pytest

from app.domain.consent import ConsentState
from app.domain.signature import Signature
from app.errors import PermissionDenied, ValidationError
from app.resources import wording
from app.services.casework import cases, people
from app.services.consent import records as consent
from app.services.consent import views as consent_views
from app.storage.db import DatabaseError
from tests.unit.casework_helpers import add_worker, adult, child
from tests.unit.consent_helpers import TODAY, family_case, scribble, share_with, signed, verbal


def _count(session, table="consent"):
    return session.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# Who may consent ----------------------------------------------------------------------------
def test_parent_with_parental_responsibility_consents_for_a_child(session):
    fam = family_case(session)
    [made] = signed(session, fam, share_with(fam.senco, purpose="to plan support at school"))
    assert made.capacity == "parental_responsibility" and made.subject_id == fam.kid.id
    assert made.given_by_name == "Dana Hartley" and made.method == "signed_on_screen"
    assert made.counterparty_name == "Priya Okafor (SENCo, Hillside Primary School)"
    assert made.counterparty_organisation_id == fam.senco.organisation_id
    assert made.state(TODAY) == ConsentState.LIVE


def test_family_member_without_parental_responsibility_is_refused_with_the_reason(session):
    fam = family_case(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, fam.kid.id, "grandparent", False)
    with pytest.raises(ValidationError, match="Maureen Hartley is not recorded as holding parental "
                                              "responsibility for Ellie Hartley") as refused:
        signed(session, fam, share_with(fam.senco), given_by_id=gran.id)
    assert refused.value.field == "given_by"
    assert _count(session) == 0


def test_someone_outside_the_family_is_refused(session):
    fam = family_case(session)
    stranger = adult(session, "Lee", "Norris")
    with pytest.raises(ValidationError, match="not part of this case's family"):
        verbal(session, fam, "voicemail", given_by=stranger)
    with pytest.raises(ValidationError, match="professional"):
        verbal(session, fam, "voicemail", given_by=fam.senco)


def test_from_sixteen_the_young_person_decides_and_a_parent_is_refused(session):
    fam = family_case(session, born="2009-05-01")  # 17 on TODAY
    with pytest.raises(ValidationError, match="Ellie Hartley is 17: from 16, young people decide for "
                                              "themselves") as refused:
        signed(session, fam, share_with(fam.senco))
    assert refused.value.field == "given_by"
    [own] = signed(session, fam, share_with(fam.senco), given_by_id=fam.kid.id, signed_name="Ellie Hartley")
    assert own.capacity == "self" and own.wording_text.startswith("I agree that Northshire SENDIASS may share "
                                                                  "information about me with Priya Okafor")


def test_a_parent_may_act_for_a_young_person_who_lacks_capacity_with_the_reason_recorded(session):
    fam = family_case(session, born="2005-02-01")  # 21
    [made] = signed(session, fam, share_with(fam.ep), on_behalf_reason="Lacks capacity to decide; LPA held")
    assert made.capacity == "representative" and made.capacity_note == "Lacks capacity to decide; LPA held"


def test_a_child_under_sixteen_consents_only_in_their_own_case(session):
    fam = family_case(session)
    with pytest.raises(ValidationError, match="under 16"):
        signed(session, fam, share_with(fam.senco), given_by_id=fam.kid.id, signed_name="Ellie")
    own_case = cases.open_case(session, fam.kid.id, fam.kid.id, opened_on=date(2026, 2, 1))
    made = consent.record_consent(session, own_case.id, fam.kid.id, "share_with", "verbal_in_person",
                                  counterparty_person_id=fam.senco.id, today=TODAY)
    assert made.capacity == "self"
    # R4: in the young person's own case the parent cannot consent for them.
    with pytest.raises(ValidationError, match="own case"):
        consent.record_consent(session, own_case.id, fam.parent.id, "share_with", "verbal_phone",
                               counterparty_person_id=fam.senco.id, today=TODAY)


def test_no_date_of_birth_means_a_parent_cannot_be_checked_and_is_refused(session):
    kid = people.create_person(session, people.PersonInput(kind="child", first_name="Alfie", last_name="Stone"))
    parent = adult(session, "Jo", "Stone")
    people.link_relationship(session, parent.id, kid.id, "father", True)
    case = cases.open_case(session, parent.id, kid.id)
    senco = people.create_person(session, people.PersonInput(kind="professional", first_name="Ann", last_name="Lee"))
    with pytest.raises(ValidationError, match="date of birth first"):
        consent.record_consent(session, case.id, parent.id, "share_with", "verbal_phone",
                               counterparty_person_id=senco.id, today=TODAY)


def test_a_parents_consent_ends_before_the_child_turns_sixteen(session):
    fam = family_case(session, born="2011-06-01")  # 16 on 01/06/2027
    [made] = signed(session, fam, share_with(fam.senco))
    assert made.expires_on == "2027-05-31"
    with pytest.raises(ValidationError, match="turns 16 on 01/06/2027") as refused:
        signed(session, fam, share_with(fam.ep), expires_on=date(2027, 9, 1))
    assert refused.value.field == "expires_on"


def test_contact_consents_are_the_persons_own_and_set_their_contact_preferences(session):
    fam = family_case(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, fam.kid.id, "grandparent", False)
    made = verbal(session, fam, "voicemail", given_by=gran)
    assert made.subject_id == gran.id and made.capacity == "self"
    assert made.wording_text.startswith("I agree that Northshire SENDIASS may leave voicemail")
    assert people.peek_person(session, gran.id).ok_voicemail == 1
    consent.withdraw_consent(session, made.id, "verbal_phone", today=TODAY)
    assert people.peek_person(session, gran.id).ok_voicemail == 0


def test_possible_givers_say_who_may_consent_and_why_not(session):
    fam = family_case(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, fam.kid.id, "grandparent", False)
    givers = {g.name: g for g in consent.possible_givers(session, fam.case.id, TODAY)}
    assert givers["Dana Hartley"].allowed and givers["Dana Hartley"].capacity == "parental_responsibility"
    assert not givers["Maureen Hartley"].allowed and "parental responsibility" in givers["Maureen Hartley"].reason
    assert not givers["Ellie Hartley"].allowed
    assert consent.possible_givers(session, fam.case.id, TODAY)[0].name == "Dana Hartley"


def test_a_volunteer_cannot_record_consent(session, data_dir):
    fam = family_case(session)
    vol = add_worker(session, data_dir, "vic", role="volunteer")
    with pytest.raises(PermissionDenied):
        verbal(vol, fam, "voicemail")
    vol.lock()


# The words and the signature ---------------------------------------------------------------
def test_the_exact_wording_shown_is_stored_with_its_version(session):
    fam = family_case(session)
    [made] = signed(session, fam, share_with(fam.senco))
    version, template = wording.current("consent_share")
    assert made.wording_name == "consent_share" and made.wording_version == version == "v1"
    assert made.wording_text == template.format(
        service="Northshire SENDIASS", about="Ellie Hartley", about_possessive="Ellie Hartley's",
        counterparty="Priya Okafor (SENCo, Hillside Primary School)", us="our family")
    preview = consent.preview_wording(session, fam.case.id, fam.parent.id, "share_with", fam.senco.id)
    assert preview.text == made.wording_text


def test_signature_strokes_are_stored_in_the_database_and_read_back(session):
    fam = family_case(session)
    made, _voicemail = signed(session, fam, share_with(fam.senco), consent.ScopeItem("voicemail"))
    stored = consent.signature_of(session, made.id)
    assert stored == scribble()
    blob = session.conn.execute("SELECT signature FROM consent WHERE id = ?", (made.id,)).fetchone()[0]
    assert isinstance(blob, bytes) and blob.startswith(b"CSG1") and len(blob) < 4000
    assert Signature.from_bytes(blob).point_count == scribble().point_count
    # One signature for everything agreed together.
    assert {c.scope for c in consent.batch_of(session, made.id)} == {"share_with", "voicemail"}


@pytest.mark.parametrize("signature, message", [
    (None, "The signature box is empty"),
    (Signature.from_points([], 480, 180), "The signature box is empty"),
    (Signature.from_points([[(100, 100), (101, 101)]], 480, 180), "holds only a dot or a tick"),
    (b"not a signature", "could not be read"),
])
def test_an_empty_or_unreadable_signature_is_refused(session, signature, message):
    fam = family_case(session)
    with pytest.raises(ValidationError, match=message) as refused:
        signed(session, fam, share_with(fam.senco), signature=signature)
    assert refused.value.field == "signature"
    assert _count(session) == 0


def test_signed_on_screen_needs_the_name_and_other_methods_take_no_signature(session):
    fam = family_case(session)
    with pytest.raises(ValidationError, match="Type the name") as refused:
        signed(session, fam, share_with(fam.senco), signed_name="  ")
    assert refused.value.field == "signed_name"
    with pytest.raises(ValidationError, match="only when consent is signed on screen"):
        signed(session, fam, share_with(fam.senco), method="verbal_phone")


def test_share_and_records_need_a_professional_or_organisation(session):
    fam = family_case(session)
    with pytest.raises(ValidationError, match="Choose the professional") as refused:
        signed(session, fam, consent.ScopeItem("share_with"))
    assert refused.value.field == "counterparty"
    with pytest.raises(ValidationError, match="not recorded as a professional"):
        signed(session, fam, consent.ScopeItem("obtain_records", fam.parent.id))
    with pytest.raises(ValidationError, match="at least one"):
        signed(session, fam)


# Dates and review ----------------------------------------------------------------------------
def test_review_date_defaults_to_the_managers_setting(session):
    fam = family_case(session)
    assert consent.review_months(session) == 12
    assert verbal(session, fam, "voicemail").expires_on == "2027-11-25"
    consent.set_review_months(session, 6)
    assert verbal(session, fam, "contact_at_work").expires_on == "2027-05-25"
    with pytest.raises(ValidationError, match="between 1 and 36"):
        consent.set_review_months(session, 0)


def test_only_a_manager_changes_the_review_period(session, data_dir):
    worker = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied):
        consent.set_review_months(worker, 6)
    worker.lock()


@pytest.mark.parametrize("given_on, expires_on, field, message", [
    (date(2026, 11, 20), date(2026, 11, 19), "expires_on", "after the day consent was given"),
    (date(2026, 11, 20), date(2026, 11, 20), "expires_on", "after the day consent was given"),
    (TODAY + timedelta(days=1), None, "given_on", "future"),
    (date(2025, 1, 1), date(2025, 6, 1), "expires_on", "already passed"),
    (TODAY, date(2030, 1, 1), "expires_on", "at most 36 months"),
    ("31/02/2026", None, "given_on", "not a real date"),
])
def test_bad_dates_are_refused(session, given_on, expires_on, field, message):
    fam = family_case(session)
    with pytest.raises(ValidationError, match=message) as refused:
        signed(session, fam, share_with(fam.senco), given_on=given_on, expires_on=expires_on)
    assert refused.value.field == field
    assert _count(session) == 0


def test_states_over_time(session):
    fam = family_case(session)
    [made] = signed(session, fam, share_with(fam.senco), given_on=date(2026, 11, 1), expires_on=date(2027, 2, 1))
    assert made.state(date(2026, 12, 1)) == ConsentState.LIVE
    assert made.state(date(2027, 1, 2)) == ConsentState.EXPIRING
    assert made.state(date(2027, 2, 1)) == ConsentState.EXPIRING  # in force on its review date
    assert made.state(date(2027, 2, 2)) == ConsentState.EXPIRED
    assert made.state(date(2026, 10, 1)) == ConsentState.NOT_YET_GIVEN


# Withdrawal and replacement ---------------------------------------------------------------
def test_withdrawal_is_one_step_and_kept_as_its_own_record(session):
    fam = family_case(session)
    made = signed(session, fam, share_with(fam.senco), consent.ScopeItem("voicemail"))
    out = consent.withdraw_consents(session, [c.id for c in made], "verbal_phone", note="Called to say stop",
                                    today=TODAY)
    assert {c.state(TODAY) for c in out} == {ConsentState.WITHDRAWN}
    assert out[0].withdrawn_on == TODAY.isoformat() and out[0].withdrawn_recorded_by == "manager"
    assert _count(session, "consent_withdrawal") == 2
    with pytest.raises(ValidationError, match="already withdrawn on 25/11/2026"):
        consent.withdraw_consent(session, made[0].id, "in_writing", today=TODAY)


def test_withdrawal_cannot_predate_the_consent_or_be_in_the_future(session):
    fam = family_case(session)
    made = verbal(session, fam, "voicemail", given_on=date(2026, 11, 10))
    with pytest.raises(ValidationError, match="before the day it was given"):
        consent.withdraw_consent(session, made.id, "verbal_phone", withdrawn_on=date(2026, 11, 9), today=TODAY)
    with pytest.raises(ValidationError, match="future"):
        consent.withdraw_consent(session, made.id, "verbal_phone", withdrawn_on=TODAY + timedelta(days=1),
                                 today=TODAY)


def test_a_change_is_a_new_consent_that_replaces_the_old_one(session):
    fam = family_case(session)
    [old] = signed(session, fam, share_with(fam.senco, purpose="annual review"), given_on=date(2026, 11, 1))
    new = consent.replace_consent(session, old.id, consent.ConsentBatch(
        given_by_id=fam.parent.id, method="verbal_phone", items=[share_with(fam.senco, purpose="transition")]),
        today=TODAY)
    assert new.replaces_id == old.id and new.state(TODAY) == ConsentState.LIVE
    old_now = consent.get_consent(session, old.id)
    assert old_now.state(TODAY) == ConsentState.REPLACED and old_now.purpose == "annual review"
    assert old_now.replaced_by_id == new.id
    with pytest.raises(ValidationError, match="replaced"):
        consent.replace_consent(session, old.id, consent.ConsentBatch(
            given_by_id=fam.parent.id, method="verbal_phone", items=[share_with(fam.senco)]), today=TODAY)
    with pytest.raises(ValidationError, match="replaced by a newer consent"):
        consent.withdraw_consent(session, old.id, "verbal_phone", today=TODAY)


def test_the_database_refuses_to_edit_a_consent_in_place(session):
    fam = family_case(session)
    [made] = signed(session, fam, share_with(fam.senco))
    conn = session.conn
    for statement in ("UPDATE consent SET expires_on = '2099-01-01' WHERE id = ?",
                      "UPDATE consent SET counterparty_person_id = NULL, counterparty_organisation_id = "
                      "counterparty_organisation_id WHERE id = ?",
                      "UPDATE consent SET signature = x'00' WHERE id = ?"):
        with pytest.raises(DatabaseError, match="never edited"):
            conn.execute(statement, (made.id,))
    consent.withdraw_consent(session, made.id, "verbal_phone", today=TODAY)
    with pytest.raises(DatabaseError, match="never edited"):
        conn.execute("UPDATE consent_withdrawal SET withdrawn_on = '2020-01-01'")
    # The soft-delete stamps stay changeable for a later, audited erasure.
    conn.execute("UPDATE consent SET version = version + 1, updated_by = 'manager' WHERE id = ?", (made.id,))


def test_audit_events_hold_ids_never_names(session):
    fam = family_case(session)
    [made] = signed(session, fam, share_with(fam.senco))
    consent.withdraw_consent(session, made.id, "in_writing", today=TODAY)
    rows = session.conn.execute("SELECT action, object_id, detail FROM audit_event WHERE action LIKE 'consent%'"
                                ).fetchall()
    assert [r[0] for r in rows] == ["consent_recorded", "consent_withdrawn"]
    assert all(r[1] == made.id for r in rows)
    for r in rows:
        assert "Hartley" not in r[2] and "Okafor" not in r[2] and "Hillside" not in r[2]


# What the case screen shows --------------------------------------------------------------------
def test_case_view_lists_consents_with_their_state(session):
    fam = family_case(session)
    soon = verbal(session, fam, "voicemail", given_on=date(2026, 6, 1), expires_on=date(2026, 12, 10))
    gone = verbal(session, fam, "contact_at_work")
    consent.withdraw_consent(session, gone.id, "verbal_phone", today=TODAY)
    live = verbal(session, fam, "messages_via_family")
    view = consent_views.case_consents(session, fam.case.id, today=TODAY)
    states = [(line.consent.id, line.state) for line in view.consents]
    assert states == [(soon.id, ConsentState.EXPIRING), (live.id, ConsentState.LIVE),
                      (gone.id, ConsentState.WITHDRAWN)]
    assert view.consents[0].text == "Voicemail and answerphone messages: expiring soon review by 10/12/2026 " \
                                    "(given by Dana Hartley)"
    assert [line.consent.id for line in view.in_force] == [soon.id, live.id]


def test_a_child_without_a_case_cannot_consent_to_sharing(session):
    kid = child(session)
    with pytest.raises(ValidationError, match="recorded in a case"):
        consent.record_consents(session, consent.ConsentBatch(
            given_by_id=kid.id, method="verbal_phone", items=[consent.ScopeItem("share_with")]), today=TODAY)
