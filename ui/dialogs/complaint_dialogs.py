"""The steps of a data protection complaint, one small form each: register it, acknowledge it,
and record the outcome with the reply sent. Each asks before discarding what was typed."""

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.domain.choices import Channel
from app.security.session import Session
from app.services.reports.complaints import register as complaints
from app.services.reports.complaints.rules import Complaint, ComplaintOutcome
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_edit, date_of
from ui.widgets.forms import line_edit, text_label


def _multiline(name: str, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(90)
    return edit


def _not_before(edit, day) -> None:
    edit.setMinimumDate(QDate(day.year, day.month, day.day))


class RegisterComplaintDialog(FormDialog):
    registered = Signal(object)  # Complaint

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Register a data protection complaint",
                         "A complaint about how the service handles someone's personal data. It must be "
                         "acknowledged within 30 days and answered without undue delay.",
                         ok_text="Register complaint", parent=parent)
        self.session = session
        self.received = date_edit("Date received")
        self.channel = choice_combo(Channel, "How it arrived", current="email")
        self.complainant = line_edit("From whom", placeholder="the person's name, or who they act for")
        self.about = _multiline("What it is about", "What the person says went wrong with their data")
        self.errors.row(self.form, "Date &received", "received_on", self.received)
        self.errors.row(self.form, "&How it arrived", "channel", self.channel)
        self.errors.row(self.form, "&From whom", "complainant", self.complainant)
        self.errors.row(self.form, "&About", "about", self.about)
        self.initial_focus = self.complainant

    def submit(self) -> None:
        session, received, channel = self.session, date_of(self.received), self.channel.currentData()
        who, about = self.complainant.text(), self.about.toPlainText()
        self.run(lambda _p: complaints.register_complaint(session, received, channel, who, about),
                 self._done, changes={"complaints"})

    def _done(self, complaint: Complaint) -> None:
        self.registered.emit(complaint)
        self.finish()


class AcknowledgeDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, complaint: Complaint, parent: QWidget | None = None):
        super().__init__(ops, "Acknowledge a complaint", f"Due by {complaint.ack_due_on:%d/%m/%Y} "
                         "(30 days from receipt).", ok_text="Record acknowledgement",
                         heading=f"Acknowledge {complaint.reference}", parent=parent)
        self.session, self.complaint = session, complaint
        self.day = date_edit("Date acknowledged")
        _not_before(self.day, complaint.received_on)
        self.how = choice_combo(Channel, "How it was acknowledged", current=complaint.channel)
        self.errors.row(self.form, "&Date acknowledged", "acknowledged_on", self.day)
        self.errors.row(self.form, "&How", "acknowledged_how", self.how)
        self.initial_focus = self.day

    def submit(self) -> None:
        session, complaint_id, day, how = self.session, self.complaint.id, date_of(self.day), self.how.currentData()
        self.run(lambda _p: complaints.acknowledge(session, complaint_id, day, how), lambda _r: self.finish(),
                 changes={"complaints"})


class OutcomeDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, complaint: Complaint, parent: QWidget | None = None):
        super().__init__(ops, "Record the outcome and reply", "What was decided, and the reply sent to the "
                         "person.", ok_text="Record reply", heading=f"Outcome of {complaint.reference}",
                         parent=parent)
        self.session, self.complaint = session, complaint
        self.outcome = choice_combo(ComplaintOutcome, "Outcome")
        self.reply = _multiline("The reply", "What the reply said, in brief")
        self.day = date_edit("Date of the reply")
        _not_before(self.day, complaint.acknowledged_on or complaint.received_on)
        self.errors.row(self.form, "&Outcome", "outcome", self.outcome)
        self.errors.row(self.form, "&Reply", "reply", self.reply)
        self.errors.row(self.form, "&Date of the reply", "replied_on", self.day)
        if not complaint.acknowledged_on:
            self.form.addRow("", text_label("Not acknowledged yet: the reply will count as the acknowledgement.",
                                            "hint"))
        self.initial_focus = self.outcome

    def submit(self) -> None:
        session, complaint_id = self.session, self.complaint.id
        outcome, reply, day = self.outcome.currentData(), self.reply.toPlainText(), date_of(self.day)
        self.run(lambda _p: complaints.record_outcome(session, complaint_id, outcome, reply, day),
                 lambda _r: self.finish(), changes={"complaints"})
