"""How every table is laid out: columns as wide as their content (header included, so a
header is never cut), the important ones first (the model's order), free-text columns
taking the width left and eliding with the full text in the tooltip. Columns sized to
content include their title (the header's own size hint, in the header's bold font).

A column sized to its content measures the first SIZE_ROWS rows only (Qt's default is 1,000,
each a call into the Python model, again at every reset): a list of thousands of records
otherwise froze the window for seconds when shown. A longer value further down elides, its
full text in the tooltip."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.models.row_table_model import RowTableModel

SIZE_ROWS = 40


def fit_columns(view: QTableView | QAbstractItemView, model: RowTableModel) -> None:
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setResizeContentsPrecision(SIZE_ROWS)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    for number, column in enumerate(model.columns):
        mode = QHeaderView.ResizeMode.Stretch if column.stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(number, mode)
    if not any(c.stretch for c in model.columns):
        header.setStretchLastSection(True)
