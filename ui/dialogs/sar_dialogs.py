"""The steps of a subject access request, one small form each: register it, confirm the
requester's identity, clarification asked for and received, an extension, and sending."""

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QPlainTextEdit, QWidget

from app.domain.text import uk_date
from app.errors import ValidationError
from app.security.session import Session
from app.services.sar import register as sar
from app.services.sar.register import Sar
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import date_edit, date_of
from ui.widgets.forms import line_edit, text_label
from ui.widgets.person_picker import PersonPicker

REQUESTERS = [("subject", "The person themselves"), ("parent", "A parent, for their child"),
              ("representative", "A representative (solicitor, advocate…)")]
SEND_METHODS = ["Secure email", "Recorded delivery", "Handed over in person"]
# A parent's request about a young person of 16+ (or a child competent to decide).
CHILD_AUTHORITY = [("", "Not needed: the child is under 16 and not competent to decide"),
                   ("young_person", "The young person gave their authority"),
                   ("manager_decision", "A manager's decision, with its reason")]


def _multiline(name: str, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(70)
    return edit


def _not_before(edit, day: str) -> None:
    first = date.fromisoformat(day)
    edit.setMinimumDate(QDate(first.year, first.month, first.day))


class _ChildAuthorityRows:
    """The rows for a parent's authority over a young person's request (rule in
    app/domain/sar_authority.py; the service checks it)."""

    def __init__(self, dialog: FormDialog, with_none: bool):
        self.competent = QCheckBox("The child is competent to decide about their own information")
        self.competent.setAccessibleName("Child competent to decide")
        self.choice = QComboBox()
        self.choice.setAccessibleName("Young person's authority")
        for value, label in CHILD_AUTHORITY[0 if with_none else 1:]:
            self.choice.addItem(label, value)
        self.note = _multiline("Authority or reason", "How the young person gave their authority, or the "
                               "reason for the manager's decision")
        self.rows = [dialog.errors.row(dialog.form, "Co&mpetence", "child_competent", self.competent),
                     dialog.errors.row(dialog.form, "Young person's &say", "child_authority", self.choice),
                     dialog.errors.row(dialog.form, "Authority or &reason", "child_authority_note", self.note)]

    def set_visible(self, form, visible: bool) -> None:
        for row in self.rows:
            form.setRowVisible(row, visible)

    def values(self) -> dict:
        return {"child_competent": self.competent.isChecked(), "child_authority": self.choice.currentData() or None,
                "child_authority_note": self.note.toPlainText() or None}


class RegisterSarDialog(FormDialog):
    registered = Signal(object)  # Sar

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Register a subject access request", "Record the request the day it "
                         "arrives. The one-month clock starts once the requester's identity is confirmed.",
                         ok_text="Register request", parent=parent)
        self.session = session
        self.received = date_edit("Date received")
        # A request is about someone already on record, asked by a parent on record.
        self.subject = PersonPicker(session, ops, None, "subject_id", "Whose information", self.errors,
                                    allow_new=False)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Who is asking")
        for value, label in REQUESTERS:
            self.kind.addItem(label, value)
        self.requester = PersonPicker(session, ops, "parent_carer", "requester_id", "Parent", self.errors,
                                      allow_new=False)
        for picker in (self.subject, self.requester):
            # The line describing who was picked appears below: let the dialog grow for it.
            picker.changed.connect(self.make_room)
        self.requester_name = line_edit("Requester's name", placeholder="for example A. Solicitor, Smith & Co")
        self.authority = _multiline("Authority", "What written authority was received, and from whom")
        self.errors.row(self.form, "Date &received", "received_on", self.received)
        self.form.addRow("&Whose information", self.subject)
        self.errors.row(self.form, "Who is &asking", "requester_kind", self.kind)
        self.form.addRow("&Parent", self.requester)
        self.name_row = self.errors.row(self.form, "Requester's &name", "requester_name", self.requester_name)
        self.authority_row = self.errors.row(self.form, "A&uthority", "authority_note", self.authority)
        self.child = _ChildAuthorityRows(self, with_none=True)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.initial_focus = self.subject.search_edit
        self._kind_changed()

    def _kind_changed(self, *_args) -> None:
        kind = self.kind.currentData()
        self.form.setRowVisible(self.requester, kind == "parent")
        self.form.setRowVisible(self.name_row, kind == "representative")
        self.form.setRowVisible(self.authority_row, kind != "subject")
        self.child.set_visible(self.form, kind == "parent")
        self.make_room()

    def submit(self) -> None:
        subject = self.subject.person
        if subject is None:
            raise ValidationError("Find the person whose information is asked for.", field="subject_id")
        kind = self.kind.currentData()
        requester = self.requester.person if kind == "parent" else None
        if kind == "parent" and requester is None:
            raise ValidationError("Find the parent who is asking.", field="requester_id")
        session, received = self.session, date_of(self.received)
        name = self.requester_name.text() if kind == "representative" else None
        authority = self.authority.toPlainText() if kind != "subject" else None
        child = self.child.values() if kind == "parent" else {}
        self.run(lambda _p: sar.register(session, received, subject.id, kind, requester_name=name,
                                         requester_id=requester.id if requester else None,
                                         authority_note=authority, **child),
                 self._registered, changes={"sars"})

    def _registered(self, request: Sar) -> None:
        self.registered.emit(request)
        self.finish()


