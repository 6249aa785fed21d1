"""Reviews of the confidentiality policy (R15): when each happened, who reviewed it, the minutes,
and when the next is due, with a reminder when that is near or past."""

from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.vault import registers
from ui.dialogs.opening import open_dialog
from ui.dialogs.register_dialogs import PolicyReviewDialog
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.register_page import register_column
from ui.widgets.forms import restyle, show_error, text_label
from ui.widgets.page import button_row

HEADERS = ["Reviewed on", "Reviewed by", "Minutes", "Next review", "Notes"]


class PolicyReviewsTab(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.record_button = QPushButton("Record a re&view…")
        self.record_button.setProperty("primary", True)
        self.reminder = text_label("", "warning")
        self.reminder.hide()
        self.error = text_label("", "error")
        self.error.hide()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Policy reviews")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        register_column(self, button_row(self.record_button), self.reminder, self.error, (self.table, 1))
        self.record_button.clicked.connect(self.record)
        self.refresher = Refresher(self, session, ops, {"policy_reviews"}, self.reload)

    def reload(self, today: date | None = None) -> None:
        try:
            reviews = registers.policy_reviews(self.session)
            due = registers.policy_reminder(self.session, today)
        except ConfideError as exc:
            show_error(self.error, exc)
            return
        self.error.hide()
        self.table.setRowCount(0)
        for review in reviews:
            row = self.table.rowCount()
            self.table.insertRow(row)
            for c, text in enumerate((uk_date(review.reviewed_on), review.reviewed_by,
                                      review.minutes_reference or "", uk_date(review.next_review_on),
                                      review.notes or "")):
                self.table.setItem(row, c, QTableWidgetItem(text))
        self.reminder.setVisible(due is not None)
        if due is not None:
            self.reminder.setText(due.text + ".")
            self.reminder.setProperty("kind", "alert" if due.severity == "overdue" else "warning")
            restyle(self.reminder)

    def record(self) -> PolicyReviewDialog | None:
        if self.ops.busy:
            return None
        return open_dialog(PolicyReviewDialog(self.session, self.ops, self))

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.reminder.hide()
        self.refresher.stale = True

    def set_busy(self, busy: bool) -> None:
        self.record_button.setEnabled(not busy)
