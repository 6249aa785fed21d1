"""Tables measure their columns once per new contents, not at every layout, and a repaint
formats nothing again (docs/architecture.md, "Locking without a freeze"; gui_day at 50,000
cases: the Cases page held the window ~190 ms of its CPU in some 15,000 calls of the model's
data(), the Registers page ~270 ms).

A column is measured by asking each of its first rows for its size (SizeHintRole): counting
those calls counts the measuring, whatever the machine's speed."""

from dataclasses import dataclass

from PySide6.QtCore import Qt

from app.services.casework import cases
from tests.unit.casework_helpers import family
from ui.models import case_table_model
from ui.models.row_table_model import Column, RowTableModel
from ui.views.case_list_view import CaseListView
from ui.widgets.record_table import RecordTable
from ui.widgets.table_setup import SIZE_ROWS

SIZE = int(Qt.ItemDataRole.SizeHintRole)


@dataclass
class Thing:
    id: str


class Counting(RowTableModel):
    def __init__(self, columns):
        super().__init__(columns)
        self.asked: dict[int, int] = {}

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        self.asked[int(role)] = self.asked.get(int(role), 0) + 1
        return super().data(index, role)


def test_a_record_table_measures_once_when_shown_and_not_again_when_resized(qtbot):
    # Failed before: Qt's ResizeToContents measured every column twice as the table was first
    # shown and again at each resize of the window.
    model = Counting([Column(f"Column {n}", lambda t, n=n: f"{t.id} in column {n}") for n in range(6)]
                     + [Column("Notes", lambda t: "free text", stretch=True)])
    model.set_rows([Thing(str(n)) for n in range(160)])
    table = RecordTable(model, "Things")
    qtbot.addWidget(table)
    table.resize(1200, 500)
    table.show()
    qtbot.waitExposed(table)
    qtbot.wait(20)
    assert 0 < model.asked.get(SIZE, 0) <= SIZE_ROWS * 6        # one measuring of the six columns
    model.asked.clear()
    table.resize(1100, 520)
    qtbot.wait(20)
    table.viewport().repaint()
    assert model.asked.get(SIZE, 0) == 0 and model.asked           # painted, not measured
    model.set_rows([Thing(f"longer name {n}") for n in range(160)])
    qtbot.wait(20)
    assert 0 < model.asked.get(SIZE, 0) <= SIZE_ROWS * 6          # new contents: measured again
    header = table.horizontalHeader()
    assert header.sectionSize(0) >= table.sizeHintForColumn(0)   # and wide enough for them


def test_the_case_list_formats_a_row_once_and_measures_once(qtbot, session, ops, monkeypatch):
    # Failed before: each paint formatted every cell's text again (dates, levels, statuses) for
    # every role asked, and the columns were measured at every layout.
    for _ in range(12):
        parent, kid = family(session)
        cases.open_case(session, parent.id, kid.id)
    dates = []
    real = case_table_model.uk_date
    monkeypatch.setattr(case_table_model, "uk_date", lambda day: (dates.append(day), real(day))[1])
    view = CaseListView(session, ops)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    view.show()
    qtbot.waitExposed(view)
    view.reload()
    qtbot.wait(20)
    assert view.model.rowCount() == 12
    dates.clear()
    sized = []
    original = view.table.sizeHintForColumn
    monkeypatch.setattr(view.table, "sizeHintForColumn", lambda column: sized.append(column) or original(column))
    asked = []
    model = view.model
    monkeypatch.setattr(model, "_text", lambda case, column: asked.append(column) or "")
    view.resize(1000, 620)
    qtbot.wait(20)
    view.table.viewport().repaint()
    assert asked == [] and dates == []                           # nothing formatted again
    assert sized == []                                           # nor measured again
