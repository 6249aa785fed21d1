"""The paper file register as a table: where each file is kept, whether it is out, with whom,
and when it is due back. Files out past their return date stand out. Holds PaperFile rows
handed to it; it never fetches."""

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.domain.text import uk_date
from app.services.paper_files import PaperFile

LABEL, CASE, HOME, STATUS, WITH, EXPECTED, TAKEN_TO = range(7)
# "Taken to" last: free text of any length, it takes what width is left.
HEADERS = {LABEL: "File", CASE: "Case", HOME: "Kept in", STATUS: "Status", WITH: "Out with",
           EXPECTED: "Due back", TAKEN_TO: "Taken to"}

FileRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
OverdueRole = Qt.ItemDataRole.UserRole + 3

OVERDUE_TEXT = QColor("#7f1414")
OVERDUE_BACKGROUND = QColor("#fdecec")

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class PaperFileModel(QAbstractTableModel):
    def __init__(self, parent=None, today: date | None = None):
        super().__init__(parent)
        self._rows: list[PaperFile] = []
        self.names: dict[str, str] = {}  # user name -> full name, for "Out with"
        self.today = today or date.today()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_files(self, files: Iterable[PaperFile], today: date | None = None,
                  names: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(files)
        self.names = dict(names or {})
        self.today = today or date.today()
        self.endResetModel()

    def replace(self, paper: PaperFile) -> None:
        """One file changed (checked out or in): only its row repaints."""
        row = self.row_of(paper.id)
        if row < 0:
            return
        self._rows[row] = paper
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def clear(self) -> None:
        self.set_files([])

    def file(self, row: int) -> PaperFile | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, file_id: str) -> int:
        return next((i for i, f in enumerate(self._rows) if f.id == file_id), -1)

    def overdue_count(self) -> int:
        return sum(f.overdue_on(self.today) for f in self._rows)

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        paper = self.file(index.row()) if index.isValid() else None
        if paper is None:
            return None
        column = index.column()
        overdue = paper.overdue_on(self.today)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(paper, column, overdue)
        if role == SortRole:
            if column == EXPECTED:
                return paper.expected_back or ""
            return self._text(paper, column, overdue).casefold()
        if role == FileRole:
            return paper
        if role == OverdueRole:
            return overdue
        if overdue and role == Qt.ItemDataRole.ForegroundRole:
            return OVERDUE_TEXT
        if overdue and role == Qt.ItemDataRole.BackgroundRole:
            return OVERDUE_BACKGROUND
        if overdue and role == Qt.ItemDataRole.FontRole and column in (STATUS, EXPECTED):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and paper.is_out:
            return f"Out since {uk_date(paper.checked_out_on)}"
        return None

    def _text(self, paper: PaperFile, column: int, overdue: bool) -> str:
        if column == LABEL:
            return paper.label
        if column == CASE:
            return paper.case_reference or ""
        if column == HOME:
            return paper.home_location
        if column == STATUS:
            return ("Overdue" if overdue else "Out") if paper.is_out else "In"
        if column == WITH:
            return self.names.get(paper.checked_out_by, paper.checked_out_by or "")
        if column == TAKEN_TO:
            return paper.taken_to or ""
        if column == EXPECTED:
            return uk_date(paper.expected_back)
        return ""
