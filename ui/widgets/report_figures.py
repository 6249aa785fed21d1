"""The figures of a report on screen: a card per table with its note, a bar chart where the
table has one, and the table itself. Shows either version (exact or as published) from the
same Report without counting again.

A report has some twenty tables: the first FIRST_CARDS are shown at once and the rest one
at a time between events, so the window answers while they are laid out (asking for a
table's model or chart finishes them at once)."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.report import Report
from ui.models.report_table_model import ReportTableModel
from ui.widgets.bar_chart import BarChart
from ui.widgets.card import card
from ui.widgets.forms import text_label


class _TableCard:
    def __init__(self, key: str):
        self.frame, column = card()
        self.title = text_label("", "subheading")
        self.note = text_label("", "hint")
        self.chart = BarChart()
        self.model = ReportTableModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.setObjectName(f"table_{key}")
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # The chart beside its table: half the height, and the eye goes from bar to number.
        row = QHBoxLayout()
        row.setSpacing(18)
        row.addWidget(self.chart, 3, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.view, 2, Qt.AlignmentFlag.AlignTop)
        for widget in (self.title, self.note):
            column.addWidget(widget)
        column.addLayout(row)

    def show(self, table, exact: bool) -> None:
        self.title.setText(table.title)
        self.view.setAccessibleName(table.title)
        self.chart.setAccessibleName(f"Chart: {table.title}")
        self.note.setText(table.note)
        self.note.setVisible(bool(table.note))
        self.model.set_table(table, exact)
        self.chart.set_rows(self.model.chart_rows() if table.chart else [])
        self.chart.setVisible(bool(table.chart))
        # The whole table, no inner scrolling: the page scrolls. A narrow table without a
        # chart need not stretch across a wide window.
        rows = self.model.rowCount()
        height = (self.view.horizontalHeader().sizeHint().height()
                  + rows * self.view.verticalHeader().defaultSectionSize() + 2 * self.view.frameWidth() + 6)
        self.view.setFixedHeight(height)
        wide = bool(table.chart) or len(table.columns) > 2
        self.view.setMaximumWidth(16777215 if wide else 640)


FIRST_CARDS, MORE_CARDS = 3, 1


class ReportFigures(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Report figures")
        self.cards: dict[str, _TableCard] = {}
        body = QWidget()
        self.column = QVBoxLayout(body)
        self.column.setContentsMargins(0, 0, 12, 0)
        self.column.setSpacing(14)
        self.column.addStretch(1)
        self.setWidget(body)
        self._waiting: list = []       # tables still to be shown, with exact or not
        self._exact = False
        self._filler = QTimer(self)
        self._filler.setSingleShot(True)
        self._filler.setInterval(0)
        self._filler.timeout.connect(lambda: self._show_more(MORE_CARDS))

    def show_report(self, report: Report | None, exact: bool) -> None:
        for holder in self.cards.values():
            holder.frame.hide()
        self._waiting, self._exact = (list(report.tables) if report is not None else []), exact
        self._show_more(FIRST_CARDS)

    def _show_more(self, count: int) -> None:
        batch, self._waiting = self._waiting[:count], self._waiting[count:]
        for table in batch:
            holder = self.cards.get(table.key)
            if holder is None:
                holder = self.cards[table.key] = _TableCard(table.key)
                self.column.insertWidget(self.column.count() - 1, holder.frame)
            holder.show(table, self._exact)
            holder.frame.show()
        if self._waiting:
            self._filler.start()
        else:
            self._filler.stop()

    @property
    def filling(self) -> bool:
        return bool(self._waiting)

    def model(self, key: str) -> ReportTableModel:
        self._show_more(len(self._waiting))
        return self.cards[key].model

    def chart(self, key: str) -> BarChart:
        self._show_more(len(self._waiting))
        return self.cards[key].chart

    def clear(self) -> None:
        self._waiting = []
        self._filler.stop()
        for holder in self.cards.values():
            holder.model.clear()
            holder.chart.set_rows([])
            holder.frame.hide()
