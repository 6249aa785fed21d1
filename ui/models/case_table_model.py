"""The case list as a table: named columns, one page of rows at a time, and sorting and
filtering done by the service (there may be thousands of cases; only a page is in memory).

The model is handed a `fetch(CaseQuery) -> (rows, total)` function, so it can be tested
with no window and no view. A fetch failure propagates to the caller of reload/sort_by.
"""

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.choices import CaseStatus
from app.domain.intervention import level_label
from app.domain.records import CaseSummary
from app.domain.text import uk_date
from app.services.casework.cases import CaseQuery
from ui import theme

REFERENCE, CLIENT, CHILD, WORKER, LEVEL, STATUS, OPENED = range(7)
HEADERS = {REFERENCE: "Reference", CLIENT: "Client", CHILD: "Child or young person", WORKER: "Worker",
           LEVEL: "Level", STATUS: "Status", OPENED: "Opened"}
# The service's sort keys (cases.SORTABLE), by column.
SORT_KEYS = {REFERENCE: "reference", CLIENT: "client", CHILD: "child", WORKER: "worker", LEVEL: "level",
             STATUS: "status", OPENED: "opened"}

CaseRole = Qt.ItemDataRole.UserRole + 1  # the CaseSummary itself

PAGE_SIZE = 100
_CLOSED_TEXT = QColor("#5f6b7a")

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
R = Qt.ItemDataRole
_SHOWN = (int(R.DisplayRole), int(R.AccessibleTextRole))
# A view asks each cell for some eight roles at every paint and sizing, each a call into Python:
# the ones answered here are the only ones that go further.
_ANSWERED = frozenset({*_SHOWN, int(CaseRole), int(R.ToolTipRole), int(R.ForegroundRole)})
Fetch = Callable[[CaseQuery], tuple[list[CaseSummary], int]]


class CaseTableModel(QAbstractTableModel):
    def __init__(self, fetch: Fetch, parent=None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self._fetch = fetch
        self._rows: list[CaseSummary] = []
        self.total = 0
        self.query = CaseQuery(status="open", sort="opened", descending=True, offset=0, limit=page_size)
        self._worker_names: dict[str, str] = {}
        # Each row's texts, worked out at its first paint and kept until the page changes: a
        # paint asks for them again for every cell (dates and labels formatted each time).
        self._texts: dict[int, tuple[str, ...]] = {}

    @property
    def worker_names(self) -> dict[str, str]:
        return self._worker_names

    @worker_names.setter
    def worker_names(self, names: dict[str, str]) -> None:
        self._worker_names = names
        self._texts = {}

    # --- querying ----------------------------------------------------------------------
    def reload(self) -> None:
        rows, total = self._fetch(replace(self.query))
        if not rows and total and self.query.offset:
            # The page emptied under us (cases closed elsewhere): go back to the first page.
            self.query.offset = 0
            rows, total = self._fetch(replace(self.query))
        self.beginResetModel()
        self._rows, self.total = list(rows), total
        self._texts = {}
        self.endResetModel()

    def set_filter(self, *, status: str | None, worker: str | None, level: str | None) -> None:
        self.query.status, self.query.worker, self.query.level = status, worker, level
        self.query.offset = 0
        self.reload()

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORT_KEYS:
            return
        self.query.sort = SORT_KEYS[column]
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.query.offset = 0
        self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_by(column, order)

    # --- paging ------------------------------------------------------------------------
    @property
    def has_previous(self) -> bool:
        return self.query.offset > 0

    @property
    def has_next(self) -> bool:
        return self.query.offset + len(self._rows) < self.total

    def next_page(self) -> None:
        if self.has_next:
            self.query.offset += self.query.limit
            self.reload()

    def previous_page(self) -> None:
        if self.has_previous:
            self.query.offset = max(0, self.query.offset - self.query.limit)
            self.reload()

    def page_text(self) -> str:
        if not self.total:
            return "No cases"
        first = self.query.offset + 1
        return f"{first:,}–{self.query.offset + len(self._rows):,} of {self.total:,} cases"

    # --- contents ----------------------------------------------------------------------
    def clear(self) -> None:
        """On lock: no family's name stays in memory behind the unlock screen."""
        self.beginResetModel()
        self._rows, self.total = [], 0
        self.worker_names = {}
        self.endResetModel()

    def case(self, row: int) -> CaseSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, case_id: str) -> int:
        return next((i for i, c in enumerate(self._rows) if c.id == case_id), -1)

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ANSWERED:
            return None
        row = index.row()
        case = self.case(row) if index.isValid() else None
        if case is None:
            return None
        if role in _SHOWN:
            return self._row_texts(row, case)[index.column()]
        if role == CaseRole:
            return case
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (CLIENT, CHILD, WORKER, LEVEL):
            return self._row_texts(row, case)[index.column()]  # in full where the column elides it
        if role == Qt.ItemDataRole.ForegroundRole and case.status == CaseStatus.CLOSED:
            return theme.painted(_CLOSED_TEXT)
        return None

    def _row_texts(self, row: int, case: CaseSummary) -> tuple[str, ...]:
        texts = self._texts.get(row)
        if texts is None:
            texts = self._texts[row] = tuple(self._text(case, column) for column in HEADERS)
        return texts

    def _text(self, case: CaseSummary, column: int) -> str:
        if column == REFERENCE:
            return case.reference
        if column == CLIENT:
            return case.client_name
        if column == CHILD:
            return case.child_name
        if column == WORKER:
            return self.worker_names.get(case.worker, case.worker)
        if column == LEVEL:
            return level_label(case.level)
        if column == STATUS:
            if case.status == CaseStatus.CLOSED and case.closed_on:
                return f"Closed {uk_date(case.closed_on)}"
            return CaseStatus(case.status).label
        if column == OPENED:
            return uk_date(case.opened_on)
        return ""
