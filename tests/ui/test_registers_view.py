"""The registers through their dialogs, as the manager uses them."""

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt

from app.services.casework import paper_files
from app.services.vault import registers
from tests.ui.casework_support import make_workspace, wait_idle
from tests.ui.manager_support import casework
from ui.dialogs import messages


def registers_page(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.show_page("Registers")
    qtbot.waitUntil(lambda: not page.paper_files.refresher.stale, timeout=3000)   # its rows: the next turn
    return workspace, page


def test_the_paper_files_come_a_turn_after_the_page_and_the_page_ends_up_complete(qtbot, session, ops, data_dir):
    """The page's frame is one turn of the event loop and its rows the next: both in one held
    the window over 100 ms at 50,000 cases."""
    paper = paper_files.add_file(session, "PF-HART-01", "Cabinet B")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.show_page("Registers")
    tab = page.paper_files
    assert tab.isVisible() and tab.model.rowCount() == 0 and tab.refresher.stale
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)
    assert tab.select(paper.id) and not tab.refresher.stale


def test_a_file_asked_for_before_the_rows_come_is_shown(qtbot, session, ops, data_dir):
    """Opening the register at a file (the dashboard does) in the turn the page is built loads
    at once and selects it; the deferred first load then changes nothing."""
    paper_files.add_file(session, "PF-01", "Office")
    wanted = paper_files.add_file(session, "PF-02", "Office")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    page = workspace.show_page("Registers")
    page.show_paper_file(wanted.id)
    qtbot.wait(50)      # the deferred first load's turn has passed
    assert page.paper_files.selected() is not None and page.paper_files.selected().id == wanted.id


def test_check_a_paper_file_out_and_back_in(qtbot, session, ops, data_dir):
    paper = paper_files.add_file(session, "PF-HART-01", "Cabinet B")
    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    tab = page.paper_files
    assert tab.select(paper.id)
    assert tab.out_button.isEnabled() and not tab.in_button.isEnabled()

    dialog = tab.check_out()
    assert dialog.person.currentData() == "manager"
    back = date.today() + timedelta(days=3)
    dialog.expected.setDate(QDate(back.year, back.month, back.day))
    dialog.taken_to.setText("Annual review at Hillside Primary")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: tab.selected() is not None and tab.selected().is_out, timeout=3000)
    assert tab.model.index(tab.model.row_of(paper.id), 3).data() == "Out"
    assert tab.history.rowCount() == 1 and tab.history.item(0, 2).text() == "Annual review at Hillside Primary"
    assert tab.history.item(0, 4).text() == "Still out"
    assert tab.in_button.isEnabled() and "1 out" in tab.summary.text()

    messages.set_next_answer(False)  # asked first
    tab.in_button.click()
    assert "PF-HART-01" in messages.last_shown[1]
    assert paper_files.get_file(session, paper.id).is_out
    messages.set_next_answer(True)
    tab.in_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: not tab.selected().is_out, timeout=3000)
    assert tab.history.item(0, 4).text() == date.today().strftime("%d/%m/%Y")
    assert tab.out_button.isEnabled() and not tab.in_button.isEnabled()


def test_a_file_someone_else_took_meanwhile_is_refused_with_the_reason(qtbot, session, ops, data_dir):
    paper = paper_files.add_file(session, "PF-01", "Office")
    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    tab = page.paper_files
    tab.select(paper.id)
    dialog = tab.check_out()
    assert dialog.expected.minimumDate() == QDate.currentDate()  # the calendar offers no past day
    paper_files.check_out(session, paper.id, date.today() + timedelta(days=1))  # from another screen
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert dialog.isVisible() and "already out" in dialog.errors.general.text()
    dialog.reject()


def test_add_a_paper_file_for_a_case(qtbot, session, ops, data_dir):
    _parent, _kid, case = casework(session)
    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    tab = page.paper_files
    dialog = tab.add()
    dialog.label.setText("PF-HART-02")
    dialog.home.setText("Archive room")
    dialog.case.setText("CAS-1999-00001")
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert "no case" in dialog.errors._fields["case"][1].text()
    dialog.case.setText(case.reference.lower())
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: tab.selected() is not None, timeout=3000)
    assert tab.selected().label == "PF-HART-02" and tab.selected().case_reference == case.reference

    tab.find.setText("nothing like this")
    assert tab.proxy.rowCount() == 0
    tab.find.clear()
    tab.out_only.setChecked(True)
    assert tab.proxy.rowCount() == 0


