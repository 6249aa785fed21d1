"""The table every register shows its records in: a RowTableModel behind a proxy (the model
sorts itself unless a view brings a proxy of its own),
whole-row single selection, no editing in place, columns fitted (ui/widgets/table_setup.py),
the selection kept across reloads, and a right-click menu of what can be done with a row.

    table = RecordTable(model, "Staff register", sort_column=NAME)
    table.reload(lambda: model.set_rows(found))   # the same record stays selected
    table.set_actions(lambda record: [("&Open", open_it), ("Copy reference", copy_it)])
"""

from collections.abc import Callable

from PySide6.QtCore import QPoint, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTableView, QWidget

from ui.models.row_table_model import RowRole, RowTableModel, SortRole
from ui.widgets.table_setup import fit_columns

Action = tuple[str, Callable[[], object]]


class ModelSorts(QSortFilterProxyModel):
    """A header click or sortByColumn sorts the source model itself (RowTableModel.sort_rows);
    this proxy then maps rows one to one. A view's own proxy (a filter) derives from it."""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort_rows(column, order)


class RecordTable(QTableView):
    def __init__(self, model: RowTableModel, accessible_name: str, *, sort_column: int | None = 0,
                 order: Qt.SortOrder = Qt.SortOrder.AscendingOrder, proxy: QSortFilterProxyModel | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.source = model
        self.proxy = proxy or ModelSorts(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SortRole)
        self.setModel(self.proxy)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        if sort_column is not None:
            self.setSortingEnabled(True)
            self.sortByColumn(sort_column, order)
        self.fitter = fit_columns(self, model)
        self._actions: Callable[[object], list[Action]] | None = None
        self.last_menu: QMenu | None = None

    # --- selection ---------------------------------------------------------------------
    def selected(self):
        rows = self.selectionModel().selectedRows()
        return rows[0].data(RowRole) if rows else None

    def select(self, key: str) -> bool:
        row = self.source.row_of(key)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.source.index(row, 0))
        self.selectRow(index.row())
        self.scrollTo(index)
        return True

    def reload(self, fill: Callable[[], None], select: str | None = None) -> None:
        """Refill the model through `fill`; `select` (a key), else the record selected before,
        stays selected."""
        current = self.selected()
        keep = select or (self.source.key(current) if current is not None else None)
        fill()
        if keep:
            self.select(keep)

    # --- right-click menu ----------------------------------------------------------------
    def set_actions(self, actions: Callable[[object], list[Action]]) -> None:
        self._actions = actions
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self.show_menu)

    def menu_for(self, pos: QPoint) -> QMenu | None:
        """The menu for the row under `pos` (selected first), or None off the rows."""
        index = self.indexAt(pos)
        if not index.isValid() or self._actions is None:
            return None
        self.selectRow(index.row())
        record = index.data(RowRole)
        menu = QMenu(self)
        for label, slot in self._actions(record):
            menu.addAction(label).triggered.connect(lambda _checked=False, run=slot: run())
        return menu

    def show_menu(self, pos: QPoint) -> None:
        menu = self.menu_for(pos)
        if menu is not None:
            self.last_menu = menu
            menu.popup(self.viewport().mapToGlobal(pos))
