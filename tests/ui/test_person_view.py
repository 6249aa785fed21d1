"""A person's record: family with parental responsibility, cases, the staff-safety marker
at the top, incidents (restricted for others), and editing details and preferences."""

from datetime import date

from app.services.casework import cases, people, safeguarding
from tests.ui.casework_support import make_workspace, wait_idle
from tests.unit.casework_helpers import add_worker, family


def test_person_shows_family_cases_marker_and_incidents(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    safeguarding.record_incident(session, parent.id, date.today(), "Shouted at a caseworker on a visit.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("person", parent.id)
    assert view.safety.isVisible() and "Do not visit alone" in view.safety.text()
    assert view.family.text(0) == "Mother of Ellie Hartley · has parental responsibility"
    assert case.reference in view.cases.text(0)
    assert "Shouted at a caseworker" in view.incidents.text(0)
    view.family.activate(0)
    child_view = workspace.casework.records.tabs.currentWidget()
    assert child_view.record_id == kid.id and child_view.family.text(0).startswith("Dana Hartley, mother")

    other = add_worker(session, data_dir)
    their_workspace = make_workspace(qtbot, other, ops, data_dir)
    theirs = their_workspace.open_record("person", parent.id)
    assert theirs.safety.isVisible()  # everyone sees the marker
    assert theirs.incidents.count() == 0 and theirs.incidents.empty.text().startswith("Restricted")
    other.lock()


def test_edit_details_and_contact_preferences(qtbot, session, ops, data_dir):
    parent, _kid = family(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("person", parent.id)
    assert view.window().windowTitle() != "Dana Hartley"
    dialog = view.edit()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Edit details" and "Dana Hartley" in dialog.heading.text()
    dialog.edits["phone_work"].setText("not a number")
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert "may only hold digits" in dialog.errors._fields["phone_work"][1].text()
    dialog.edits["phone_work"].setText("01632 960123")
    dialog.edits["area"].setText("Eastfield")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    wait_idle(qtbot, ops)
    assert "phone_work" in view.contact.values and "Work phone (do not use)" in [
        view.contact.grid.itemAtPosition(r, 0).widget().text() for r in range(view.contact.grid.rowCount())
        if view.contact.grid.itemAtPosition(r, 0)]

    prefs = view.edit_preferences()
    qtbot.waitExposed(prefs)
    prefs.choices["ok_work"].setCurrentIndex(prefs.choices["ok_work"].findData(True))
    prefs.note.setText("Only after 3pm")
    prefs.ok_button.click()
    qtbot.waitUntil(lambda: not prefs.isVisible(), timeout=5000)
    wait_idle(qtbot, ops)
    assert "OK: Mobile, Work phone" in view.contact.banner.text() and view.contact.banner.text().endswith("Only after 3pm")
    assert people.peek_person(session, parent.id).area == "Eastfield"