def test_edit_a_colleagues_register_dates(qtbot, session, ops, data_dir):
    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    tab = page.staff
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=3000)
    tab.select(tab.model.entry(0).staff_id)
    assert tab.reminders.isVisible() and "no data protection training" in tab.reminders.text()
    dialog = tab.edit()
    dialog.training.setText("31/12/2099")
    dialog.ok_button.click()
    wait_idle(qtbot, ops)
    assert "future" in dialog.errors._fields["dp_training_on"][1].text()
    dialog.training.setText(date.today().strftime("%d/%m/%Y"))
    dialog.start.setText("06/01/2020")
    dialog.induction.setText("20/01/2020")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: not tab.reminders.isVisible(), timeout=3000)
    assert registers.staff_register(session)[0].start_date == "2020-01-06"
    assert "up to date" in tab.summary.text()


def test_record_a_policy_review(qtbot, session, ops, data_dir):
    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    tab = page.show_policy_reviews()
    qtbot.waitUntil(tab.reminder.isVisible, timeout=3000)
    assert "no review recorded" in tab.reminder.text()
    dialog = tab.record()
    dialog.reviewed_by.setText("Steering group")
    dialog.minutes.setText("SG-2026-11")
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.ok_button.click()
    wait_idle(qtbot, ops)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=3000)
    assert tab.table.item(0, 2).text() == "SG-2026-11" and not tab.reminder.isVisible()


def test_the_paper_file_register_sorts_in_its_model_not_through_the_proxy(qtbot, session, ops, data_dir,
                                                                          monkeypatch):
    """A proxy asks each row's sort key n·log n times through Qt: thousands of files held the
    window when the register was first shown (tests/perf/gui_day.py, "page Registers")."""
    from ui.models.row_table_model import RowTableModel, SortRole

    for i in range(200):
        paper_files.add_file(session, f"PF-{(i * 7919) % 200:03d}", "Cabinet B")
    asked = []
    real = RowTableModel.data

    def counting(self, index, role=0):
        if role == SortRole:
            asked.append(index.row())
        return real(self, index, role)

    monkeypatch.setattr(RowTableModel, "data", counting)
    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    tab = page.paper_files
    qtbot.waitUntil(lambda: tab.model.rowCount() == 200, timeout=5000)
    assert asked == []           # the sort keys are read once each, in Python, by the model
    shown = [tab.proxy.index(r, 0).data() for r in range(200)]
    assert shown == sorted(shown) and shown[0] == "PF-000"
    tab.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)   # a header click
    assert tab.proxy.index(0, 0).data() == "PF-199" and asked == []
    tab.find.setText("PF-19")                                   # the filter still filters
    assert tab.proxy.rowCount() == 10                           # PF-190 to PF-199


def test_the_other_registers_are_built_when_their_tab_is_first_shown(qtbot, session, ops, data_dir):
    """Building all three registers with the page held the window as it opened."""
    from ui.views.policy_reviews_tab import PolicyReviewsTab
    from ui.views.staff_register_tab import StaffRegisterTab

    _workspace, page = registers_page(qtbot, session, ops, data_dir)
    assert page.findChildren(StaffRegisterTab) == [] and page.findChildren(PolicyReviewsTab) == []
    page.clear()          # a lock clears only what was built
    labels = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    page.tabs.setCurrentIndex(labels.index("&Staff register"))   # as a click or Alt+S does
    staff = page.tabs.currentWidget()
    assert isinstance(staff, StaffRegisterTab) and staff is page.staff and page.findChildren(PolicyReviewsTab) == []
    qtbot.waitUntil(lambda: staff.model.rowCount() >= 1, timeout=3000)   # it loads once shown
    assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == labels
    policy = page.show_policy_reviews()
    assert page.tabs.currentWidget() is policy and isinstance(policy, PolicyReviewsTab)
    assert page.tabs.indexOf(policy) == labels.index("Policy re&views")
