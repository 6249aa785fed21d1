"""Safeguarding concerns of a case (R16). The case view adds this tab only for the manager
and the case's worker; the service checks again on every read and write."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.records import Case, SafeguardingConcern
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services import safeguarding
from ui.dialogs.case_dialogs import ConcernDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import text_label

ConcernRole = Qt.ItemDataRole.UserRole + 1


def concern_text(c: SafeguardingConcern) -> str:
    referred = f" · referred to {c.referred_to}" if c.referred_to else ""
    outcome = f"\nOutcome: {c.outcome}" if c.outcome else ""
    return f"Raised {uk_date(c.raised_on)} · {c.status}{referred}\n{c.description}{outcome}"


class CaseSafeguardingTab(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.case: Case | None = None
        self.raise_button = QPushButton("&Raise a concern…")
        self.raise_button.setProperty("primary", True)
        self.update_button = QPushButton("&Update…")
        buttons = QHBoxLayout()
        for button in (self.raise_button, self.update_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.list = QListWidget()
        self.list.setAccessibleName("Safeguarding concerns")
        self.list.setWordWrap(True)
        self.empty = text_label("No safeguarding concerns recorded.", "hint")
        self.error = text_label("", "error")
        self.error.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 12, 4, 4)
        column.addWidget(text_label("Restricted: only the manager and the case's worker see this tab.", "notice"))
        column.addLayout(buttons)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(self.list, 100)
        column.addStretch(1)  # when there is no list, the lines above stay at their height
        self.raise_button.clicked.connect(self.raise_concern)
        self.update_button.clicked.connect(self.update_concern)
        self.list.itemActivated.connect(lambda _i: self.update_concern())

    def show_case(self, case: Case) -> None:
        self.case = case
        self.error.hide()
        try:
            found = safeguarding.concerns_for_case(self.session, case.id)
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return
        self.list.clear()
        for concern in found:
            item = QListWidgetItem(concern_text(concern))
            item.setData(ConcernRole, concern)
            self.list.addItem(item)
        self.empty.setVisible(not found)
        self.list.setVisible(bool(found))

    def selected(self) -> SafeguardingConcern | None:
        item = self.list.currentItem()
        return item.data(ConcernRole) if item is not None else None

    def raise_concern(self) -> ConcernDialog | None:
        if self.case is None:
            return None
        dialog = ConcernDialog(self.session, self.ops, self.case, parent=self)
        dialog.open()
        return dialog

    def update_concern(self) -> ConcernDialog | None:
        concern = self.selected()
        if self.case is None or concern is None:
            return None
        dialog = ConcernDialog(self.session, self.ops, self.case, concern, parent=self)
        dialog.open()
        return dialog

    def set_busy(self, busy: bool) -> None:
        for button in (self.raise_button, self.update_button):
            button.setEnabled(not busy)

    def clear(self) -> None:
        self.case = None
        self.list.clear()
