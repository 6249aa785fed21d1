"""Enquiries: every enquiry, a page at a time, newest first; filtered by type and channel and
sorted by a header click (the service pages and sorts). After a save, the enquiry just
recorded is selected and a line says what happened to it. Right-click a row to open it or
copy its reference. A volunteer sees only the general-information enquiries they handled
(the service decides)."""

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import Channel, EnquiryType
from app.domain.counting import plural
from app.domain.records import Enquiry
from app.domain.role_matrix import reads_casework
from app.errors import ConfideError, PermissionDenied
from app.security.session import Session
from app.services.casework import enquiries, people
from app.services.casework.enquiries import EnquiryResult
from app.services.casework.enquiry_list import EnquiryQuery, list_enquiries
from ui.dialogs.enquiry_correction import EnquiryCorrectionDialog
from ui.formatting import describe_error
from ui.models.enquiry_table_model import RECEIVED, SORT_KEYS, EnquiryTableModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.forms import text_label
from ui.widgets.record_table import RecordTable

PAGE_SIZE = 100


def _choice_combo(name: str, everything: str, choices) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    combo.addItem(everything, None)
    for choice in choices:
        combo.addItem(choice.label, choice.value)
    return combo


class EnquiriesView(QWidget):
    newEnquiryRequested = Signal()
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None,
                 page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._select_next: str | None = None
        self.query = EnquiryQuery(limit=page_size)
        self.total = 0
        self.clipboard_text = ""  # the last reference copied (tests read it)
        self.new_button = QPushButton("New enquiry  (Ctrl+N)")
        self.new_button.setProperty("primary", True)
        self.new_button.setAccessibleName("New enquiry")
        self.new_button.clicked.connect(self.newEnquiryRequested)
        self.correct_button = QPushButton("&Open and correct…")
        self.correct_button.setAccessibleName("Open and correct the selected enquiry")
        self.correct_button.clicked.connect(lambda: self.correct(self.table.selected()))
        self.type_filter = _choice_combo("Type of enquiry", "All types", EnquiryType)
        self.channel_filter = _choice_combo("Channel", "All channels", Channel)
        top = QHBoxLayout()
        top.addWidget(text_label("Enquiries", "heading"), 1)
        top.addWidget(self.type_filter)
        top.addWidget(self.channel_filter)
        top.addWidget(self.correct_button)
        top.addWidget(self.new_button)
        self.outcome = text_label("", "success")
        self.outcome.setAccessibleName("Last enquiry saved")
        self.outcome.hide()
        self.error = text_label("", "error")
        self.error.hide()
        self.model = EnquiryTableModel(self)
        self.table = RecordTable(self.model, "Enquiries", sort_column=None)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        # Sorting is the service's: a click asks for the first page in that order.
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(RECEIVED, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort)
        self.table.set_actions(self._row_actions)
        self.empty = text_label("No enquiries yet. Every contact is recorded here, anonymous ones too.", "hint")
        self.page = text_label("", "hint")
        self.previous_button = QPushButton("&Previous page")
        self.next_button = QPushButton("Ne&xt page")
        paging = QHBoxLayout()
        paging.addWidget(self.page, 1)
        paging.addWidget(self.previous_button)
        paging.addWidget(self.next_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(12)
        column.addLayout(top)
        column.addWidget(text_label("Enter opens the enquiry's case, or the caller (an anonymous one opens to be corrected). "
                                    "Click a heading to sort.",
                                    "hint"))
        column.addWidget(self.outcome)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(self.table, 1)
        column.addLayout(paging)
        self.table.activated.connect(lambda index: self._open(self.table.selected()))
        self.type_filter.currentIndexChanged.connect(lambda _i: self._filter())
        self.channel_filter.currentIndexChanged.connect(lambda _i: self._filter())
        self.previous_button.clicked.connect(lambda: self._page(-1))
        self.next_button.clicked.connect(lambda: self._page(1))
        self.refresher = Refresher(self, session, ops, {"enquiries", "people"}, self._show,
                                   fetch=lambda: self._fetch(replace(self.query)), failed=self._failed)

    # --- contents --------------------------------------------------------------------------
    def reload(self) -> None:
        """Read and show the page now (a test, or an explicit refresh); the page shown and the
        paging, filters and sorting read on the worker instead (load_later)."""
        if self.session.locked:
            return
        try:
            found = self._fetch(replace(self.query))
        except ConfideError as exc:
            self._failed(exc)
            return
        self._show(found)

    def load_later(self) -> None:
        self.refresher.mark_stale()

    def _fetch(self, query: EnquiryQuery) -> tuple:
        """On the worker: only the session and this copy of the query, never a widget."""
        found, total = list_enquiries(self.session, query)
        if not found and total and query.offset:
            query.offset = 0  # the page emptied under us: back to the first
            found, total = list_enquiries(self.session, query)
        return query, found, total, self._names({e.caller_id for e in found if e.caller_id})

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, ConfideError):
            self.error.setText(describe_error(exc))
            self.error.show()
        else:
            raise exc

    def _show(self, fetched: tuple) -> None:
        query, found, self.total, names = fetched
        self.query.offset = query.offset
        self.error.hide()
        select, self._select_next = self._select_next, None
        self.table.reload(lambda: self.model.set_enquiries(found, names), select=select)
        filtered = self.query.enquiry_type or self.query.channel
        self.empty.setText("No enquiries match these filters." if filtered else
                           "No enquiries yet. Every contact is recorded here, anonymous ones too.")
        self.empty.setVisible(not found)
        self.table.setVisible(bool(found))
        self._show_paging(len(found))

    def _show_paging(self, shown: int) -> None:
        first = self.query.offset + 1
        self.page.setText(f"{first:,}–{self.query.offset + shown:,} of {plural(self.total, 'enquiry')}"
                          if shown else "")
        self.previous_button.setEnabled(self.query.offset > 0)
        self.next_button.setEnabled(self.query.offset + shown < self.total)

    def _filter(self) -> None:
        self.query.enquiry_type = self.type_filter.currentData()
        self.query.channel = self.channel_filter.currentData()
        self.query.offset = 0
        self.load_later()

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORT_KEYS:
            # The caller's name cannot be sorted here: put the indicator back.
            self.table.horizontalHeader().blockSignals(True)
            self.table.horizontalHeader().setSortIndicator(
                next(c for c, k in SORT_KEYS.items() if k == self.query.sort),
                Qt.SortOrder.DescendingOrder if self.query.descending else Qt.SortOrder.AscendingOrder)
            self.table.horizontalHeader().blockSignals(False)
            return
        self.query.sort = SORT_KEYS[column]
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self.query.offset = 0
        self.load_later()

    def _page(self, step: int) -> None:
        self.query.offset = max(0, self.query.offset + step * self.query.limit)
        self.load_later()

    def _names(self, ids: set[str]) -> dict[str, str]:
        # Names for a list: peek_person, which does not count as viewing each record.
        names = {}
        for pid in ids:
            try:
                names[pid] = people.peek_person(self.session, pid).full_name
            except PermissionDenied:
                names[pid] = "(restricted)"  # a young person's own enquiry, closed to this viewer
        return names

    def _row_actions(self, enquiry: Enquiry) -> list:
        actions = []
        if enquiry.case_id and reads_casework(self.session.user.role):
            actions.append(("&Open the case", lambda: self.openRequested.emit("case", enquiry.case_id)))
        if enquiry.caller_id:
            actions.append(("Open the &caller", lambda: self.openRequested.emit("person", enquiry.caller_id)))
        actions.append(("Open and co&rrect…", lambda: self.correct(enquiry)))
        actions.append(("Copy the &reference", lambda: self._copy_reference(enquiry)))
        return actions

    def _copy_reference(self, enquiry: Enquiry) -> None:
        # A reference names no one: an ordinary copy, unlike names and notes.
        QApplication.clipboard().setText(enquiry.reference)
        self.clipboard_text = enquiry.reference

    def show_saved(self, result: EnquiryResult) -> None:
        """Say what happened to the enquiry just saved, and select it."""
        enquiry = result.enquiry
        if result.case is not None:
            text = f"Saved {enquiry.reference}; casework opened as {result.case.reference}."
        elif result.refusal:
            text = f"Saved {enquiry.reference} as general information: casework was not opened."
        else:
            text = f"Saved {enquiry.reference} ({EnquiryType(enquiry.enquiry_type).label.lower()})."
        self.outcome.setText(text)
        self.outcome.show()
        self._select_next = enquiry.id
        self.query.offset = 0  # the newest is on the first page (in the default order)
        self.refresher.mark_stale()

    def _open(self, enquiry: Enquiry | None) -> None:
        if enquiry is None:
            return
        if enquiry.case_id and reads_casework(self.session.user.role):
            self.openRequested.emit("case", enquiry.case_id)
        elif enquiry.caller_id:
            self.openRequested.emit("person", enquiry.caller_id)
        else:
            self.correct(enquiry)

    def correct(self, enquiry: Enquiry | None) -> EnquiryCorrectionDialog | None:
        """Open the enquiry to correct it; the version it replaces is kept."""
        if enquiry is None or self.session.locked or self.ops.busy:
            return None
        try:
            dialog = EnquiryCorrectionDialog(self.session, self.ops, enquiries.get_enquiry(self.session, enquiry.id),
                                             self)
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return None
        dialog.accepted.connect(lambda: self._corrected(dialog))
        dialog.open()
        return dialog

    def _corrected(self, dialog: EnquiryCorrectionDialog) -> None:
        if dialog.saved_enquiry is not None:
            self.outcome.setText(f"Corrected {dialog.saved_enquiry.reference}; the earlier version is kept.")
            self.outcome.show()
            self._select_next = dialog.saved_enquiry.id

    def set_busy(self, busy: bool) -> None:
        self.new_button.setEnabled(not busy)
        self.correct_button.setEnabled(not busy)

    def clear(self) -> None:
        self.model.clear()
        self.outcome.hide()
        self.refresher.stale = True
