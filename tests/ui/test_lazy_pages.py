"""Unlocking builds only the pages it shows: every other page is built the first time it is
shown or asked for, in its place in the navigation, named for screen readers, and a lock
clears what was built (docs/architecture.md, "Locking without a freeze")."""

from tests.ui.conftest import unlock
from ui.team.team_view import TeamView
from ui.views.case_list_view import CaseListView
from ui.views.enquiries_view import EnquiriesView
from ui.views.retention_view import RetentionView


def test_pages_are_built_when_first_wanted_and_cleared_at_lock(qtbot, window):
    unlock(qtbot, window)
    workspace = window.workspace
    built = workspace.pages.built()
    assert workspace.home_view in built
    assert not any(isinstance(view, RetentionView) for view in built)
    assert "Retention" in workspace.pages and len(workspace.pages) == workspace.nav.count()

    workspace.nav.setCurrentRow(list(workspace.pages).index("Retention"))   # a click in the navigation
    view = workspace.stack.currentWidget()
    assert isinstance(view, RetentionView) and view.isVisible()
    assert workspace.pages["Retention"] is view and workspace.manager.retention is view  # built once
    assert view.accessibleName()
    assert workspace.stack.indexOf(view) == list(workspace.pages).index("Retention")

    staff = workspace.staff_view              # asked for by name: built, loaded, not shown
    assert staff.model.rowCount() == 1 and workspace.stack.currentWidget() is view
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=5000)   # the page's list is read on the worker
    window.lock("manual")
    assert staff.model.rowCount() == 0 and view.model.rowCount() == 0


def test_enquiries_cases_and_team_are_built_when_first_shown_not_at_unlock(qtbot, window):
    # Failed before: Casework built Enquiries and Cases, and TeamPages the Team page, at unlock:
    # about 0.15 s of the unlock's one event-loop turn at 50,000 cases (tests/perf/gui_day.py).
    unlock(qtbot, window)
    workspace = window.workspace
    built = workspace.pages.built()
    assert not any(isinstance(view, (EnquiriesView, CaseListView, TeamView)) for view in built)
    for name, kind in (("Enquiries", EnquiriesView), ("Cases", CaseListView), ("Team", TeamView)):
        view = workspace.show_page(name)
        assert isinstance(view, kind) and workspace.stack.currentWidget() is view and view.isVisible()
        assert workspace.stack.indexOf(view) == list(workspace.pages).index(name)
    # The same views the casework pages hand to whoever asks by name (a saved enquiry's outcome).
    assert workspace.casework.enquiries is workspace.pages["Enquiries"]
    assert workspace.casework.cases is workspace.pages["Cases"]
    assert workspace.team.team is workspace.pages["Team"]
