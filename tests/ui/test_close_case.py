"""Closing a case that still has open actions, no notes or no outcome asks first and says
what is missing; "Go back" keeps the dialog and everything chosen in it."""

from datetime import date

from app.services.casework import actions, cases, notes
from tests.unit.consent_helpers import family_case
from ui.dialogs import messages
from ui.dialogs.case_dialogs import CloseCaseDialog


def _dialog(qtbot, session, ops, fam):
    dialog = CloseCaseDialog(session, ops, cases.load_case(session, fam.case.id))
    qtbot.addWidget(dialog, before_close_func=lambda d: d.guard.mark_clean())
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.reason.setCurrentIndex(1)
    return dialog


def test_closing_with_gaps_asks_and_going_back_keeps_the_form(qtbot, session, ops):
    fam = family_case(session)
    actions.add_action(session, fam.case.id, "Ring the school", date(2026, 12, 2))
    dialog = _dialog(qtbot, session, ops, fam)
    messages.set_next_answer(False)  # "Go back"
    dialog.ok_button.click()
    title, text = messages.last_shown
    assert title == "Close the case anyway?"
    assert "1 action is still open." in text and "no notes" in text and "No outcome" in text
    assert dialog.isVisible() and dialog.reason.currentIndex() == 1
    assert cases.load_case(session, fam.case.id).status == "open"

    messages.set_next_answer(True)  # "Close anyway"
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.ok_button.click()
    assert cases.load_case(session, fam.case.id).status == "closed"


def test_a_complete_case_closes_without_a_question(qtbot, session, ops):
    fam = family_case(session)
    notes.add_note(session, fam.case.id, "phone_call", date(2026, 1, 6), 10, "Spoke about the plan.")
    dialog = _dialog(qtbot, session, ops, fam)
    dialog.outcomes.item(0).setCheckState(dialog.outcomes.item(0).checkState().Checked)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.ok_button.click()  # an unscripted question would fail the test
    assert cases.load_case(session, fam.case.id).status == "closed"
