"""Data protection complaints (managers; s.164A DPA 2018): the register beside the subject
access requests, each complaint's 30-day acknowledgement deadline, and its next step."""

from datetime import date

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.reports.complaints import register as complaints
from app.services.reports.complaints.rules import Complaint
from ui.dialogs.complaint_dialogs import AcknowledgeDialog, OutcomeDialog, RegisterComplaintDialog
from ui.formatting import describe_error
from ui.models.complaint_table_model import ComplaintTableModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.card import card
from ui.widgets.forms import text_label
from ui.widgets.record_table import RecordTable


class ComplaintsView(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._select_next: str | None = None
        self.model = ComplaintTableModel(self)
        # In the order the service returns them (newest first) until a header is clicked.
        self.table = RecordTable(self.model, "Data protection complaints", sort_column=None)
        self.table.set_actions(lambda c: ([("&Acknowledge…", lambda: self.act("acknowledge"))] if c.acknowledged_on is None
                                          else []) + ([("Record the &outcome…", lambda: self.act("outcome"))]
                                                      if c.replied_on is None else []))

        self.register_button = QPushButton("&Register a complaint…")
        self.register_button.setProperty("primary", True)
        self.open_only = QCheckBox("&Open complaints only")
        top = QHBoxLayout()
        top.addWidget(self.register_button)
        top.addStretch(1)
        top.addWidget(self.open_only)
        self.error = text_label("", "error")
        self.error.hide()

        detail, detail_column = card()
        self.title = text_label("Choose a complaint to see where it stands.", "subheading")
        self.facts = QFormLayout()
        self.facts.setVerticalSpacing(4)
        self.acknowledge_button = QPushButton("Ac&knowledge…")
        self.outcome_button = QPushButton("Record outcome and re&ply…")
        steps = QHBoxLayout()
        steps.addWidget(self.acknowledge_button)
        steps.addWidget(self.outcome_button)
        steps.addStretch(1)
        detail_column.addWidget(self.title)
        detail_column.addLayout(self.facts)
        detail_column.addLayout(steps)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 16)
        column.setSpacing(10)
        column.addWidget(text_label("Data protection complaints", "heading"))
        column.addWidget(text_label("Acknowledge each complaint within 30 days of receiving it, and reply "
                                    "without undue delay (s.164A Data Protection Act 2018).", "hint"))
        column.addLayout(top)
        column.addWidget(self.error)
        column.addWidget(self.table, 1)
        column.addWidget(detail)

        self.register_button.clicked.connect(lambda: self.register())
        self.acknowledge_button.clicked.connect(lambda: self.act("acknowledge"))
        self.outcome_button.clicked.connect(lambda: self.act("outcome"))
        self.open_only.toggled.connect(lambda _on: self.refresher.mark_stale())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_selected())
        self.table.doubleClicked.connect(lambda _i: self.act("next"))
        self.refresher = Refresher(self, session, ops, {"complaints"}, self.reload)
        self._show_selected()

    def reload(self) -> None:
        keep = self._select_next or getattr(self.selected(), "id", None)
        self._select_next = None
        try:
            found = complaints.list_complaints(self.session, open_only=self.open_only.isChecked())
        except ConfideError as exc:
            self._show_error(exc)
            return
        self.error.hide()
        self.model.set_complaints(found, date.today())
        if keep:
            self.select(keep)
        self._show_selected()

    def select(self, complaint_id: str) -> bool:
        return self.table.select(complaint_id)

    def show_complaint(self, complaint_id: str) -> "ComplaintsView":
        """Open the register at this complaint (the dashboard does)."""
        self._select_next = complaint_id
        if not self.refresher.try_now() and not self.refresher.stale:
            self._select_next = None
            if not self.select(complaint_id) and self.open_only.isChecked():
                self._select_next = complaint_id
                self.open_only.setChecked(False)
        return self

    def selected(self) -> Complaint | None:
        return self.table.selected()

    def _show_selected(self) -> None:
        complaint = self.selected()
        while self.facts.rowCount():
            self.facts.removeRow(0)
        if complaint is None:
            self.title.setText("Choose a complaint to see where it stands.")
        else:
            self.title.setText(f"{complaint.reference}: {complaint.status_text(date.today())}")
            for label, value in (("Received", f"{complaint.received_on:%d/%m/%Y} ({complaint.channel_label.lower()})"),
                                 ("From", complaint.complainant), ("About", complaint.about),
                                 ("Acknowledge by", f"{complaint.ack_due_on:%d/%m/%Y}"),
                                 ("Acknowledged", f"{complaint.acknowledged_on:%d/%m/%Y}"
                                  if complaint.acknowledged_on else "Not yet"),
                                 ("Outcome", complaint.outcome_label or "Not yet"),
                                 ("Reply", complaint.reply or "")):
                if value:
                    self.facts.addRow(label, text_label(value))
        self._update_buttons()

    def _update_buttons(self) -> None:
        complaint, idle = self.selected(), not self.ops.busy
        self.register_button.setEnabled(idle)
        self.acknowledge_button.setEnabled(idle and complaint is not None and complaint.acknowledged_on is None)
        self.outcome_button.setEnabled(idle and complaint is not None and complaint.replied_on is None)

    def register(self) -> RegisterComplaintDialog | None:
        if self.ops.busy:
            return None
        dialog = RegisterComplaintDialog(self.session, self.ops, self)
        dialog.registered.connect(lambda c: setattr(self, "_select_next", c.id))
        dialog.open()
        return dialog

    def act(self, step: str):
        """acknowledge, outcome, or next (whichever comes next); returns the dialog opened."""
        complaint = self.selected()
        if complaint is None or self.ops.busy:
            return None
        if step == "next":
            step = "acknowledge" if complaint.acknowledged_on is None else "outcome"
        if (step == "acknowledge" and complaint.acknowledged_on) or complaint.replied_on:
            return None
        self._select_next = complaint.id
        dialog = (AcknowledgeDialog if step == "acknowledge" else OutcomeDialog)(self.session, self.ops, complaint, self)
        dialog.open()
        return dialog

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()

    def clear(self) -> None:
        self.model.clear()
        self._show_selected()
        self.refresher.stale = True
