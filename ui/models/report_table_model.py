"""One table of a service report: its columns, and its rows as shown (exact, or as published
with counts under 5 suppressed and staff replaced by "Worker 1.."). Numbers are right-aligned;
a total row is bold."""

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.domain.report import Table

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def cell_text(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


class ReportTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.table: Table | None = None
        self.exact = False
        self._rows: list[list] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_table(self, table: Table | None, exact: bool) -> None:
        self.beginResetModel()
        self.table, self.exact = table, exact
        self._rows = table.shown_rows(exact) if table else []
        self.endResetModel()

    def clear(self) -> None:
        self.set_table(None, False)

    def chart_rows(self) -> list[tuple[str, int | str]]:
        """Label and first figure of each row, without the total (it would dwarf the rest)."""
        rows = self._rows[:-1] if self.table and self.table.total_last else self._rows
        return [(str(r[0]), r[1]) for r in rows]

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() or self.table is None else len(self.table.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole):
        if self.table is None or orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.table.columns[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0 and not self.table.text:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell_text(value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0 and not self.table.text:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.table.total_last and index.row() == len(self._rows) - 1:
            return self._bold
        return None
