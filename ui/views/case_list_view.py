"""Cases: filters (status, worker, level), sorting by any column, a page at a time. The
service sorts, filters, pages and applies the R4 firewall; this view only asks."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import CaseStatus, InterventionLevel
from app.domain.role_matrix import reads_casework
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import cases
from app.services.vault import staff
from ui.formatting import describe_error
from ui.models import case_table_model as columns
from ui.models.case_table_model import CaseRole, CaseTableModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.choices import choice_combo
from ui.widgets.forms import text_label
from ui.widgets.table_setup import ColumnFitter

ALL = "all"  # the status filter's "any status"


class CaseListView(QWidget):
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.model = CaseTableModel(lambda query: cases.list_cases(session, query), self)

        self.status = QComboBox()
        self.status.setAccessibleName("Status")
        self.status.addItem("Open", CaseStatus.OPEN.value)
        self.status.addItem("Inactive", CaseStatus.INACTIVE.value)
        self.status.addItem("Closed", CaseStatus.CLOSED.value)
        self.status.addItem("Any state", ALL)
        self.worker = QComboBox()
        self.worker.setAccessibleName("Worker")
        self.level = choice_combo(InterventionLevel, "Level", none_text="Any level")
        filters = QHBoxLayout()
        for text, combo in (("&Status", self.status), ("&Worker", self.worker), ("&Level", self.level)):
            label = QLabel(text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Cases")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        header = self.table.horizontalHeader()
        # Sorting is the service's: a click asks for a new page in that order.
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(columns.OPENED, Qt.SortOrder.DescendingOrder)
        # Names and headers in full (sized to their content, titles included); the level takes
        # what is left and elides, with the full words in its tooltip.
        # Measured once per page of cases, not at every layout (ui/widgets/table_setup.py).
        header.setSectionResizeMode(columns.LEVEL, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.fitter = ColumnFitter(self.table, (c for c in columns.HEADERS if c != columns.LEVEL))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_menu)
        self.last_menu: QMenu | None = None

        self.page = text_label("", "hint")
        self.previous_button = QPushButton("&Previous page")
        self.next_button = QPushButton("Ne&xt page")
        paging = QHBoxLayout()
        paging.addWidget(self.page)
        paging.addStretch(1)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.next_button)
        self.error = text_label("", "error")
        self.error.hide()
        self.empty = text_label("", "hint")
        self.empty.hide()

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(10)
        column.addWidget(text_label("Cases", "heading"))
        column.addLayout(filters)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(self.table, 1)
        column.addLayout(paging)

        header.sortIndicatorChanged.connect(self._sort)
        for combo in (self.status, self.worker, self.level):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.previous_button.clicked.connect(lambda: self._page(self.model.previous_page))
        self.next_button.clicked.connect(lambda: self._page(self.model.next_page))
        self.table.activated.connect(self._activated)
        self._loaded = False  # the worker list is filled on the first load
        self.refresher = Refresher(self, session, ops, {"cases", "people"}, self.reload)

    # --- loading ---------------------------------------------------------------------------
    def _fill_workers(self) -> None:
        self.worker.blockSignals(True)
        self.worker.clear()
        self.worker.addItem("Anyone", None)
        me = self.session.user
        self.worker.addItem(f"{me.full_name} (me)", me.username)
        try:
            members = staff.list_staff(self.session)
        except ConfideError:
            members = []
        names = {m.username: m.full_name for m in members}
        for member in sorted(members, key=lambda m: m.full_name.casefold()):
            if member.username != me.username and reads_casework(member.role):
                self.worker.addItem(member.full_name, member.username)
        self.model.worker_names = names
        self.worker.blockSignals(False)

    def reload(self) -> None:
        if self.session.locked:
            return
        if not self._loaded:
            self._fill_workers()
        self._loaded = True
        self._run(self.model.reload)

    def apply_filters(self) -> None:
        status = self.status.currentData()
        self._run(lambda: self.model.set_filter(status=None if status == ALL else status,
                                                worker=self.worker.currentData(), level=self.level.currentData()))

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        self._run(lambda: self.model.sort_by(column, order))

    def _page(self, move) -> None:
        self._run(move)
        self.table.scrollToTop()

    def _run(self, fetch) -> None:
        """Every read goes through here: errors are shown, not raised into Qt."""
        self.error.hide()
        try:
            fetch()
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
        self.page.setText(self.model.page_text())
        self.previous_button.setEnabled(self.model.has_previous)
        self.next_button.setEnabled(self.model.has_next)
        self.empty.setText("No cases match these filters." if not self.model.total else "")
        self.empty.setVisible(not self.model.total)

    def _activated(self, index) -> None:
        case = index.data(CaseRole) if index.isValid() else None
        if case is None:
            case = self.model.case(index.row())
        if case is not None:
            self.openRequested.emit("case", case.id)

    def menu_for(self, pos) -> QMenu | None:
        """Right-click on a case: open it, or copy its reference (no one's name)."""
        index = self.table.indexAt(pos)
        case = self.model.case(index.row()) if index.isValid() else None
        if case is None:
            return None
        self.table.selectRow(index.row())
        menu = QMenu(self)
        menu.addAction("&Open the case").triggered.connect(lambda: self.openRequested.emit("case", case.id))
        menu.addAction("Copy the &reference").triggered.connect(
            lambda: QApplication.clipboard().setText(case.reference))
        return menu

    def _show_menu(self, pos) -> None:
        menu = self.menu_for(pos)
        if menu is not None:
            self.last_menu = menu
            menu.popup(self.table.viewport().mapToGlobal(pos))

    def set_busy(self, busy: bool) -> None:
        for widget in (self.status, self.worker, self.level, self.previous_button, self.next_button):
            widget.setEnabled(not busy)
        self.table.horizontalHeader().setSectionsClickable(not busy)
        if not busy:
            self.previous_button.setEnabled(self.model.has_previous)
            self.next_button.setEnabled(self.model.has_next)

    def clear(self) -> None:
        self.model.clear()
        self._loaded = False
        self.refresher.stale = True
