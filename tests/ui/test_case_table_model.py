"""The case list model, with no window: a page at a time, sorting and filtering by the
service, UK dates, and nothing left after clear()."""

from datetime import date

from PySide6.QtCore import Qt

from app.services.casework import cases, people
from app.services.casework.people import PersonInput
from tests.unit.casework_helpers import add_worker
from ui.models.case_table_model import (
    CHILD,
    CLIENT,
    HEADERS,
    OPENED,
    REFERENCE,
    STATUS,
    WORKER,
    CaseTableModel,
)


def _family_case(session, first, last, child_first, opened_on, worker=None):
    parent = people.create_person(session, PersonInput(kind="parent_carer", first_name=first, last_name=last))
    kid = people.create_person(session, PersonInput(kind="child", first_name=child_first, last_name=last,
                                                    date_of_birth="2015-05-05"))
    people.link_relationship(session, parent.id, kid.id, "mother", True)
    return cases.open_case(session, parent.id, kid.id, worker=worker, opened_on=opened_on)


def _column(model, column):
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_pages_sorting_and_filters(session, data_dir):
    add_worker(session, data_dir, "casey").lock()
    _family_case(session, "Bea", "Ashworth", "Cal", date(2026, 1, 10))
    _family_case(session, "Ada", "Crane", "Dot", date(2026, 2, 10), worker="casey")
    closing = _family_case(session, "Cy", "Barker", "Eli", date(2026, 3, 10))
    cases.close_case(session, closing.id, "resolved", ["better_informed"], date(2026, 4, 1))

    model = CaseTableModel(lambda query: cases.list_cases(session, query), page_size=1)
    model.reload()  # open cases, newest first
    assert model.columnCount() == len(HEADERS) and model.headerData(CLIENT, Qt.Orientation.Horizontal) == "Client"
    assert model.total == 2 and model.rowCount() == 1 and model.page_text() == "1–1 of 2 cases"
    assert _column(model, CLIENT) == ["Ada Crane"] and _column(model, OPENED) == ["10/02/2026"]
    assert model.has_next and not model.has_previous
    model.next_page()
    assert _column(model, CLIENT) == ["Bea Ashworth"] and model.page_text() == "2–2 of 2 cases"

    model.query.limit = 10
    model.set_filter(status=None, worker=None, level=None)  # any status
    assert model.total == 3
    model.sort_by(CLIENT, Qt.SortOrder.AscendingOrder)
    assert _column(model, CLIENT) == ["Ada Crane", "Bea Ashworth", "Cy Barker"]
    model.sort(CHILD, Qt.SortOrder.DescendingOrder)  # what a view's header would call
    assert _column(model, CHILD) == ["Eli Barker", "Dot Crane", "Cal Ashworth"]
    assert _column(model, STATUS)[0] == "Closed 01/04/2026"

    model.set_filter(status="closed", worker=None, level=None)
    assert _column(model, REFERENCE) == [closing.reference]
    model.worker_names = {"casey": "Casey Worker"}
    model.set_filter(status="open", worker="casey", level=None)
    assert _column(model, CLIENT) == ["Ada Crane"] and _column(model, WORKER) == ["Casey Worker"]
    model.set_filter(status="open", worker=None, level="meeting_support")
    assert model.rowCount() == 0 and model.page_text() == "No cases"

    model.clear()
    assert model.rowCount() == 0 and model.total == 0
