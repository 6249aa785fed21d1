"""The case view: notes (R8 reminder on the form, edits keep history), actions, consent and
the disclosure log (a refusal, then the override path), and the Safeguarding tab only for
those allowed to see it."""

from datetime import date, timedelta

from PySide6.QtWidgets import QStyledItemDelegate

from app.services.casework import actions, cases, notes
from app.services.consent import disclosures
from tests.ui.casework_support import make_workspace, wait_idle
from tests.unit.casework_helpers import add_worker, family
from tests.unit.consent_helpers import family_case
from ui.dialogs import messages
from ui.views.case_notes_tab import FIRST_NOTES, MORE_NOTES, NoteRole


def _open_case(qtbot, session, ops, data_dir, case_id):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", case_id)
    assert view is not None and workspace.stack.currentWidget() is workspace.casework.records
    wait_idle(qtbot, ops)   # the tabs are read on the worker
    return workspace, view


def _save(qtbot, ops, dialog):
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    wait_idle(qtbot, ops)


def test_add_and_edit_a_note_keeps_its_history(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    tab = view.show_tab("notes")
    assert tab.empty.isVisible()

    dialog = tab.add()
    qtbot.waitExposed(dialog)
    assert dialog.reminder.isVisible() and dialog.reminder.text() == notes.RELEVANCE_REMINDER
    assert dialog.windowTitle() == "Add a note"
    dialog.body.setPlainText("Mum called about the annual review date.")
    dialog.minutes.setValue(20)
    _save(qtbot, ops, dialog)
    assert tab.list.count() == 1 and "20 min" in tab.list.item(0).text()
    assert tab.text.toPlainText() == "Mum called about the annual review date."

    dialog = tab.edit()
    qtbot.waitExposed(dialog)
    assert dialog.reminder.isVisible()
    dialog.body.setPlainText("Mum called about the annual review: it is on 3 March.")
    _save(qtbot, ops, dialog)
    assert tab.list.count() == 1 and "edited" in tab.list.item(0).text()
    assert "3 March" in tab.text.toPlainText()

    history = tab.history()
    text = history.text.toPlainText()
    assert "Current version (version 2)" in text and "3 March" in text
    assert "Version 1, written by Test Manager" in text and "annual review date." in text
    history.close()


def test_cancelling_a_changed_note_asks_first(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    dialog = view.show_tab("notes").add()
    qtbot.waitExposed(dialog)
    dialog.body.setPlainText("Something relevant")
    messages.set_next_answer(False)
    dialog.cancel_button.click()
    assert dialog.isVisible()
    messages.set_next_answer(True)
    dialog.cancel_button.click()
    assert not dialog.isVisible() and notes.notes_for_case(session, case.id) == []


def test_add_and_complete_an_action(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id, opened_on=date.today() - timedelta(days=30))
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    tab = view.show_tab("actions")
    dialog = tab.add()
    qtbot.waitExposed(dialog)
    dialog.title_edit.setText("Send the draft plan response")
    _save(qtbot, ops, dialog)
    assert tab.tree.topLevelItemCount() == 1
    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    assert tab.done_button.isEnabled()
    tab.done_button.click()
    wait_idle(qtbot, ops)
    assert actions.actions_for_case(session, case.id)[0].done_at
    assert tab.tree.topLevelItem(0).text(3)  # the time it was done
    assert tab.undo_button.isEnabled() and not tab.done_button.isEnabled()


def test_disclosure_without_consent_shows_the_refusal_then_the_override_path(qtbot, session, ops, data_dir):
    fam = family_case(session, opened_on=date.today() - timedelta(days=60))
    _, view = _open_case(qtbot, session, ops, data_dir, fam.case.id)
    tab = view.show_tab("consent")
    assert tab.consents.empty.isVisible() and tab.disclosures.empty.isVisible()
    dialog = tab.record_disclosure()
    qtbot.waitExposed(dialog)
    dialog.party.setCurrentIndex(dialog.party.findText("Priya Okafor (SENCo, Hillside Primary School)"))
    dialog.what.setPlainText("That the family has contacted the service.")
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.overriding
    assert "No live consent covers sharing information with Priya Okafor" in dialog.refusal.text()
    assert dialog.reason.isVisible() and dialog.ok_button.text() == "Record override"
    assert disclosures.disclosures_for_case(session, fam.case.id) == []

    dialog.ok_button.click()  # no lawful reason yet
    assert "lawful reason" in dialog.errors._fields["lawful_reason"][1].text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("safeguarding"))
    dialog.justification.setPlainText("Immediate risk to the child; social care asked today.")
    _save(qtbot, ops, dialog)
    logged = disclosures.disclosures_for_case(session, fam.case.id)
    assert [d.basis for d in logged] == ["override"]
    assert tab.disclosures.count() == 1 and "awaiting the manager's review" in tab.disclosures.text(0)


def test_consent_tab_opens_the_consent_capture_dialog(qtbot, session, ops, data_dir):
    fam = family_case(session)
    _, view = _open_case(qtbot, session, ops, data_dir, fam.case.id)
    dialog = view.show_tab("consent").record_consent()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Record consent" and dialog.giver.count() >= 1
    dialog.reject()


def test_safeguarding_tab_only_for_the_manager_and_the_worker(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    other = add_worker(session, data_dir)
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    assert "safeguarding" in view.tabs_by_name
    dialog = view.show_tab("safeguarding").raise_concern()
    qtbot.waitExposed(dialog)
    dialog.description.setPlainText("Child disclosed worries at home.")
    _save(qtbot, ops, dialog)
    assert view.tabs_by_name["safeguarding"].list.count() == 1

    workspace = make_workspace(qtbot, other, ops, data_dir)
    theirs = workspace.open_record("case", case.id)
    wait_idle(qtbot, ops)   # the tabs are built while the case is read
    assert "safeguarding" not in theirs.tabs_by_name
    assert [theirs.tabs.tabText(i) for i in range(theirs.tabs.count())] == [
        "&Summary", "&Notes", "Ac&tions", "&Consent && sharing", "Doc&uments"]
    other.lock()


def test_closing_and_reopening_a_case(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    summary = view.show_tab("summary")
    assert "Contact preferences:" in summary.contact.banner.text()
    dialog = summary.close_case()
    qtbot.waitExposed(dialog)
    dialog.ok_button.click()
    assert "Choose why" in dialog.errors._fields["closure_reason"][1].text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("resolved"))
    messages.set_next_answer(True)  # no notes and no outcome: "Close anyway"
    _save(qtbot, ops, dialog)
    assert "no notes" in messages.last_shown[1]
    assert view.status.text().startswith("Closed") and summary.reopen_button.isVisible()
    messages.set_next_answer(True)
    summary.reopen_button.click()
    wait_idle(qtbot, ops)
    assert view.status.text() == "Open" and cases.load_case(session, case.id).status == "open"


def test_a_case_with_hundreds_of_notes_lists_the_newest_at_once_and_the_rest_between_events(qtbot, session, ops,
                                                                                           data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    start = date(2020, 1, 1)
    made = [notes.add_note(session, case.id, "phone_call", start + timedelta(days=i), 5, f"Call number {i}.")
            for i in range(300)]
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    tab = view.show_tab("notes")
    tab.show_case(case)        # listed again here: waiting for the worker let the rest fill meanwhile
    assert tab.count.text() == "300 notes"
    assert tab.list.count() == FIRST_NOTES and tab.listing      # the window is not held for the rest
    assert "Call number 299." in tab.list.item(0).text()
    assert tab.select(made[0].id)                                 # the oldest, asked for: listed down to it
    assert tab.selected().id == made[0].id and tab.list.count() == 300
    tab.show_case(case)
    qtbot.waitUntil(lambda: not tab.listing, timeout=5000)
    assert [tab.list.item(i).data(NoteRole).id for i in (0, 299)] == [made[299].id, made[0].id]


class _CountingDelegate(QStyledItemDelegate):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.measured = 0

    def sizeHint(self, option, index):  # noqa: N802 (Qt's name)
        self.measured += 1
        return super().sizeHint(option, index)


def test_a_layout_of_a_long_notes_list_measures_one_batch_of_notes_per_turn(qtbot, session, ops, data_dir):
    # Failed before: the notes list was laid out in one pass, each note's word-wrapped text
    # measured, every time a batch was added or the list was reloaded after a save: hundreds of
    # notes measured in one turn of the event loop. Now MORE_NOTES a turn.
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    for i in range(300):
        notes.add_note(session, case.id, "phone_call", date(2020, 1, 1) + timedelta(days=i), 5, f"Call number {i}.")
    _, view = _open_case(qtbot, session, ops, data_dir, case.id)
    tab = view.show_tab("notes")
    tab.show_case(case)
    qtbot.waitUntil(lambda: not tab.listing, timeout=5000)
    delegate = _CountingDelegate(tab.list)
    tab.list.setItemDelegate(delegate)
    tab.list.doItemsLayout()              # the layout a reload or a resize asks for, in one turn
    assert 0 < delegate.measured <= 2 * MORE_NOTES
    qtbot.waitUntil(lambda: delegate.measured >= 300, timeout=5000)   # the rest, turn by turn
