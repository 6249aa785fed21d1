"""RowTableModel and RecordTable on their own: columns from specs, sorting by the column's
own key, the full text as tooltip, the selection kept across a reload, a right-click menu, and
no header cut short."""

from dataclasses import dataclass

from PySide6.QtCore import Qt

from ui.models.row_table_model import Column, RowRole, RowTableModel, SortRole
from ui.widgets.record_table import RecordTable


@dataclass
class Thing:
    id: str
    name: str
    on: str  # ISO date


THINGS = [Thing("a", "Zara Quinn", "2026-01-05"), Thing("b", "adam Price", "2025-12-31"),
          Thing("c", "Mo " + "long " * 40, "2026-02-01")]


def _model():
    return RowTableModel([
        Column("Name", lambda t: t.name),
        Column("A rather long column title", lambda t: f"{t.on[8:]}/{t.on[5:7]}/{t.on[:4]}", sort=lambda t: t.on),
        Column("Notes", lambda t: "x", stretch=True),
    ])


def test_columns_sort_keys_and_tooltips(qtbot):
    model = _model()
    model.set_rows(THINGS)
    assert model.index(1, 0).data() == "adam Price" and model.index(1, 0).data(RowRole) is THINGS[1]
    assert model.index(1, 0).data(SortRole) == "adam price"           # case-folded text
    assert model.index(1, 1).data(SortRole) == "2025-12-31"           # the column's own key
    assert model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole) == THINGS[2].name  # in full
    assert model.row_of("c") == 2 and model.row(5) is None


def test_selection_survives_a_reload_and_right_click_offers_the_row(qtbot):
    model = _model()
    table = RecordTable(model, "Things", sort_column=1)
    qtbot.addWidget(table)
    table.resize(700, 300)
    table.show()
    qtbot.waitExposed(table)
    model.set_rows(THINGS)
    assert [table.model().index(r, 0).data() for r in range(3)][:2] == ["adam Price", "Zara Quinn"]  # by date
    assert table.select("a") and table.selected().id == "a"
    table.reload(lambda: model.set_rows(list(reversed(THINGS))))
    assert table.selected().id == "a"

    opened = []
    table.set_actions(lambda thing: [("&Open", lambda: opened.append(thing.id))])
    row = table.model().mapFromSource(model.index(model.row_of("b"), 0))
    menu = table.menu_for(table.visualRect(row).center())
    assert table.selected().id == "b"  # right-click selects the row first
    menu.actions()[0].trigger()
    assert opened == ["b"]

    header = table.horizontalHeader()
    assert header.sectionSize(1) >= header.sectionSizeHint(1)  # the title in full, in the header's font


def test_paper_file_rows_offer_check_out_or_in(qtbot, session, ops):
    from app.services.casework import paper_files
    from ui.views.paper_files_tab import PaperFilesTab

    paper_files.add_file(session, "PF-100", "Cabinet A")
    tab = PaperFilesTab(session, ops)
    qtbot.addWidget(tab)
    tab.resize(900, 500)
    tab.show()
    qtbot.waitExposed(tab)
    tab.reload()
    menu = tab.table.menu_for(tab.table.visualRect(tab.table.model().index(0, 0)).center())
    assert [a.text() for a in menu.actions()] == ["Check &out…"]


def test_a_long_list_is_shown_and_sorted_without_reading_every_row_again_and_again(qtbot):
    """Thousands of records froze the window for seconds: columns sized to content measured
    1,000 rows at each reset, and a proxy's sort asked for each row's key n·log n times
    through Qt; the model sorts itself now, and keeps the order across a reload."""
    calls = [0]

    def name(thing):
        calls[0] += 1
        return thing.name

    model = RowTableModel([Column("Name", name), Column("On", lambda t: t.on, sort=lambda t: t.on)])
    table = RecordTable(model, "Many things")
    qtbot.addWidget(table)
    table.resize(600, 400)
    table.show()
    qtbot.waitExposed(table)
    rows = [Thing(str(i), f"Person {(i * 7919) % 5000:05d}", "2026-01-01") for i in range(5000)]
    table.reload(lambda: model.set_rows(rows))
    qtbot.wait(50)
    assert calls[0] < 2 * len(rows)          # once each for the sort, and the rows on screen
    assert table.model().index(0, 0).data() == "Person 00000"
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert table.model().index(0, 0).data() == "Person 04999"
    table.reload(lambda: model.set_rows(rows[:10]))
    assert [table.model().index(r, 0).data() for r in range(3)] == sorted((t.name for t in rows[:10]), reverse=True)[:3]
    assert calls[0] < 4 * len(rows)           # a sort reads each row's key once more, not n·log n times


def test_a_paint_asks_no_python_of_a_row_for_roles_no_one_answers(qtbot):
    """A view asks every cell for some eight roles at each paint and sizing; the ones a model
    does not answer (font, alignment, icon, check state...) came down to the record and
    `extra` each time. They are turned away first; the roles a model answers still reach it."""
    from ui.models.paper_file_model import OverdueRole, PaperFileModel

    asked = []

    class Counting(PaperFileModel):
        def extra(self, paper, column, role):
            asked.append(role)
            return super().extra(paper, column, role)

    @dataclass
    class Paper:
        id: str = "p1"
        label: str = "Box 1"
        case_reference: str = "C-1"
        home_location: str = "Cabinet"
        is_out: bool = True
        checked_out_by: str = "ann"
        checked_out_on: str = "2026-01-01"
        expected_back: str = "2026-01-02"
        taken_to: str = "Court"

        def overdue_on(self, today):
            return True

    model = Counting()
    model.set_rows([Paper()])
    index = model.index(0, 0)
    for role in (Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.CheckStateRole,
                 Qt.ItemDataRole.SizeHintRole, Qt.ItemDataRole.DecorationRole):
        assert index.data(role) is None
    assert asked == []
    assert index.data(OverdueRole) is True
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert asked == [OverdueRole, Qt.ItemDataRole.ForegroundRole]
