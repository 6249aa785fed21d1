"""Data protection complaints (managers; s.164A DPA 2018): the register beside the subject
access requests, each complaint's 30-day acknowledgement deadline, and its next step."""

from datetime import date

from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from app.security.session import Session
from app.services.reports.complaints import register as complaints
from ui.dialogs.complaint_dialogs import AcknowledgeDialog, OutcomeDialog, RegisterComplaintDialog
from ui.dialogs.opening import open_dialog
from ui.models.complaint_table_model import ComplaintTableModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.register_page import RequestRegister
from ui.widgets.card import card
from ui.widgets.forms import text_label
from ui.widgets.page import add, button_row, clear_form
from ui.widgets.record_table import RecordTable

NOTHING_CHOSEN = "Choose a complaint to see where it stands."


class ComplaintsView(RequestRegister):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(session, ops, parent)
        self.model = ComplaintTableModel(self)
        # In the order the service returns them (newest first) until a header is clicked.
        self.table = RecordTable(self.model, "Data protection complaints", sort_column=None)
        self.table.set_actions(lambda c: ([("&Acknowledge…", lambda: self.act("acknowledge"))] if c.acknowledged_on is None
                                          else []) + ([("Record the &outcome…", lambda: self.act("outcome"))]
                                                      if c.replied_on is None else []))

        detail, detail_column = card()
        self.title = text_label(NOTHING_CHOSEN, "subheading")
        self.facts = QFormLayout()
        self.facts.setVerticalSpacing(4)
        self.acknowledge_button = QPushButton("Ac&knowledge…")
        self.outcome_button = QPushButton("Record outcome and re&ply…")
        add(detail_column, self.title, self.facts, button_row(self.acknowledge_button, self.outcome_button))
        self.build(self, "Data protection complaints", "Acknowledge each complaint within 30 days of receiving "
                   "it, and reply without undue delay (s.164A Data Protection Act 2018).",
                   "Register a &complaint…", "&Open complaints only", detail)

        self.acknowledge_button.clicked.connect(lambda: self.act("acknowledge"))
        self.outcome_button.clicked.connect(lambda: self.act("outcome"))
        self.table.doubleClicked.connect(lambda _i: self.act("next"))
        self.refresher = Refresher(self, session, ops, {"complaints"}, self.reload)
        self.selection_changed()

    def list_records(self, open_only: bool):
        return complaints.list_complaints(self.session, open_only=open_only)

    def fill(self, found, today: date | None) -> None:
        self.model.set_complaints(found, date.today())

    def show_complaint(self, complaint_id: str) -> "ComplaintsView":
        """Open the register at this complaint (the dashboard does)."""
        self.show_record(complaint_id)
        return self

    def selection_changed(self, *_args) -> None:
        complaint = self.selected()
        clear_form(self.facts)
        if complaint is None:
            self.title.setText(NOTHING_CHOSEN)
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

    def register_dialog(self) -> RegisterComplaintDialog:
        return RegisterComplaintDialog(self.session, self.ops, self)

    def act(self, step: str):
        """acknowledge, outcome, or next (whichever comes next); returns the dialog opened."""
        complaint = self.selected()
        if complaint is None or self.ops.busy:
            return None
        if step == "next":
            step = "acknowledge" if complaint.acknowledged_on is None else "outcome"
        if (step == "acknowledge" and complaint.acknowledged_on) or complaint.replied_on:
            return None
        self.select_after(complaint)
        return open_dialog((AcknowledgeDialog if step == "acknowledge" else OutcomeDialog)(
            self.session, self.ops, complaint, self))

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()

    def clear(self) -> None:
        self.model.clear()
        self.selection_changed()
        self.refresher.stale = True
