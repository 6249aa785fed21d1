"""The enquiries list: more than one page, filters, a header click sorts in the service, the
saved enquiry selected, and a right-click menu on a row."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.casework import enquiries
from tests.unit.casework_helpers import phone_enquiry
from ui.models.enquiry_table_model import REFERENCE
from ui.views.enquiries_view import EnquiriesView


def _view(qtbot, session, ops):
    view = EnquiriesView(session, ops, page_size=5)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    qtbot.waitExposed(view)
    _settled(qtbot, ops)
    view.reload()
    return view


def _settled(qtbot, ops):
    """Paging, filtering and sorting read on the worker: the window never waits for them."""
    qtbot.waitUntil(lambda: not ops.busy, timeout=5000)


def test_pages_filters_and_sorts(qtbot, session, ops):
    made = [enquiries.record_enquiry(session, phone_enquiry(channel="email" if i < 3 else "phone")).enquiry
            for i in range(12)]
    view = _view(qtbot, session, ops)
    assert view.model.rowCount() == 5 and view.page.text() == "1–5 of 12 enquiries"
    assert not view.previous_button.isEnabled() and view.next_button.isEnabled()
    view.next_button.click()
    _settled(qtbot, ops)
    view.next_button.click()
    _settled(qtbot, ops)
    assert view.model.rowCount() == 2 and view.page.text() == "11–12 of 12 enquiries"
    assert not view.next_button.isEnabled()

    view.channel_filter.setCurrentIndex(view.channel_filter.findData("email"))
    _settled(qtbot, ops)
    assert view.page.text() == "1–3 of 3 enquiries"
    assert {view.model.row(r).channel for r in range(3)} == {"email"}

    view.channel_filter.setCurrentIndex(0)
    _settled(qtbot, ops)
    view.table.horizontalHeader().setSortIndicator(REFERENCE, Qt.SortOrder.AscendingOrder)
    _settled(qtbot, ops)
    assert [view.model.row(r).reference for r in range(5)] == sorted(e.reference for e in made)[:5]


def test_saved_enquiry_is_selected_and_a_row_has_a_menu(qtbot, session, ops):
    for _ in range(3):
        enquiries.record_enquiry(session, phone_enquiry())
    view = _view(qtbot, session, ops)
    result = enquiries.record_enquiry(session, phone_enquiry())
    view.show_saved(result)
    view.reload()
    assert view.table.selected().id == result.enquiry.id
    assert result.enquiry.reference in view.outcome.text()

    index = view.table.model().index(1, 0)
    menu = view.table.menu_for(view.table.visualRect(index).center())
    chosen = view.table.selected()
    labels = [a.text() for a in menu.actions()]
    assert labels[-1] == "Copy the &reference"
    menu.actions()[-1].trigger()
    assert QApplication.clipboard().text() == chosen.reference == view.clipboard_text


def test_showing_the_page_reads_on_the_worker_not_the_window(qtbot, session, ops):
    for _ in range(3):
        enquiries.record_enquiry(session, phone_enquiry())
    view = EnquiriesView(session, ops, page_size=5)
    qtbot.addWidget(view)
    view.show()                       # the page shown: its list is read by the worker
    assert ops.busy and view.model.rowCount() == 0
    _settled(qtbot, ops)
    assert view.model.rowCount() == 3 and view.page.text() == "1–3 of 3 enquiries"
