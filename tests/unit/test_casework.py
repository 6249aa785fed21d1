"""Service-level tests of the casework rules: R1-R4, R8, R9, R14, R16, roles, firewall."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.errors import NotEligible, NotFound, PermissionDenied, StaleEdit, ValidationError
from app.services.casework import actions, cases, enquiries, notes, people, safeguarding, search
from app.services.casework.people import PersonInput
from tests.unit.casework_helpers import add_worker, adult, child, family, record


def _actions_logged(session, action):
    return session.conn.execute("SELECT count(*) FROM audit_event WHERE action = ?", (action,)).fetchone()[0]


# R1 -------------------------------------------------------------------------------------
def test_anonymous_enquiry_needs_no_person_and_still_counts(session):
    result = record(session, caller_role="anonymous", anonymous=True, anonymous_first_name="Sam",
                    anonymous_area="Eastfield", statement_shared=False)
    assert result.enquiry.is_anonymous and result.enquiry.caller_id is None
    assert result.enquiry.reference.startswith("ENQ-")
    assert session.conn.execute("SELECT count(*) FROM person").fetchone()[0] == 0
    assert [e.id for e in enquiries.recent_enquiries(session)] == [result.enquiry.id]


def test_anonymous_enquiry_cannot_name_the_caller_or_open_casework(session):
    with pytest.raises(ValidationError):
        record(session, anonymous=True, caller=PersonInput(kind="parent_carer", first_name="Jo"))
    with pytest.raises(ValidationError, match="anonymous"):
        record(session, anonymous=True, enquiry_type="casework")


# R2 -------------------------------------------------------------------------------------
def test_professional_referral_records_who_and_whether_family_agreed(session):
    senco = PersonInput(kind="professional", first_name="Priya", last_name="Okafor", job_title="SENCo",
                        organisation_name="Hillside Primary School")
    result = record(session, route="professional", referrer=senco, family_present=True, family_agreed=True,
                    caller=PersonInput(kind="parent_carer", first_name="Dana", last_name="Hartley"),
                    child=PersonInput(kind="child", first_name="Ellie", last_name="Hartley",
                                      date_of_birth="2015-01-02"),
                    relationship="mother", parental_responsibility=True)
    enquiry = result.enquiry
    assert enquiry.route == "professional" and enquiry.family_present == 1 and enquiry.family_agreed == 1
    referrer = people.get_person(session, enquiry.referrer_id)
    assert referrer.job_title == "SENCo"
    assert people.organisation_name(session, referrer.organisation_id) == "Hillside Primary School"


def test_professional_route_without_a_professional_is_refused(session):
    with pytest.raises(ValidationError, match="professional"):
        record(session, route="professional")


# R3 -------------------------------------------------------------------------------------
def test_casework_opens_for_a_parent_with_parental_responsibility(session):
    parent, kid = family(session, pr=True)
    result = record(session, caller_id=parent.id, child_id=kid.id, enquiry_type="casework")
    assert result.refusal is None and result.case.reference.startswith("CAS-")
    assert enquiries.get_enquiry(session, result.enquiry.id).enquiry_type == "casework"


def test_casework_refused_without_parental_responsibility_and_enquiry_stays_general(session):
    kid = child(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, kid.id, "grandparent", False)
    result = record(session, caller_id=gran.id, child_id=kid.id, enquiry_type="casework")
    assert result.case is None
    assert "parental responsibility" in result.refusal and "general information" in result.refusal
    assert enquiries.get_enquiry(session, result.enquiry.id).enquiry_type == "general"
    with pytest.raises(NotEligible, match="grandparent without parental responsibility"):
        cases.open_case(session, gran.id, kid.id)
    assert session.conn.execute("SELECT count(*) FROM casefile").fetchone()[0] == 0


def test_casework_opens_for_the_young_person_themself(session):
    yp = child(session, "Jordan", "Reeve", born="2008-06-01")
    case = cases.open_case(session, yp.id, yp.id, level="level_2")
    assert case.own_case == 1 and case.firewalled


def test_unrelated_adult_is_refused(session):
    kid = child(session)
    stranger = adult(session, "Lee", "Norris")
    with pytest.raises(NotEligible, match="not recorded as holding parental responsibility"):
        cases.open_case(session, stranger.id, kid.id)


# R4 -------------------------------------------------------------------------------------
def _separate_cases(session, data_dir):
    parent, kid = family(session, pr=True)
    yp_worker = add_worker(session, data_dir, "yasmin")
    parent_worker = add_worker(session, data_dir, "pat")
    yp_case = cases.open_case(session, kid.id, kid.id, worker="yasmin")
    parent_case = cases.open_case(session, parent.id, kid.id, worker="pat")
    notes.add_note(yp_worker, yp_case.id, "phone_call", date.today(), 20,
                   "Zebracorn worries about college placement, does not want mum told yet.")
    return parent, kid, yp_case, parent_case, yp_worker, parent_worker


def test_firewall_keeps_young_persons_case_from_parent_side(session, data_dir):
    parent, kid, yp_case, parent_case, yp_worker, parent_worker = _separate_cases(session, data_dir)
    assert search.search(parent_worker, "zebracorn") == []
    assert yp_case.id not in {c.id for c in cases.cases_of_person(parent_worker, kid.id)}
    with pytest.raises(PermissionDenied, match="restricted"):
        cases.get_case(parent_worker, yp_case.id)
    listed, _ = cases.list_cases(parent_worker)
    assert yp_case.id not in {c.id for c in listed}
    assert [h.kind for h in search.search(yp_worker, "zebracorn")] == ["note"]
    # The young person agrees: the firewall lifts.
    cases.record_young_person_agreement(yp_worker, yp_case.id, True)
    assert [h.case_id for h in search.search(parent_worker, "zebracorn")] == [yp_case.id]
    for other in (yp_worker, parent_worker):
        other.lock()


def test_only_a_manager_sees_the_link_between_separate_cases(session, data_dir):
    parent, kid, yp_case, parent_case, yp_worker, parent_worker = _separate_cases(session, data_dir)
    cases.link_cases(session, yp_case.id, parent_case.id, "Parent and young person contacted separately")
    assert [c.id for c in cases.linked_cases(session, parent_case.id)] == [yp_case.id]
    with pytest.raises(PermissionDenied):
        cases.linked_cases(parent_worker, parent_case.id)
    with pytest.raises(PermissionDenied):
        cases.link_cases(parent_worker, yp_case.id, parent_case.id, "x")
    for other in (yp_worker, parent_worker):
        other.lock()


# R8 -------------------------------------------------------------------------------------
def test_note_edits_keep_the_earlier_version(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    note = notes.add_note(session, case.id, "phone_call", date.today(), 15, "First words.")
    edited = notes.edit_note(session, note.id, "advice_given", date.today(), 20, "Second words.",
                             expected_version=note.version)
    assert edited.body == "Second words." and edited.version == 2
    assert [(r.version, r.body) for r in notes.history(session, note.id)] == [(1, "First words.")]
    with pytest.raises(StaleEdit):
        notes.edit_note(session, note.id, "advice_given", date.today(), 20, "Third", expected_version=1)
    assert "relevant" in notes.RELEVANCE_REMINDER


def test_an_edit_after_a_team_merge_keeps_every_earlier_text(session):
    """Two computers edited the same note from version 1: both kept revision 1, and the merged
    note can stand at a version whose number is already in its history. The next edit must
    still keep the replaced text, under a new number, instead of failing."""
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    note = notes.add_note(session, case.id, "phone_call", date.today(), 15, "First words.")
    notes.edit_note(session, note.id, "phone_call", date.today(), 15, "Second words.")
    notes.edit_note(session, note.id, "phone_call", date.today(), 15, "Third words.")
    session.conn.execute("UPDATE note SET version = 2 WHERE id = ?", (note.id,))  # as a merge can leave it
    notes.edit_note(session, note.id, "phone_call", date.today(), 15, "Fourth words.")
    history = [(r.version, r.body) for r in notes.history(session, note.id)]
    assert history == [(1, "First words."), (2, "Second words."), (3, "Third words.")]


def test_only_author_or_manager_edits_a_note(session, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    note = notes.add_note(session, case.id, "phone_call", date.today(), 15, "Manager's note.")
    other = add_worker(session, data_dir)
    with pytest.raises(PermissionDenied, match="author"):
        notes.edit_note(other, note.id, "phone_call", date.today(), 15, "Changed")
    other.lock()


@pytest.mark.parametrize("body,message", [
    ("", "Enter the note"),
    ("   \n  ", "Enter the note"),
    ("bad\x00byte", "control character"),
    ("x" * 20_001, "at most 20,000"),
])
def test_bad_note_text_is_refused_and_nothing_saved(session, body, message):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    with pytest.raises(ValidationError, match=message):
        notes.add_note(session, case.id, "phone_call", date.today(), 5, body)
    assert session.conn.execute("SELECT count(*) FROM note").fetchone()[0] == 0


def test_unicode_and_rtl_text_round_trips(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    text = "Parent prefers Arabic: مرحبا بكم — interpreter booked. Emoji ok 👍, Zoë, Łukasz."
    note = notes.add_note(session, case.id, "meeting", date.today(), 60, text)
    assert notes.notes_for_case(session, case.id)[0].body == text
    assert note.id in {h.ref_id for h in search.search(session, "مرحبا")}


def test_impossible_and_future_dates_are_refused(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    with pytest.raises(ValidationError, match="not a real date"):
        notes.add_note(session, case.id, "phone_call", "31/02/2026", 5, "x")
    with pytest.raises(ValidationError, match="future"):
        notes.add_note(session, case.id, "phone_call", date.today() + timedelta(days=2), 5, "x")
    with pytest.raises(ValidationError, match="future"):
        child(session, born=(date.today() + timedelta(days=1)).isoformat())
    with pytest.raises(ValidationError, match="0 to 25"):
        child(session, born="1990-01-01")
    future_call = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        record(session, received_at=future_call)


# R9 -------------------------------------------------------------------------------------
def test_contact_preferences_banner(session):
    parent = adult(session)
    banner = parent.contact_banner()
    assert "OK: Mobile" in banner and "DO NOT use: Work phone" in banner and "Not yet asked:" in banner
    updated = people.set_contact_preferences(session, parent.id, note="Only after 3pm", ok_voicemail=False,
                                             ok_email=True)
    assert "Voicemail" in updated.contact_permissions()["not_allowed"]
    assert "Email" in updated.contact_permissions()["allowed"]
    assert updated.contact_banner().endswith("Only after 3pm")


# R14 ------------------------------------------------------------------------------------
def test_confidentiality_statement_recorded_with_version_and_person(session):
    enquiry = record(session).enquiry
    assert enquiry.statement_shared == 1 and enquiry.statement_how == "verbal"
    assert enquiry.statement_by == "manager" and enquiry.statement_version == "v1"
    version, text = enquiries.statement_text()
    assert version == "v1" and "confidential" in text


# R16 ------------------------------------------------------------------------------------
def test_safeguarding_visible_to_manager_and_worker_only(session, data_dir):
    parent, kid = family(session)
    worker = add_worker(session, data_dir, "wendy")
    other = add_worker(session, data_dir, "oscar")
    case = cases.open_case(session, parent.id, kid.id, worker="wendy")
    concern = safeguarding.raise_concern(worker, case.id, date.today(), "Bruise noticed; parent's account "
                                         "inconsistent.", referred_to="Children's social care", external_reference="MASH-1")
    assert [c.id for c in safeguarding.concerns_for_case(session, case.id)] == [concern.id]
    with pytest.raises(PermissionDenied, match="restricted"):
        safeguarding.concerns_for_case(other, case.id)
    assert search.search(other, "Bruise") == []
    worker.lock()
    other.lock()


def test_incident_sets_staff_safety_marker_and_is_restricted(session, data_dir):
    parent, kid = family(session)
    worker = add_worker(session, data_dir, "wendy")
    other = add_worker(session, data_dir, "oscar")
    cases.open_case(session, parent.id, kid.id, worker="wendy")
    safeguarding.record_incident(other, parent.id, date.today(), "Shouted and threatened staff at the door.")
    marked = people.get_person(other, parent.id)
    assert marked.staff_safety_marker == 1 and marked.staff_safety_note == "Do not visit alone"
    assert len(safeguarding.incidents_for_person(worker, parent.id)) == 1
    with pytest.raises(PermissionDenied):
        safeguarding.incidents_for_person(other, parent.id)
    worker.lock()
    other.lock()


# Roles and audit --------------------------------------------------------------------------
def test_volunteer_handles_general_information_only(session, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    notes.add_note(session, case.id, "phone_call", date.today(), 5, "Quokkaberry advice given.")
    vol = add_worker(session, data_dir, "vic", role="volunteer")
    assert record(vol).enquiry.enquiry_type == "general"
    with pytest.raises(PermissionDenied, match="Volunteers"):
        record(vol, caller_id=parent.id, child_id=kid.id, enquiry_type="casework")
    with pytest.raises((PermissionDenied, NotFound)):  # a volunteer's compartment holds no cases
        cases.get_case(vol, case.id)
    with pytest.raises(PermissionDenied):
        cases.list_cases(vol)
    assert search.search(vol, "Quokkaberry") == []
    assert {h.kind for h in search.search(vol, "Hartley")} == {"person"}
    vol.lock()


def test_every_view_of_a_person_or_case_is_audited(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    before = (_actions_logged(session, "view_case"), _actions_logged(session, "view_person"))
    cases.get_case(session, case.id)
    people.get_person(session, kid.id)
    assert (_actions_logged(session, "view_case"), _actions_logged(session, "view_person")) == \
        (before[0] + 1, before[1] + 1)
    detail = session.conn.execute("SELECT detail, object_id FROM audit_event WHERE action = 'view_person'").fetchone()
    assert "Hartley" not in detail[0] and detail[1] == kid.id


# Actions and cases ----------------------------------------------------------------------
def test_due_today_and_overdue_lists(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 1, 5))
    today = date(2026, 11, 25)
    late = actions.add_action(session, case.id, "Chase the LA for the draft plan", date(2026, 11, 20))
    due = actions.add_action(session, case.id, "Call Dana back", today)
    actions.add_action(session, case.id, "Prepare for annual review", date(2026, 12, 3))
    done = actions.add_action(session, case.id, "Send leaflet", date(2026, 11, 1))
    actions.complete_action(session, done.id)
    lists = actions.my_due_actions(session, today=today)
    assert [a.id for a in lists.overdue] == [late.id]
    assert [a.id for a in lists.due_today] == [due.id]
    assert lists.overdue[0].case_reference == case.reference


def test_case_list_filters_sorts_and_pages(session):
    kid = child(session)
    made = []
    for i in range(5):
        parent = adult(session, f"Parent{i}", f"Surname{i}")
        people.link_relationship(session, parent.id, kid.id, "other", True)
        made.append(cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 1, 1 + i)))
    cases.close_case(session, made[0].id, "resolved", ["better_informed"], closed_on=date(2026, 2, 1))
    rows, total = cases.list_cases(session, cases.CaseQuery(status="open", sort="opened", limit=2))
    assert total == 4 and [r.id for r in rows] == [made[4].id, made[3].id]
    rows, _ = cases.list_cases(session, cases.CaseQuery(status="closed"))
    assert [r.id for r in rows] == [made[0].id]
    closed = cases.get_case(session, made[0].id)
    assert closed.outcomes == ["better_informed"] and closed.closure_reason == "resolved"


def test_closing_before_opening_is_refused(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id, opened_on=date(2026, 5, 1))
    with pytest.raises(ValidationError, match="before the day it opened"):
        cases.close_case(session, case.id, "resolved", [], closed_on=date(2026, 4, 1))


def test_search_finds_people_cases_and_notes(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    notes.add_note(session, case.id, "meeting", date.today(), 30, "Discussed the tribunal bundle deadline.")
    kinds = {h.kind for h in search.search(session, "Hartley")}
    assert kinds == {"person", "case"}
    assert search.search(session, case.reference)[0].ref_id == case.id
    hit = search.search(session, "tribun")[0]
    assert hit.kind == "note" and "\x02tribunal\x03" in hit.snippet and "tribunal" in hit.plain_snippet
    assert hit.on == date.today().isoformat()  # the note's date
    assert search.search(session, case.reference)[0].on == case.opened_on
    assert search.search(session, '"; DROP TABLE note; --') == []
    assert search.search(session, "") == []


def test_search_matches_what_is_being_typed(session):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    notes.add_note(session, case.id, "meeting", date.today(), 30, "Zoë explained the tribunal bundle.")
    assert {h.kind for h in search.search(session, "tribu")} == {"note"}      # long prefix, expanded
    assert {h.kind for h in search.search(session, "tri")} == {"note"}        # short prefix, indexed
    assert {h.kind for h in search.search(session, "zoe tribunal")} == {"note"}  # diacritics folded
    assert search.search(session, "tribunalx") == []
    assert search.search(session, "bund zoe") == []  # earlier words must be whole words


def test_not_yet_asked_lists_only_what_their_details_make_usable(session):
    """The banner listed every channel as "not yet asked" for everyone, even with no number,
    email or address to use them with."""
    nothing = people.create_person(session, PersonInput(kind="parent_carer", first_name="Priya", last_name="Shah"))
    assert nothing.contact_permissions()["not_asked"] == []
    assert nothing.contact_banner() == "no contact details recorded"
    emailed = people.create_person(session, PersonInput(kind="parent_carer", first_name="Tom", last_name="Reed",
                                                        email="tom.reed@example.org", postcode="NE1 4AB"))
    assert emailed.contact_permissions()["not_asked"] == ["Email", "Post"]
    worker = people.create_person(session, PersonInput(kind="parent_carer", first_name="Ann", last_name="Bell",
                                                       phone_work="0191 496 0000", ok_voicemail=0))
    assert worker.contact_permissions() == {"allowed": [], "not_allowed": ["Voicemail"],
                                            "not_asked": ["Work phone", "Message with colleague"]}
