"""The manager's dashboard: what needs attention, and each item opening what is behind it."""

from datetime import date

from app.services.consent import disclosures
from app.services.consent.disclosures import DisclosureInput
from app.services.vault import registers
from tests.ui.casework_support import make_workspace, wait_idle
from tests.ui.manager_support import casework, overdue_file
from tests.unit.casework_helpers import add_worker
from tests.unit.consent_helpers import professional
from ui.views.dashboard_view import FIRST_SECTIONS


def dashboard(qtbot, workspace):
    view = workspace.show_page("Dashboard")
    qtbot.waitUntil(lambda: view.dashboard is not None and not workspace.manager.ops.busy, timeout=5000)
    return view


def test_an_overdue_paper_file_opens_the_register_at_that_file(qtbot, session, ops, data_dir):
    _parent, _kid, case = casework(session)
    paper = overdue_file(session, case.id)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = dashboard(qtbot, workspace)
    files = view.section_list("paper_files_overdue")
    assert files.count() == 1 and "PF-HART-01" in files.text(0) and "Family meeting" in files.text(0)
    assert files.severity(0) == "overdue"
    assert view.workers.rows == [("Test Manager", 1)]  # open cases by worker

    files.activate(0)
    registers_page = workspace.pages["Registers"]
    assert workspace.stack.currentWidget() is registers_page
    tab = registers_page.paper_files
    assert registers_page.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: tab.selected() is not None, timeout=3000)
    assert tab.selected().id == paper.id
    assert "Movements of PF-HART-01" == tab.history_title.text() and tab.history.rowCount() == 1
    assert tab.in_button.isEnabled() and not tab.out_button.isEnabled()


def test_case_items_open_through_the_workspace_and_staff_items_open_the_register(qtbot, session, ops, data_dir):
    _parent, _kid, case = casework(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    opened = []
    workspace.manager.openRecord.connect(lambda kind, rid: opened.append((kind, rid)))
    view = dashboard(qtbot, workspace)
    staff = view.section_list("staff_lapsed")
    assert staff.count() >= 1  # no training recorded for the manager; no policy review yet
    row = next(r for r in range(staff.count()) if "training" in staff.text(r))
    staff.activate(row)
    registers_page = workspace.pages["Registers"]
    assert registers_page.tabs.currentWidget() is registers_page.staff
    qtbot.waitUntil(lambda: registers_page.staff.selected() is not None, timeout=3000)
    assert registers_page.staff.selected().username == "manager"

    workspace.show_page("Dashboard")
    view.openRecord.emit("case", case.id)  # as an overdue action's item does
    assert opened == [("case", case.id)]
    assert workspace.stack.currentWidget() is workspace.casework.records
    assert workspace.casework.records.tabs.currentWidget().record_id == case.id


def test_an_override_is_marked_reviewed_from_the_dashboard(qtbot, session, ops, data_dir):
    _parent, _kid, case = casework(session)
    nurse = professional(session, "Priya", "Okafor", "School nurse", "Hillside Primary School")
    record = disclosures.record_disclosure(session, DisclosureInput(
        case.id, "Told the school nurse about the injury", counterparty_person_id=nurse.id,
        lawful_reason="safeguarding", justification="Immediate risk to the child"))
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = dashboard(qtbot, workspace)
    overrides = view.section_list("overrides_unreviewed")
    assert overrides.count() == 1
    dialog = workspace.manager.open_item("disclosure", record.id)
    assert dialog.facts["Justification"].text() == "Immediate risk to the child"
    assert dialog.facts["Basis"].text() == "Override: safeguarding"
    dialog.note.setPlainText("Agreed: the right call.")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: view.section_list("overrides_unreviewed").count() == 0, timeout=5000)
    assert disclosures.get_disclosure(session, record.id).review_note == "Agreed: the right call."


def test_the_dashboard_follows_changes(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = dashboard(qtbot, workspace)
    assert any("no review recorded" in view.section_list("staff_lapsed").text(r)
               for r in range(view.section_list("staff_lapsed").count()))
    ops.run(lambda _p: registers.record_policy_review(session, date.today(), "Steering group", "SG-1"),
            changes={"policy_reviews"})
    qtbot.waitUntil(lambda: not any("no review recorded" in view.section_list("staff_lapsed").text(r)
                                    for r in range(view.section_list("staff_lapsed").count())), timeout=5000)


def test_colleagues_who_are_not_managers_have_no_manager_pages(qtbot, session, ops, data_dir):
    worker = add_worker(session, data_dir)
    workspace = make_workspace(qtbot, worker, ops, data_dir)
    assert not {"Dashboard", "Reports", "Access requests", "Registers"} & set(workspace.pages)
    assert workspace.manager.pages == [] and workspace.manager.lead_pages == []
    worker.lock()


def test_the_dashboard_shows_its_first_cards_at_once_and_the_rest_between_events(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.show_page("Dashboard")
    qtbot.waitUntil(lambda: view.dashboard is not None and not ops.busy, timeout=5000)
    built = view.dashboard
    sections = built.sections
    assert len(sections) > FIRST_SECTIONS
    qtbot.waitUntil(lambda: not view.filling, timeout=5000)
    view.clear()
    view._loaded(built)                    # as when the worker hands the dashboard back
    shown = [s.key for s in sections if view._titles[s.key].text()]
    assert view.filling and len(shown) == FIRST_SECTIONS
    qtbot.waitUntil(lambda: not view.filling, timeout=5000)
    assert all(view._titles[s.key].text().startswith(s.title) for s in sections)
