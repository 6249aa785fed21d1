"""How every table is laid out: columns as wide as their content (header included, so a
header is never cut), the important ones first (the model's order), free-text columns
taking the width left and eliding with the full text in the tooltip. Columns sized to
content include their title (the header's own size hint, in the header's bold font).

A column sized to its content measures the first SIZE_ROWS rows only (Qt's default is 1,000,
each a call into the Python model, again at every reset): a list of thousands of records
otherwise froze the window for seconds when shown. A longer value further down elides, its
full text in the tooltip.

The columns are measured once per new contents (a reset, a sort, rows added, the first show),
by `ColumnFitter`, not by Qt's ResizeToContents mode: that mode measures again at every layout
of the header (twice as a page is first shown, again at each resize of the window), each time
some eight calls into the Python model per cell measured (docs/architecture.md, "Locking
without a freeze")."""

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.models.row_table_model import RowTableModel

SIZE_ROWS = 40


class ColumnFitter(QObject):
    """Sizes `columns` of `view` to their content (the first SIZE_ROWS rows and the title) when
    the contents are new and the view is on screen; a view off screen is measured when shown,
    once polished (a style sheet's font changes the widths)."""

    def __init__(self, view: QTableView, columns: Iterable[int]):
        super().__init__(view)
        self.view, self.columns = view, tuple(columns)
        self.fits = 0           # how many times the columns were measured (for the tests)
        self._due = True
        header = view.horizontalHeader()
        header.setResizeContentsPrecision(SIZE_ROWS)
        for number in self.columns:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Interactive)
        model = view.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self.refit)
        view.installEventFilter(self)

    def refit(self, *_args) -> None:
        self._due = True
        if self.view.isVisible():
            self.fit()

    def fit(self) -> None:
        self._due = False
        self.fits += 1
        for number in self.columns:
            self.view.resizeColumnToContents(number)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        # getattr: Qt may still call a filter whose Python side is being torn down.
        if event.type() == QEvent.Type.Show and getattr(self, "_due", False) and watched is self.view:
            self.fit()
        return False


def fit_columns(view: QTableView | QAbstractItemView, model: RowTableModel) -> ColumnFitter:
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    for number, column in enumerate(model.columns):
        if column.stretch:
            header.setSectionResizeMode(number, QHeaderView.ResizeMode.Stretch)
    if not any(c.stretch for c in model.columns):
        header.setStretchLastSection(True)
    return ColumnFitter(view, (n for n, c in enumerate(model.columns) if not c.stretch))
