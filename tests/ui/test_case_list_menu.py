"""The cases list: a right-click on a case opens it or copies its reference, and the name
columns keep their whole titles when squeezed."""

from PySide6.QtWidgets import QApplication

from app.services.casework import cases
from tests.unit.casework_helpers import family
from ui.models import case_table_model as columns
from ui.views.case_list_view import CaseListView


def test_right_click_a_case_and_headers_whole(qtbot, session, ops):
    parent, kid = family(session)
    case = cases.open_case(session, parent.id, kid.id)
    view = CaseListView(session, ops)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.reload()
    assert view.model.rowCount() == 1
    menu = view.menu_for(view.table.visualRect(view.model.index(0, 0)).center())
    opened = []
    view.openRequested.connect(lambda kind, rid: opened.append((kind, rid)))
    menu.actions()[0].trigger()
    menu.actions()[1].trigger()
    assert opened == [("case", case.id)] and QApplication.clipboard().text() == case.reference
    header = view.table.horizontalHeader()
    for column in columns.HEADERS:
        if column != columns.LEVEL:  # the level elides, with its tooltip
            assert header.sectionSize(column) >= header.sectionSizeHint(column), columns.HEADERS[column]
    assert view.table.horizontalScrollBar().maximum() == 0  # nothing off to the side
