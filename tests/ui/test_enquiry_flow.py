"""Taking a call: anonymous (R1), a parent with parental responsibility (casework opens and
the case shows), a grandparent without it (R3: refused plainly, the enquiry stays general),
errors beside the field, and a cancelled form that asks first."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.choices import Relationship
from app.services.casework import enquiries, people
from tests.ui.casework_support import activate, make_workspace, pick, wait_idle
from tests.unit.casework_helpers import adult, child
from ui.dialogs import messages


def _new_form(qtbot, workspace):
    activate(qtbot, workspace)
    workspace.nav.setFocus()
    qtbot.keyClick(workspace.nav, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = workspace.casework.enquiry_form
    assert form is not None
    qtbot.waitExposed(form)
    activate(qtbot, form)
    return form


def _people_count(session):
    return len(people.find_people(session, limit=1000))


def test_anonymous_call_is_recorded_with_no_person(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    assert form.windowTitle() == "New enquiry"
    assert form.who.caller.isVisible() and not form.who.anon_first.isVisible()
    qtbot.keyClick(form, "a", Qt.KeyboardModifier.AltModifier)  # the checkbox's mnemonic
    qtbot.waitUntil(form.who.anonymous.isChecked, timeout=2000)  # buttons "animate" the click
    assert not form.who.caller.isVisible() and not form.who.child.isVisible() and form.who.anon_first.isVisible()
    assert not form.subject.type_casework.isEnabled()
    form.who.anon_first.setFocus()
    qtbot.keyClicks(form.who.anon_first, "Sam")
    form.subject.first_contact.shared.setChecked(True)
    # Enter moves on: it never saves (a stray Enter mid-call would file half an enquiry).
    qtbot.keyClick(form.who.anon_first, Qt.Key.Key_Return)
    assert form.isVisible() and not ops.busy and form.focusWidget() is not form.who.anon_first
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        qtbot.keyClick(form.who.anon_first, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    enquiry = saved.args[0].enquiry
    assert enquiry.is_anonymous and enquiry.caller_id is None and enquiry.child_id is None
    assert enquiry.anonymous_first_name == "Sam" and enquiry.statement_how == "verbal"
    # The Enquiries page reloads on the worker after the save: the test reads the database
    # only once the worker is idle, as the window does (one thread on the connection at a time).
    wait_idle(qtbot, ops)
    assert _people_count(session) == 0
    assert workspace.stack.currentWidget() is workspace.casework.enquiries
    assert enquiry.reference in workspace.casework.enquiries.outcome.text()


def test_parent_with_parental_responsibility_opens_casework_and_the_case_shows(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    # Nobody on record yet: both are added inline, from what was typed into the search.
    form.who.caller.search_edit.setFocus()
    qtbot.keyClicks(form.who.caller.search_edit, "Dana Hartley")
    assert "Nobody on record matches" in form.who.caller.chosen.text()
    popup = form.who.caller.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)  # the only line: add them as someone new
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.who.caller.is_new and form.isVisible()
    assert form.who.caller.new_edits["first_name"].hasFocus()
    assert form.who.caller.new_edits["first_name"].text() == "Dana"
    assert form.who.caller.new_edits["last_name"].text() == "Hartley"
    form.who.caller.new_edits["phone_mobile"].setText("07700 900456")
    form.who.child.new_button.click()
    form.who.child.new_edits["first_name"].setText("Ellie")
    form.who.child.new_edits["last_name"].setText("Hartley")
    form.who.child.new_edits["date_of_birth"].setText("09/03/2014")
    form.who.relationship.setCurrentIndex(form.who.relationship.findData(Relationship.MOTHER.value))
    form.who.parental_responsibility.setChecked(True)
    form.subject.type_casework.setChecked(True)
    assert form.subject.casework_box.isVisible()
    form.subject.topics.item(0).setCheckState(Qt.CheckState.Checked)
    form.subject.summary.setPlainText("Asked how to request an EHC needs assessment.")
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        form.save_button.click()

    result = saved.args[0]
    assert result.refusal is None and result.case is not None
    records = workspace.casework.records
    qtbot.waitUntil(lambda: workspace.stack.currentWidget() is records and bool(records.views()), timeout=5000)
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)   # the case's tabs are read on the worker
    view = records.tabs.currentWidget()
    assert view.kind == "case" and view.record_id == result.case.id
    assert view.heading.text() == f"Case {result.case.reference}"
    assert "Dana Hartley" in view.subheading.text()
    assert enquiries.get_enquiry(session, result.enquiry.id).enquiry_type == "casework"
    # She gave her mobile to be called back on: not "Mobile (not yet asked)"; and the banner
    # asks only about what her details make usable, not every channel there is.
    from ui.widgets.contact_card import ContactCard

    card = view.findChild(ContactCard)
    qtbot.waitUntil(lambda: "phone_mobile" in card.values, timeout=3000)
    labels = [card.grid.itemAtPosition(0, 0).widget().text()]
    assert labels == ["Mobile"]
    assert card.banner.text() == ("Contact preferences: OK: Mobile · Not yet asked: Voicemail, "
                                  "Message with family")


def test_grandparent_without_parental_responsibility_is_refused_plainly(qtbot, session, ops, data_dir):
    kid = child(session)
    gran = adult(session, "Maureen", "Hartley", kind="family_member")
    people.link_relationship(session, gran.id, kid.id, "grandparent", False)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    form.who.caller_role.setCurrentIndex(form.who.caller_role.findData("family_member"))
    assert pick(qtbot, form.who.caller, "Maur").id == gran.id
    assert pick(qtbot, form.who.child, "Ell").id == kid.id
    # What is recorded between them shows at once.
    assert form.who.relationship.currentData() == "grandparent" and not form.who.parental_responsibility.isChecked()
    form.subject.type_casework.setChecked(True)
    form.subject.summary.setPlainText("Asked about her grandson's annual review.")
    messages.set_next_answer(True)  # the refusal's message box
    with qtbot.waitSignal(form.saved, timeout=5000) as saved:
        form.save_button.click()

    result = saved.args[0]
    assert result.case is None
    title, text = messages.last_shown
    assert title == "Casework not opened"
    assert "parental responsibility" in text and f"{result.enquiry.reference} is saved as general information" in text
    assert enquiries.get_enquiry(session, result.enquiry.id).enquiry_type == "general"
    wait_idle(qtbot, ops)
    assert workspace.stack.currentWidget() is workspace.casework.enquiries
    assert "casework was not opened" in workspace.casework.enquiries.outcome.text()


def test_errors_show_beside_the_field_and_nothing_is_saved(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    form.who.route_professional.setChecked(True)
    form.save_button.click()
    wait_idle(qtbot, ops)
    referrer_error = form.errors._fields["referrer"][1]
    assert referrer_error.isVisible() and "professional" in referrer_error.text()

    form.who.route_self.setChecked(True)
    form.who.child.new_button.click()
    form.who.child.new_edits["first_name"].setText("Ellie")
    form.who.child.new_edits["date_of_birth"].setText("31/02/2014")
    form.save_button.click()
    dob_error = form.errors._fields["child.date_of_birth"][1]
    assert dob_error.isVisible() and "not a real date" in dob_error.text()
    assert form.who.child.new_edits["date_of_birth"].hasFocus()
    assert form.isVisible() and enquiries.recent_enquiries(session) == []
    messages.set_next_answer(True)
    form.reject()


def test_cancelling_a_form_with_changes_asks_first(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    form.reject()  # untouched: closes without asking (an unscripted box would fail the test)
    assert not form.isVisible()

    form = _new_form(qtbot, workspace)
    form.subject.summary.setPlainText("Half-way through the call")
    messages.set_next_answer(False)  # "Keep editing"
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert form.isVisible() and messages.last_shown[0] == "Discard changes?"
    assert form.subject.summary.toPlainText() == "Half-way through the call"
    messages.set_next_answer(True)
    form.cancel_button.click()
    assert not form.isVisible()
    assert enquiries.recent_enquiries(session) == []


def test_tab_order_follows_the_form(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    qtbot.waitUntil(form.who.channel.hasFocus, timeout=2000)  # the time defaults to now
    seen = []
    for _ in range(18):
        widget = QApplication.focusWidget()
        seen.append(widget.accessibleName() or widget.text().replace("&", ""))
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert seen[:11] == ["Channel", "Caller role", "Anonymous caller", "Self-referral", "Caller: find by name",
                         "Caller: add someone new", "Child: find by name", "Child: add someone new",
                         "Relationship to the child", "Has parental responsibility", "General information"]
    assert seen[11:15] == ["Topics", "Summary", "Confidentiality statement shared",
                           "Show the confidentiality statement"]
    # Then the buttons, and round to the date: one stop, not day, month, year, hour, minute.
    assert seen[15:] == ["Save enquiry", "Cancel", "Date and time of the contact"]


def test_parental_responsibility_needs_a_relationship(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    form.who.parental_responsibility.setChecked(True)  # but no relationship chosen
    form.save_button.click()
    error = form.errors._fields["relationship"][1]
    assert error.isVisible() and "parental responsibility can be recorded" in error.text()
    assert enquiries.recent_enquiries(session) == []
    messages.set_next_answer(True)
    form.reject()


def test_enter_scrolls_the_form_to_the_field_it_moves_to(qtbot, session, ops, data_dir):
    """Enter moved the focus to fields scrolled out of sight, on a screen too short for the form."""
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    form.setMinimumSize(form.minimumWidth(), 200)
    form.resize(form.minimumWidth(), 300)
    qtbot.waitUntil(lambda: form.scroll.verticalScrollBar().maximum() > 150, timeout=2000)
    form.who.channel.setFocus()
    viewport = form.scroll.viewport()
    reached_below = False
    for _ in range(40):
        focused = QApplication.focusWidget()
        if focused is None or not form.body.isAncestorOf(focused) or focused is form.subject.summary:
            break  # (Enter in the summary is a new line)
        qtbot.keyClick(focused, Qt.Key.Key_Return)
        landed = QApplication.focusWidget()
        if landed is None or not form.body.isAncestorOf(landed):
            break
        top = landed.mapTo(viewport, landed.rect().topLeft()).y()
        bottom = top + min(landed.height(), 30)  # a tall box: its first line, where the cursor is
        assert 0 <= top and bottom <= viewport.height(), (landed.accessibleName(), top, bottom)
        reached_below = reached_below or form.scroll.verticalScrollBar().value() > 0
    assert reached_below, "the walk never needed to scroll: make the form shorter"
    assert form.isVisible()
    form.guard.mark_clean()
    form.reject()


def test_the_person_pop_up_shows_each_line_whole(qtbot, session, ops, data_dir):
    """"born 02/02/20…": the pop-up was as narrow as the search box and cut the year off."""
    kid = child(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    form = _new_form(qtbot, workspace)
    picker = form.who.child
    picker.search_edit.setFocus()
    qtbot.keyClicks(picker.search_edit, "Ell")
    popup = picker.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    line = picker.model.item(0).text()
    assert kid.date_of_birth[:4] in line
    assert popup.viewport().width() >= popup.fontMetrics().horizontalAdvance(line) + 8
    popup.hide()
    form.guard.mark_clean()
    form.reject()
