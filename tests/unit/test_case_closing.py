"""Closing a case with open actions, no notes or no outcome: the rule says what is missing.
(Who may ask is proved by tests/security/test_role_matrix.py.)"""

from datetime import date

from app.domain.case_closing import closing_gaps
from app.services.casework import actions, notes
from app.services.casework.case_closing import gaps_before_closing
from tests.unit.consent_helpers import family_case


def test_the_rule_names_each_gap_in_plain_words():
    assert closing_gaps(0, 3, 1) == []
    assert closing_gaps(1, 3, 1) == ["1 action is still open."]
    assert closing_gaps(2, 0, 0) == ["2 actions are still open.", "The case has no notes.", "No outcome is chosen."]


def test_the_service_counts_open_actions_and_notes_of_this_case_only(session):
    fam = family_case(session)
    other = family_case(session)
    assert gaps_before_closing(session, fam.case.id, []) == ["The case has no notes.", "No outcome is chosen."]
    action = actions.add_action(session, fam.case.id, "Ring the school", date(2026, 12, 2))
    actions.add_action(session, other.case.id, "Ring the other school", date(2026, 12, 2))
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 1, 6), 10, "Spoke about the plan.")
    assert gaps_before_closing(session, fam.case.id, ["better_informed"]) == ["1 action is still open."]
    actions.complete_action(session, action.id)
    assert gaps_before_closing(session, fam.case.id, ["better_informed"]) == []

