"""What a volunteer sees (general-information enquiries and finding people, nothing of
casework), and what locking takes away."""

from app.services.casework import cases, enquiries, notes
from tests.ui.casework_support import make_workspace
from tests.ui.conftest import unlock
from tests.unit.casework_helpers import add_worker, family


def test_volunteer_sees_no_casework_pages(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    notes.add_note(session, case.id, "meeting", "2026-01-05", 10, "Hartley family meeting notes.")
    volunteer = add_worker(session, data_dir, "vic", role="volunteer")
    workspace = make_workspace(qtbot, volunteer, ops, data_dir)
    assert list(workspace.pages) == ["Home", "Enquiries", "Search", "Records", "Settings", "Backup & restore"]
    assert workspace.casework.cases is None
    home = workspace.home_view
    assert not hasattr(home, "my_cases") and hasattr(home, "my_enquiries")

    form = workspace.casework.new_enquiry()
    qtbot.waitExposed(form)
    assert not form.subject.type_casework.isVisible() and "Volunteers record general information" in form.subject.type_hint.text()
    form.reject()

    hits = workspace.casework.search.run_search("Hartley")
    assert hits and {h.kind for h in hits} == {"person"}
    person = workspace.open_record("person", parent.id)
    assert person.cases.empty.text() == "Casework is for caseworkers and the manager."
    assert "Restricted" in person.incidents.empty.text()
    # The service refuses a volunteer's edits; the screen offers none, and shows no phone or birth date.
    assert not person.edit_button.isVisibleTo(person) and not person.prefs_button.isVisibleTo(person)
    assert person.incident_button.isVisibleTo(person)
    assert all("07700" not in label.text() for label in person.contact.values.values()) and "born" not in person.subheading.text()
    assert enquiries.recent_enquiries(volunteer) == []
    volunteer.lock()


def test_locking_closes_records_and_empties_the_lists(qtbot, window):
    session = unlock(qtbot, window)
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    workspace = window.workspace
    workspace.home_view.reload()
    assert workspace.home_view.my_cases.count() == 1
    workspace.open_record("case", case.id)
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)   # the case's tabs are read on the worker
    workspace.casework.search.run_search("Hartley")
    assert workspace.casework.records.tabs.count() == 1
    window.lock()
    assert workspace.casework.records.tabs.count() == 0
    assert workspace.home_view.my_cases.count() == 0
    assert workspace.casework.search.results.count() == 0 and workspace.casework.search.box.text() == ""
