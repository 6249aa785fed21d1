"""The paper file register as a table: where each file is kept, whether it is out, with whom,
and when it is due back. Files out past their return date stand out. Holds PaperFile rows
handed to it; it never fetches."""

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from app.domain.text import uk_date
from app.services.casework.paper_files import PaperFile
from ui import theme
from ui.models.row_table_model import Column, RowRole, RowTableModel, SortRole  # noqa: F401 (SortRole: the views')

LABEL, CASE, HOME, STATUS, WITH, EXPECTED, TAKEN_TO = range(7)
FileRole = RowRole
OverdueRole = Qt.ItemDataRole.UserRole + 3

OVERDUE_TEXT = QColor("#7f1414")
OVERDUE_BACKGROUND = QColor("#fdecec")


R = Qt.ItemDataRole


class PaperFileModel(RowTableModel):
    EXTRA_ROLES = frozenset({OverdueRole, R.ForegroundRole, R.BackgroundRole, R.FontRole, R.ToolTipRole})

    def __init__(self, parent=None, today: date | None = None):
        self.names: dict[str, str] = {}  # user name -> full name, for "Out with"
        self.today = today or date.today()
        self._bold = QFont()
        self._bold.setBold(True)
        super().__init__([
            Column("File", lambda f: f.label),
            Column("Case", lambda f: f.case_reference or ""),
            Column("Kept in", lambda f: f.home_location),
            Column("Status", lambda f: ("Overdue" if f.overdue_on(self.today) else "Out") if f.is_out else "In"),
            Column("Out with", lambda f: self.names.get(f.checked_out_by, f.checked_out_by or "")),
            Column("Due back", lambda f: uk_date(f.expected_back), sort=lambda f: f.expected_back or ""),
            # Last: free text of any length, it takes what width is left.
            Column("Taken to", lambda f: f.taken_to or "", stretch=True),
        ], parent=parent)

    def set_files(self, files: Iterable[PaperFile], today: date | None = None,
                  names: dict[str, str] | None = None) -> None:
        self.names = dict(names or {})
        self.today = today or date.today()
        self.set_rows(files)

    def file(self, row: int) -> PaperFile | None:
        return self.row(row)

    def overdue_count(self) -> int:
        return sum(f.overdue_on(self.today) for f in self.rows)

    def extra(self, paper: PaperFile, column: int, role: int):
        overdue = paper.overdue_on(self.today)
        if role == OverdueRole:
            return overdue
        if overdue and role == Qt.ItemDataRole.ForegroundRole:
            return theme.painted(OVERDUE_TEXT)
        if overdue and role == Qt.ItemDataRole.BackgroundRole:
            return theme.painted(OVERDUE_BACKGROUND, "background")
        if overdue and role == Qt.ItemDataRole.FontRole and column in (STATUS, EXPECTED):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and paper.is_out and column != TAKEN_TO:
            return f"Out since {uk_date(paper.checked_out_on)}"
        return None


HEADERS = {number: column.title for number, column in enumerate(PaperFileModel().columns)}
