"""The right-to-erasure register's two forms (docs/lifecycle.md "Right-to-erasure requests"):
register a request (when it came, who asked, whose records), and record its outcome: erase
the person's records now, refuse with the ground and the reason the family is told, or note
that it was withdrawn. Each asks before discarding what was typed."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QWidget

from app.errors import ValidationError
from app.security.session import Session
from app.services.lifecycle import requests
from app.services.lifecycle.requests import ErasureRequest, SubjectRecords
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import date_edit, date_of
from ui.widgets.forms import line_edit, text_box, text_label
from ui.widgets.person_picker import PersonPicker

TOPICS = {"retention", "cases", "enquiries", "notes", "consent", "erasure_requests"}
OUTCOMES = (("erase", "Erase their records now"), ("refuse", "Refuse the request"),
            ("withdraw", "Withdrawn by the person who asked"))


class RegisterErasureRequestDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Register a right-to-erasure request",
                         "Someone asked for their records to be erased (UK GDPR Article 17). The answer is due "
                         "one calendar month after it was received.", ok_text="Register request", parent=parent)
        self.session = session
        self.received = date_edit("Date received")
        self.requester = line_edit("Who asked", placeholder="the person's name, or who they act for")
        self.subject = PersonPicker(session, ops, None, "subject_id", "Whose records", self.errors, allow_new=False)
        self.subject.changed.connect(lambda: QTimer.singleShot(0, self.adjustSize))
        self.errors.row(self.form, "Date &received", "received_on", self.received)
        self.errors.row(self.form, "&Who asked", "requester_name", self.requester)
        self.errors.row(self.form, "Whose &records", "subject_id", self.subject)
        self.form.addRow("", text_label("Leave 'Whose records' empty if they are not found: you can still "
                                        "register the request and refuse or close it later.", "hint"))
        self.initial_focus = self.requester

    def submit(self) -> None:
        session, received, who = self.session, date_of(self.received), self.requester.text()
        person = self.subject.person
        self.run(lambda _p: requests.register(session, received, who, person.id if person else None),
                 lambda _r: self.finish(), changes=TOPICS)


def what_erasing_takes(found: SubjectRecords) -> str:
    """The erase outcome's words: what goes, or why it cannot yet."""
    if found.nothing_left:
        return ("No one in the records is linked to this request (never named, or their records were erased "
                "already). It will be recorded as carried out.")
    if found.open_cases:
        return (f"{found.person_name} has an open case ({', '.join(found.open_cases)}): close it first, or "
                "refuse the request.")
    taken = [r for _, r in found.cases] + [r for _, r in found.enquiries]
    if not taken:
        return f"{found.person_name} has no case or enquiry of their own here (named on someone else's only)."
    return (f"Erases everywhere, for good: {', '.join(taken)}, with every note, document, letter and consent, and "
            f"{found.person_name} unless another record still names them.")


class ErasureOutcomeDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, request: ErasureRequest, parent: QWidget | None = None):
        super().__init__(ops, "Record the outcome of an erasure request",
                         f"Received {request.received_on[8:10]}/{request.received_on[5:7]}/{request.received_on[:4]} "
                         f"from {request.requester_name}; the answer is due by "
                         f"{request.due_on[8:10]}/{request.due_on[5:7]}/{request.due_on[:4]}.",
                         ok_text="Record the outcome", heading=f"Outcome of {request.reference}", parent=parent)
        self.session, self.request = session, request
        self.found = requests.subject_records(session, request.id)
        self.outcome = QComboBox()
        self.outcome.setAccessibleName("Outcome")
        for value, label in OUTCOMES:
            self.outcome.addItem(label, value)
        self.erase_words = text_label(what_erasing_takes(self.found), "hint")
        self.ground = QComboBox()
        self.ground.setAccessibleName("Ground for refusing")
        self.ground.addItem("Choose the ground…", "")
        for value, label in requests.GROUNDS.items():
            self.ground.addItem(label[0].upper() + label[1:], value)
        self.reason = text_box("Reason given to the family", 80)
        self.reason.setPlaceholderText("For example: a claim against the service about this case is in progress")
        self.errors.row(self.form, "&Outcome", "status", self.outcome)
        self.form.addRow("", self.erase_words)
        self.ground_row = self.errors.row(self.form, "&Ground", "refusal_ground", self.ground)
        self.reason_row = self.errors.row(self.form, "&Reason", "refusal_reason", self.reason)
        self.outcome.currentIndexChanged.connect(self._show_rows)
        self._show_rows()
        self.initial_focus = self.outcome

    def _show_rows(self) -> None:
        chosen = self.outcome.currentData()
        self.form.setRowVisible(self.erase_words, chosen == "erase")
        self.form.setRowVisible(self.ground_row, chosen == "refuse")
        self.form.setRowVisible(self.reason_row, chosen == "refuse")
        self.ok_button.setText({"erase": "Erase for good", "refuse": "Refuse the request",
                                "withdraw": "Record as withdrawn"}[chosen])
        if self._fitted:
            # The ground and reason appear: grow to show them rather than scroll a sliver.
            QTimer.singleShot(0, self, lambda: self.fit_to_screen(grow_only=True))

    def submit(self) -> None:
        session, rid, chosen = self.session, self.request.id, self.outcome.currentData()
        if chosen == "refuse":
            ground, why = self.ground.currentData(), self.reason.toPlainText()
            if not ground:
                raise ValidationError("Choose the ground for refusing.", field="refusal_ground")
            work = lambda _p: requests.refuse(session, rid, ground, why)  # noqa: E731
        elif chosen == "withdraw":
            work = lambda _p: requests.withdraw(session, rid)  # noqa: E731
        else:
            work = lambda _p: requests.carry_out_for_subject(session, rid)  # noqa: E731
        self.run(work, lambda _r: self.finish(), changes=TOPICS)
