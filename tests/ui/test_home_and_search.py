"""Home lists what is due (overdue and today) and my open cases; search finds a note and
opens its case at that note; Ctrl+F goes to the search box."""

import threading
from datetime import date, timedelta

from PySide6.QtCore import Qt

from app.services.casework import actions, cases, notes
from app.services.national import states
from tests.ui.casework_support import activate, make_workspace, wait_idle
from tests.unit.casework_helpers import family
from ui.views.search_view import HitRole
from ui.widgets.rich_text_delegate import HtmlRole, RichTextDelegate


def test_home_lists_overdue_and_due_today_and_opens_the_case(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    today = date.today()
    case = cases.open_case(session, parent.id, kid.id, opened_on=today - timedelta(days=20))
    actions.add_action(session, case.id, "Chase the school's SEN support plan", today - timedelta(days=3))
    actions.add_action(session, case.id, "Call Dana back", today)
    actions.add_action(session, case.id, "Review in a month", today + timedelta(days=30))
    workspace = make_workspace(qtbot, session, ops, data_dir)
    home = workspace.home_view
    assert workspace.stack.currentWidget() is home
    assert home.overdue_title.text() == "Overdue (1)" and home.today_title.text() == "Due today (1)"
    assert "Chase the school" in home.overdue.text(0) and "3 days overdue" in home.overdue.text(0)
    assert "Call Dana back" in home.due_today.text(0)
    assert home.my_cases.count() == 1 and case.reference in home.my_cases.text(0)
    assert not home.my_cases.text(0).endswith("inactive")

    home.overdue.activate(0)
    wait_idle(qtbot, ops)   # the case's tabs are read on the worker
    view = workspace.casework.records.tabs.currentWidget()
    assert workspace.stack.currentWidget() is workspace.casework.records and view.record_id == case.id

    # Completing an action elsewhere updates Home when it is next shown.
    tab = view.show_tab("actions")
    tab.tree.setCurrentItem(tab.tree.topLevelItem(0))
    tab.done_button.click()
    wait_idle(qtbot, ops)
    workspace.show_page("Home")
    wait_idle(qtbot, ops)   # Home reads on the worker
    assert home.overdue_title.text() == "Overdue (0)" and home.overdue.empty.isVisible()
    assert not home.nothing_due.isVisible()  # one is still due today


def test_home_empty_states(qtbot, session, ops, data_dir):
    workspace = make_workspace(qtbot, session, ops, data_dir)
    home = workspace.home_view
    assert home.nothing_due.isVisible() and not home.overdue.isVisible()
    assert "no open or inactive cases" in home.my_cases.empty.text()


def test_search_finds_a_note_and_opens_its_case(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    notes.add_note(session, case.id, "meeting", date.today(), 45, "Discussed the zebracorn transport plan.")
    note = notes.add_note(session, case.id, "phone_call", date.today(), 5, "Unrelated call.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    activate(qtbot, workspace)
    workspace.nav.setFocus()
    qtbot.keyClick(workspace.nav, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = workspace.casework.search
    assert workspace.stack.currentWidget() is search and search.box.hasFocus()

    qtbot.keyClicks(search.box, "zebra")
    qtbot.waitUntil(lambda: len(search.hits_shown()) == 1, timeout=3000)  # after the typing pause
    assert search.results.item(0).text() == "Notes (1)"  # a heading, not a result
    assert not search.results.item(0).flags() & Qt.ItemFlag.ItemIsSelectable
    shown = search.results.item(1)
    assert shown.text().startswith(f"Note in case {case.reference} · {date.today():%d/%m/%Y}")
    assert "[" not in shown.text() and "zebracorn" in shown.text()
    assert "<b style='background:#fff1b8; color:#102a43'>zebracorn</b>" in shown.data(HtmlRole)
    qtbot.keyClick(search.box, Qt.Key.Key_Return)  # opens the highlighted result
    wait_idle(qtbot, ops)   # the case's tabs are read on the worker
    view = workspace.casework.records.tabs.currentWidget()
    assert view.record_id == case.id and view.tabs.currentWidget() is view.tabs_by_name["notes"]
    assert "zebracorn" in view.tabs_by_name["notes"].text.toPlainText()
    assert note.id != view.tabs_by_name["notes"].selected().id

    hits = search.run_search("Hartley")
    assert {h.kind for h in hits} >= {"person", "case"}
    headings = [search.results.item(i).text() for i in range(search.results.count())
                if not search.results.item(i).data(HitRole)]
    assert [h.split(" (")[0] for h in headings] == ["People", "Cases"]
    assert search.run_search("qqqxyz") == [] and "Nothing matches" in search.status.text()


def test_clicking_search_puts_the_cursor_in_the_box_and_down_moves_into_the_results(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    cases.open_case(session, parent.id, kid.id)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    activate(qtbot, workspace)
    search = workspace.casework.search
    row = list(workspace.pages).index("Search")
    item = workspace.nav.item(row)
    qtbot.mouseClick(workspace.nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=workspace.nav.visualItemRect(item).center())
    qtbot.waitUntil(search.box.hasFocus, timeout=2000)
    assert workspace.stack.currentWidget() is search

    qtbot.keyClicks(search.box, "Hartley")
    qtbot.keyClick(search.box, Qt.Key.Key_Down)  # searches at once rather than waiting for the pause
    assert search.results.hasFocus()
    current = search.results.currentItem()
    assert current.data(HitRole).kind == "person" and current.text().startswith("Person: ")
    qtbot.keyClick(search.results, Qt.Key.Key_Down)
    assert search.results.currentItem().data(HitRole) is not None  # the "Cases" heading is skipped


def test_open_record_contract(qtbot, session, ops, data_dir):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    note = notes.add_note(session, case.id, "meeting", date.today(), 10, "Met at school.")
    workspace = make_workspace(qtbot, session, ops, data_dir)
    person = workspace.open_record("person", kid.id)
    assert person.kind == "person" and person.heading.text() == "Ellie Hartley"
    wait_idle(qtbot, ops)
    view = workspace.open_record("note", note.id)
    wait_idle(qtbot, ops)   # the case's tabs are read on the worker
    assert view.tabs_by_name["notes"].selected().id == note.id
    assert workspace.open_record("case", case.id) is view        # one tab each
    assert workspace.casework.records.tabs.count() == 2
    assert workspace.open_record("paper_file", "x") is None


def test_open_record_for_the_dashboards_consent_and_disclosure_items(qtbot, session, ops, data_dir):
    from datetime import date as day

    from app.services.consent import disclosures
    from tests.unit.consent_helpers import family_case, share_with, signed

    fam = family_case(session)
    given = signed(session, fam, share_with(fam.senco), today=day.today())[0]
    shared = disclosures.record_disclosure(session, disclosures.DisclosureInput(
        case_id=fam.case.id, what="Needs summary", counterparty_person_id=fam.senco.id))
    workspace = make_workspace(qtbot, session, ops, data_dir)
    for kind, record_id in (("consent", given.id), ("disclosure", shared.id)):
        view = workspace.open_record(kind, record_id)
        wait_idle(qtbot, ops)   # the case's tabs are read on the worker
        assert view.record_id == fam.case.id
        assert view.tabs.currentWidget() is view.tabs_by_name["consent"]
    assert workspace.casework.records.tabs.count() == 1


def test_enter_presses_the_focused_button_on_a_page(qtbot, session, ops, data_dir):
    """A focused page button ignored Enter (only Space pressed it)."""
    workspace = make_workspace(qtbot, session, ops, data_dir)
    activate(qtbot, workspace)
    button = workspace.show_page("Settings").save_button
    clicks = []
    button.clicked.disconnect()
    button.clicked.connect(lambda: clicks.append(1))
    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=2000)
    window = button.window().windowHandle()    # keys come to the window, as the platform sends them
    qtbot.keyClick(window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: clicks == [1], timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: clicks == [1, 1], timeout=2000)


def test_a_matched_word_stays_readable_in_the_selected_row(qtbot):
    """Matched words were white on pale yellow in the selected row."""
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    from app.domain.records import MATCH_END, MATCH_START
    from ui.application import load_style_sheet
    from ui.views.search_view import hit_html

    class Hit:  # the fields hit_html reads
        kind, title, on = "note", "C-2026-0001", None
        snippet = f"asked about the {MATCH_START}annual{MATCH_END} review"

    listing = QListWidget()
    listing.setStyleSheet(load_style_sheet())
    listing.setItemDelegate(RichTextDelegate(listing))
    item = QListWidgetItem("annual")
    item.setData(HtmlRole, hit_html(Hit()))
    listing.addItem(item)
    listing.resize(500, 120)
    qtbot.addWidget(listing)
    listing.show()
    listing.setCurrentRow(0)
    qtbot.waitExposed(listing)
    image = listing.viewport().grab().toImage()
    yellow = [(x, y) for x in range(image.width()) for y in range(image.height())
              if image.pixelColor(x, y).name() == "#fff1b8"]
    assert yellow, "no highlighted word drawn"
    xs, ys = [x for x, _ in yellow], [y for _, y in yellow]
    box = [image.pixelColor(x, y).lightness() for x in range(min(xs), max(xs) + 1) for y in range(min(ys), max(ys) + 1)]
    assert min(box) < 100  # dark letters on the yellow, not white ones


def test_an_inactive_case_stays_on_its_workers_home_marked_inactive(qtbot, session, ops, data_dir):
    """Seen in the walk: a case the no-contact rule made inactive vanished from Home."""
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id, opened_on=date.today() - timedelta(days=200))
    states.sweep_inactive(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    home = workspace.home_view
    assert home.my_cases.count() == 1
    assert case.reference in home.my_cases.text(0) and home.my_cases.text(0).endswith(" · inactive")


def test_a_result_row_is_laid_out_once_and_forgotten_when_the_list_is_cleared(qtbot, monkeypatch):
    """A row's rich text was laid out anew for each size asked and each paint (a millisecond
    or two each, several times per row per search). Kept, it is laid out once; clearing the
    list (a new search, a lock) drops it."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyleOptionViewItem

    from ui.widgets import rich_text_delegate

    made = []

    class Counted(QTextDocument):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(rich_text_delegate, "QTextDocument", Counted)
    listing = QListWidget()
    qtbot.addWidget(listing)
    delegate = RichTextDelegate(listing)
    listing.setItemDelegate(delegate)
    item = QListWidgetItem("Case C-1")
    item.setData(HtmlRole, "<b>Case C-1</b> · 05/09/2026")
    listing.addItem(item)
    option = QStyleOptionViewItem()
    option.rect.setWidth(400)
    index = listing.model().index(0, 0)
    sizes = {delegate.sizeHint(QStyleOptionViewItem(option), index).height() for _ in range(3)}
    assert len(made) == 1 and len(sizes) == 1 and sizes.pop() > 0
    listing.clear()
    item = QListWidgetItem("Case C-1")
    item.setData(HtmlRole, "<b>Case C-1</b> · 05/09/2026")
    listing.addItem(item)
    delegate.sizeHint(QStyleOptionViewItem(option), listing.model().index(0, 0))
    assert len(made) == 2


def test_home_reads_what_it_lists_on_the_worker_not_the_windows_thread(qtbot, session, ops, data_dir, monkeypatch):
    # Failed before: Home read its lists on the window's thread as it was first shown, part of
    # the unlock's one long event-loop turn (a quarter of a second at 50,000 cases).
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    read_on = []
    mine = cases.my_open_cases

    def my_open_cases(*args, **kwargs):
        read_on.append(threading.get_ident())
        return mine(*args, **kwargs)

    monkeypatch.setattr(cases, "my_open_cases", my_open_cases)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    assert read_on and threading.get_ident() not in read_on
    assert workspace.home_view.my_cases.count() == 1 and case.reference in workspace.home_view.my_cases.text(0)
