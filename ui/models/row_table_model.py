"""One table model for every list of records (after Vorta's archive model): the columns are
specs (title, how to show a row, how it sorts, its tooltip), the rows are whatever the
service returned, and a reload is a whole reset. A screen that needs more (a colour for an
overdue row, a role of its own) overrides `extra`.

A view asks each cell for some eight roles at every paint and sizing (font, alignment, colours,
check state, icon...), each a call into Python: a role no one here answers is turned away before
the record is looked up. A model whose `extra` answers roles names them in EXTRA_ROLES (left
None, `extra` is asked about every role).

Display text is also the accessible text; the tooltip is the full text by default, so a
column the view elides can still be read in full. Sorting uses SortRole: a column's own key
(ISO dates sort right where dd/mm/yyyy would not), else its text case-folded.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
RowRole = Qt.ItemDataRole.UserRole + 1   # the record itself
SortRole = Qt.ItemDataRole.UserRole + 2  # a value that sorts right
_SHOWN = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
_OWN = frozenset({*_SHOWN, RowRole, Qt.ItemDataRole.ToolTipRole})


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    tip: Callable[[Any], str | None] | None = None  # None: the full text
    header_tip: str = ""
    stretch: bool = False  # free text of any length: it takes the width left, elided


class RowTableModel(QAbstractTableModel):
    EXTRA_ROLES: frozenset | None = None    # the roles `extra` answers; None: any

    def __init__(self, columns: Iterable[Column], key: Callable[[Any], str] = lambda row: row.id, parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.key = key
        self._rows: list = []
        self._sort_keys: dict[tuple[int, int], Any] = {}  # (row, column): a sort takes n·log n lookups
        self._order: tuple[int, Qt.SortOrder] | None = None  # the model sorts itself (sort_rows)
        extra_roles = frozenset() if type(self).extra is RowTableModel.extra else self.EXTRA_ROLES
        self._roles = None if extra_roles is None else frozenset(int(r) for r in _OWN | extra_roles)

    # --- contents ----------------------------------------------------------------------
    def set_rows(self, rows: Iterable) -> None:
        self.beginResetModel()
        self._rows = self._sorted(list(rows))
        self._sort_keys = {}
        self.endResetModel()

    def sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        """Sort here, once per row, rather than in a proxy, which asks each row's key n·log n
        times through Qt (a list of thousands held the window for a second). Kept across reloads."""
        if not 0 <= column < len(self.columns):
            return
        self._order = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._rows = self._sorted(self._rows)
        self._sort_keys = {}
        self.layoutChanged.emit()

    def _sorted(self, rows: list) -> list:
        if self._order is None:
            return rows
        column, order = self.columns[self._order[0]], self._order[1]

        def key(record):
            value = column.sort(record) if column.sort else column.text(record).casefold()
            return (value is None, "" if value is None else value)
        try:
            return sorted(rows, key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        except TypeError:  # keys of mixed kinds in one column: as text
            return sorted(rows, key=lambda r: str(key(r)), reverse=order == Qt.SortOrder.DescendingOrder)

    def clear(self) -> None:
        """On lock: nothing a table showed stays in memory behind the unlock screen."""
        self.set_rows([])

    def row(self, index: int):
        return self._rows[index] if 0 <= index < len(self._rows) else None

    @property
    def rows(self) -> list:
        return list(self._rows)

    def row_of(self, key: str) -> int:
        return next((i for i, r in enumerate(self._rows) if self.key(r) == key), -1)

    def replace(self, record) -> None:
        """One record changed: only its row repaints."""
        row = self.row_of(self.key(record))
        if row < 0:
            return
        self._rows[row] = record
        self._sort_keys = {k: v for k, v in self._sort_keys.items() if k[0] != row}
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def text(self, row: int, column: int) -> str:
        record = self.row(row)
        return "" if record is None else self.columns[column].text(record)

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[section].header_tip or None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role == SortRole:
            place = (index.row(), index.column())
            if place not in self._sort_keys:
                self._sort_keys[place] = self._sort_key(index)
            return self._sort_keys[place]
        if self._roles is not None and role not in self._roles:
            return None
        record = self.row(index.row()) if index.isValid() else None
        if record is None:
            return None
        column = self.columns[index.column()]
        if role in _SHOWN:
            return column.text(record)
        if role == RowRole:
            return record
        found = self.extra(record, index.column(), role)
        if found is not None:
            return found
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip(record) if column.tip else (column.text(record) or None)
        return None

    def _sort_key(self, index: Index):
        record = self.row(index.row()) if index.isValid() else None
        if record is None:
            return None
        column = self.columns[index.column()]
        return column.sort(record) if column.sort else column.text(record).casefold()

    def extra(self, record, column: int, role: int):
        """Anything else a screen's model adds (colours, fonts, roles of its own); None: nothing."""
        return None
