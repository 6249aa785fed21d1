"""Enquiries: the newest first, and the New enquiry button. After a save, the enquiry just
recorded is selected and a line says what happened to it. A volunteer sees only the
general-information enquiries they handled (the service decides)."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import CallerRole, Channel, EnquiryType
from app.domain.records import Enquiry
from app.domain.staff import Role
from app.errors import ConfideError, PermissionDenied
from app.security.session import Session
from app.services import enquiries, people
from app.services.enquiries import EnquiryResult
from ui.dialogs.enquiry_correction import EnquiryCorrectionDialog
from ui.formatting import describe_error, uk_datetime
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.forms import text_label

# No "case" column: an enquiry is casework only if a case was opened from it.
RECEIVED, REFERENCE, CALLER, CHANNEL, ROUTE, TYPE = range(6)
HEADERS = ["Received", "Reference", "Caller", "Channel", "Route", "Type"]
ROUTE_SHORT = {"self": "Self", "professional": "Professional"}
EnquiryRole = Qt.ItemDataRole.UserRole + 1
LIST_LIMIT = 100


class EnquiriesView(QWidget):
    newEnquiryRequested = Signal()
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._select_next: str | None = None
        self.new_button = QPushButton("New enquiry  (Ctrl+N)")
        self.new_button.setProperty("primary", True)
        self.new_button.setAccessibleName("New enquiry")
        self.new_button.clicked.connect(self.newEnquiryRequested)
        self.correct_button = QPushButton("&Open and correct…")
        self.correct_button.setAccessibleName("Open and correct the selected enquiry")
        self.correct_button.clicked.connect(lambda: self.correct(self._selected()))
        top = QHBoxLayout()
        top.addWidget(text_label("Enquiries", "heading"), 1)
        top.addWidget(self.correct_button)
        top.addWidget(self.new_button)
        self.outcome = text_label("", "success")
        self.outcome.setAccessibleName("Last enquiry saved")
        self.outcome.hide()
        self.error = text_label("", "error")
        self.error.hide()
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Recent enquiries")
        self.tree.setHeaderLabels(HEADERS)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CALLER, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.empty = text_label("No enquiries yet. Every contact is recorded here, anonymous ones too.", "hint")
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(12)
        column.addLayout(top)
        column.addWidget(text_label(f"The latest {LIST_LIMIT}, newest first. Enter opens the enquiry's case, or "
                                    "the caller (an anonymous one opens to be corrected).", "hint"))
        column.addWidget(self.outcome)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(self.tree, 1)
        self.tree.itemActivated.connect(lambda item, _c: self._open(item.data(0, EnquiryRole)))
        self.refresher = Refresher(self, session, ops, {"enquiries", "people"}, self.reload)

    # --- contents --------------------------------------------------------------------------
    def reload(self) -> None:
        if self.session.locked:
            return
        self.error.hide()
        try:
            found = enquiries.recent_enquiries(self.session, limit=LIST_LIMIT)
            names = self._names({e.caller_id for e in found if e.caller_id})
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return
        self.tree.clear()
        for enquiry in found:
            item = QTreeWidgetItem([uk_datetime(enquiry.received_at), enquiry.reference, self._caller(enquiry, names),
                                    Channel(enquiry.channel).label, ROUTE_SHORT.get(enquiry.route, enquiry.route),
                                    EnquiryType(enquiry.enquiry_type).label])
            item.setData(0, EnquiryRole, enquiry)
            self.tree.addTopLevelItem(item)
            if enquiry.id == self._select_next:
                self.tree.setCurrentItem(item)
        self._select_next = None
        self.empty.setVisible(not found)
        self.tree.setVisible(bool(found))

    def _names(self, ids: set[str]) -> dict[str, str]:
        # Names for a list: peek_person, which does not count as viewing each record.
        names = {}
        for pid in ids:
            try:
                names[pid] = people.peek_person(self.session, pid).full_name
            except PermissionDenied:
                names[pid] = "(restricted)"  # behind the firewall: a young person's own case (R4)
        return names

    @staticmethod
    def _caller(enquiry: Enquiry, names: dict[str, str]) -> str:
        if enquiry.is_anonymous:
            offered = ", ".join(p for p in (enquiry.anonymous_first_name, enquiry.anonymous_area) if p)
            return f"Anonymous ({offered})" if offered else "Anonymous"
        name = names.get(enquiry.caller_id, "")
        role = CallerRole(enquiry.caller_role).label.lower()
        return f"{name} ({role})" if name else role.capitalize()

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
        self.refresher.mark_stale()

    def _open(self, enquiry: Enquiry | None) -> None:
        if enquiry is None:
            return
        if enquiry.case_id and self.session.user.role != Role.VOLUNTEER:
            self.openRequested.emit("case", enquiry.case_id)
        elif enquiry.caller_id:
            self.openRequested.emit("person", enquiry.caller_id)
        else:
            self.correct(enquiry)

    def _selected(self) -> Enquiry | None:
        item = self.tree.currentItem()
        return item.data(0, EnquiryRole) if item is not None else None

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
        self.tree.clear()
        self.outcome.hide()
        self.refresher.stale = True