class _SarStepDialog(FormDialog):
    """A step on one request: the subclass adds rows, sets the first field to focus, and says
    what to run."""

    def __init__(self, session: Session, ops: Operations, request: Sar, title: str, intro: str, ok_text: str,
                 parent: QWidget | None = None):
        super().__init__(ops, title, intro, ok_text=ok_text, heading=f"{title}: {request.reference}", parent=parent)
        self.session, self.request = session, request

    def apply(self, work) -> None:
        self.run(work, lambda _r: self.finish(), changes={"sars"})


class IdentityDialog(_SarStepDialog):
    def __init__(self, session, ops, request: Sar, parent=None):
        super().__init__(session, ops, request, "Confirm identity", "Record how the requester's identity "
                         "was checked. The clock starts on the day the evidence arrived.", "Confirm identity", parent)
        self.method = line_edit("How identity was checked", placeholder="for example Passport seen at the office")
        self.arrived = date_edit("Evidence arrived")
        _not_before(self.arrived, request.received_on)
        self.errors.row(self.form, "&How it was checked", "identity_method", self.method)
        self.errors.row(self.form, "Evidence &arrived", "identity_received_on", self.arrived)
        self.initial_focus = self.method

    def submit(self) -> None:
        s, sar_id, method, day = self.session, self.request.id, self.method.text(), date_of(self.arrived)
        self.apply(lambda _p: sar.confirm_identity(s, sar_id, method, day))


