"""How every table is laid out: columns as wide as their content (header included, so a
header is never cut), the important ones first (the model's order), free-text columns
taking the width left and eliding with the full text in the tooltip. Columns sized to
content include their title (the header's own size hint, in the header's bold font)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ui.models.row_table_model import RowTableModel


def fit_columns(view: QTableView | QAbstractItemView, model: RowTableModel) -> None:
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    for number, column in enumerate(model.columns):
        mode = QHeaderView.ResizeMode.Stretch if column.stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(number, mode)
    if not any(c.stretch for c in model.columns):
        header.setStretchLastSection(True)
