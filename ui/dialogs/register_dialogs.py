"""The registers' small forms: a colleague's register dates, a new paper file, taking a file
out, and a policy review. Each checks through its service on the worker and shows errors
beside the field at fault."""

from datetime import date, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget

from app.domain.staff import StaffMember
from app.domain.text import uk_date
from app.security.session import Session
from app.services.casework import paper_files
from app.services.casework.paper_files import PaperFile
from app.services.vault import registers
from app.services.vault.registers import StaffRegisterEntry
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import date_edit, date_of
from ui.widgets.forms import line_edit

DATE_HINT = "dd/mm/yyyy, or leave empty"
CHECKOUT_DAYS = 7  # the usual time a file is out for a family meeting


def optional_date(accessible_name: str, value: str | None) -> "QWidget":
    """A date that may be unknown: typed as dd/mm/yyyy, empty for 'not recorded'."""
    edit = line_edit(accessible_name, placeholder=DATE_HINT)
    edit.setText(uk_date(value))
    return edit


def notes_edit(accessible_name: str, text: str | None = "") -> QPlainTextEdit:
    edit = QPlainTextEdit(text or "")
    edit.setAccessibleName(accessible_name)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(80)
    return edit


class StaffRecordDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, entry: StaffRegisterEntry,
                 parent: QWidget | None = None):
        super().__init__(ops, "Staff register", "Dates cannot be in the future. Data protection "
                         f"training lasts {registers.TRAINING_VALID_DAYS} days.", ok_text="Save",
                         heading=f"Register entry for {entry.full_name}", parent=parent)
        self.session, self.entry = session, entry
        self.start = optional_date("Start date", entry.start_date)
        self.agreement = optional_date("Confidentiality agreement signed", entry.agreement_signed_on)
        self.induction = optional_date("Induction", entry.induction_on)
        self.training = optional_date("Data protection training", entry.dp_training_on)
        self.notes = notes_edit("Notes", entry.notes)
        for label, name, widget in (("&Start date", "start_date", self.start),
                                    ("Confidentiality &agreement signed", "agreement_signed_on", self.agreement),
                                    ("&Induction", "induction_on", self.induction),
                                    ("Data protection &training", "dp_training_on", self.training),
                                    ("&Notes", "notes", self.notes)):
            self.errors.row(self.form, label, name, widget)
        self.initial_focus = self.start

    def submit(self) -> None:
        session, username = self.session, self.entry.username
        values = {"start_date": self.start.text(), "agreement_signed_on": self.agreement.text(),
                  "induction_on": self.induction.text(), "dp_training_on": self.training.text(),
                  "notes": self.notes.toPlainText()}
        self.run(lambda _p: registers.update_staff_record(session, username, **values),
                 lambda _r: self.finish(), changes={"staff_register"})


class AddPaperFileDialog(FormDialog):
    added = Signal(object)  # PaperFile

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Add a paper file", "The label is what is written on the folder.",
                         ok_text="Add file", parent=parent)
        self.session = session
        self.label = line_edit("File label", placeholder="for example PF-CAS-2026-0012")
        self.home = line_edit("Where it is kept", placeholder="for example Cabinet B, drawer 2")
        self.case = line_edit("Case reference", placeholder="CAS-2026-0012, or leave empty")
        self.errors.row(self.form, "File &label", "label", self.label)
        self.errors.row(self.form, "&Kept in", "home_location", self.home)
        self.errors.row(self.form, "&Case", "case", self.case)
        self.initial_focus = self.label

    def submit(self) -> None:
        session = self.session
        label, home, reference = self.label.text(), self.home.text(), self.case.text()

        def work(_p):
            return paper_files.add_file(session, label, home, paper_files.case_for_reference(session, reference))

        self.run(work, self._added, changes={"paper_files"})

    def _added(self, paper: PaperFile) -> None:
        self.added.emit(paper)
        self.finish()


class CheckOutDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, paper: PaperFile, staff: list[StaffMember],
                 parent: QWidget | None = None, today: date | None = None):
        super().__init__(ops, "Take a paper file out", "Whoever takes the file is responsible for it "
                         "until it is checked back in.", ok_text="Check out",
                         heading=f"Take {paper.label} out", parent=parent)
        self.session, self.paper = session, paper
        today = today or date.today()
        self.person = QComboBox()
        self.person.setAccessibleName("Taken by")
        for member in staff:
            if member.active:
                self.person.addItem(member.full_name, member.username)
        self.person.setCurrentIndex(max(self.person.findData(session.user.username), 0))
        self.expected = date_edit("Expected back", today + timedelta(days=CHECKOUT_DAYS), not_after_today=False)
        self.expected.setMinimumDate(QDate(today.year, today.month, today.day))
        self.taken_to = line_edit("Taken to", placeholder="for example Family meeting at Hillside Primary")
        self.errors.row(self.form, "Taken &by", "person", self.person)
        self.errors.row(self.form, "&Expected back", "expected_back", self.expected)
        self.errors.row(self.form, "&Taken to", "taken_to", self.taken_to)
        self.initial_focus = self.taken_to

    def submit(self) -> None:
        session, file_id = self.session, self.paper.id
        person, back, where = self.person.currentData(), date_of(self.expected), self.taken_to.text()
        self.run(lambda _p: paper_files.check_out(session, file_id, back, taken_to=where, person=person),
                 lambda _r: self.finish(), changes={"paper_files"})


class PolicyReviewDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Record a policy review", "The confidentiality policy is reviewed every "
                         "year. Leave the next review empty for a year from this one.",
                         ok_text="Record review", parent=parent)
        self.session = session
        self.reviewed_on = date_edit("Review date")
        self.reviewed_by = line_edit("Reviewed by", placeholder="for example Steering group")
        self.minutes = line_edit("Minutes reference", placeholder="for example SG-2026-03")
        self.next_review = optional_date("Next review", None)
        self.notes = notes_edit("Notes")
        for label, name, widget in (("Review &date", "reviewed_on", self.reviewed_on),
                                    ("Reviewed &by", "reviewed_by", self.reviewed_by),
                                    ("&Minutes reference", "minutes_reference", self.minutes),
                                    ("&Next review", "next_review_on", self.next_review),
                                    ("N&otes", "notes", self.notes)):
            self.errors.row(self.form, label, name, widget)
        self.initial_focus = self.reviewed_by

    def submit(self) -> None:
        session = self.session
        day, who, minutes = date_of(self.reviewed_on), self.reviewed_by.text(), self.minutes.text()
        nxt, notes = self.next_review.text(), self.notes.toPlainText()
        self.run(lambda _p: registers.record_policy_review(session, day, who, minutes, nxt or None, notes),
                 lambda _r: self.finish(), changes={"policy_reviews"})