class ClarificationDialog(_SarStepDialog):
    """Asking: the date and what was asked. Received: the date and their answer, with the
    question shown above it so the two are read together."""

    def __init__(self, session, ops, request: Sar, received: bool, parent=None):
        if received:
            title, intro, ok = ("Clarification received", "The clock resumes the day after the clarification "
                                "arrived; the days it was stopped are added to the deadline.",
                                "Record clarification")
        else:
            title, intro, ok = ("Ask for clarification", "While you wait for the requester to say what they "
                                "want, the clock is stopped (from the day you ask to the day they answer).", "Record request")
        super().__init__(session, ops, request, title, intro, ok, parent)
        self.received = received
        self.day = date_edit("Date")
        _not_before(self.day, request.clarification_requested_on if received else request.received_on)
        self.errors.row(self.form, "&Date", "clarification_received_on" if received else
                        "clarification_requested_on", self.day)
        if received:
            waiting = next((c for c in reversed(request.clarifications()) if c.received is None), None)
            if waiting is not None and waiting.question:
                self.form.addRow("You asked", text_label(waiting.question))
            self.words = _multiline("Their answer", "What the requester said they want")
            self.errors.row(self.form, "Their &answer", "clarification_answer", self.words)
        else:
            self.words = _multiline("What you asked", "for example Which meetings in 2025 do you mean?")
            self.errors.row(self.form, "What you &asked", "clarification_question", self.words)
        self.initial_focus = self.day

    def submit(self) -> None:
        words = self.words.toPlainText().strip()
        if not words:
            field = "clarification_answer" if self.received else "clarification_question"
            raise ValidationError("Say what they answered." if self.received else "Say what you asked them.",
                                  field=field)
        s, sar_id, day = self.session, self.request.id, date_of(self.day)
        if self.received:
            self.apply(lambda _p: sar.clarification_received(s, sar_id, day, answer=words))
        else:
            self.apply(lambda _p: sar.request_clarification(s, sar_id, day, question=words))


class ChildAuthorityDialog(_SarStepDialog):
    def __init__(self, session, ops, request: Sar, parent=None):
        super().__init__(session, ops, request, "Young person's authority", "A parent can have the information "
                         "of a young person aged 16 or over, or of a child competent to decide, only with the "
                         "young person's authority or a manager's decision with its reason.", "Record", parent)
        self.child = _ChildAuthorityRows(self, with_none=False)
        self.child.competent.setChecked(bool(request.child_competent))
        self.initial_focus = self.child.choice

    def submit(self) -> None:
        s, sar_id, values = self.session, self.request.id, self.child.values()
        self.apply(lambda _p: sar.record_child_authority(s, sar_id, values["child_authority"],
                                                         values["child_authority_note"], values["child_competent"]))


class ExtendDialog(_SarStepDialog):
    def __init__(self, session, ops, request: Sar, parent=None):
        super().__init__(session, ops, request, "Extend the deadline", "Up to two further months when the "
                         "request is complex or numerous, recorded before the first period ends (on "
                         f"{uk_date(request.due_on) or 'its due date'} at the latest). Tell the requester why "
                         "within that period.", "Extend", parent)
        self.months = QComboBox()
        self.months.setAccessibleName("Further months")
        self.months.addItem("One further month", 1)
        self.months.addItem("Two further months", 2)
        self.reason = _multiline("Reason", "Why the request is complex or numerous")
        self.errors.row(self.form, "&Further months", "extension_months", self.months)
        self.errors.row(self.form, "&Reason", "extension_reason", self.reason)
        self.initial_focus = self.reason

    def submit(self) -> None:
        s, sar_id = self.session, self.request.id
        months, reason = self.months.currentData(), self.reason.toPlainText()
        self.apply(lambda _p: sar.extend(s, sar_id, months, reason))


class MarkSentDialog(_SarStepDialog):
    def __init__(self, session, ops, request: Sar, parent=None):
        super().__init__(session, ops, request, "Record as sent", "The latest pack generated is recorded "
                         "as the one sent.", "Record as sent", parent)
        self.sent_on = date_edit("Date sent")
        _not_before(self.sent_on, request.received_on)
        self.method = QComboBox()
        self.method.setEditable(True)
        self.method.setAccessibleName("How it was sent")
        self.method.lineEdit().setAccessibleName("How it was sent")
        self.method.addItems(SEND_METHODS)
        self.errors.row(self.form, "Date &sent", "sent_on", self.sent_on)
        self.errors.row(self.form, "&How it was sent", "sent_method", self.method)
        self.form.addRow("", text_label("Send the password separately from the pack.", "hint"))
        self.initial_focus = self.method

    def submit(self) -> None:
        s, sar_id, day, method = self.session, self.request.id, date_of(self.sent_on), self.method.currentText()
        self.apply(lambda _p: sar.mark_sent(s, sar_id, day, method))
