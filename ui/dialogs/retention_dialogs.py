"""The retention review's answers, one small form each: keep a record longer (a new date
and the reason), anonymise it, or erase it everywhere (the reason; erasing says plainly
that it cannot be undone). Each asks before discarding what was typed."""

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QWidget

from app.errors import ValidationError
from app.security.session import Session
from app.services.lifecycle import anonymise, decisions, erase
from app.services.lifecycle.review import Due
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.choices import date_edit, date_of
from ui.widgets.forms import text_box

TOPICS = {"retention", "cases", "enquiries", "notes", "consent"}
WORDS = {"case": "case", "enquiry": "enquiry", "mailing_list_member": "mailing list entry"}


class ExtendDialog(FormDialog):
    def __init__(self, session: Session, ops: Operations, due: Due, parent: QWidget | None = None):
        super().__init__(ops, "Keep a record longer", f"{due.reference} is past its retention date "
                         f"({due.due_on:%d/%m/%Y}). Say until when it is kept, and why.",
                         ok_text="Keep until this date", parent=parent)
        self.session, self.due = session, due
        later = date.today() + timedelta(days=365)
        self.until = date_edit("Keep until", later, not_after_today=False)
        self.until.setMinimumDate(QDate.currentDate().addDays(1))
        self.reason = text_box("Why it is kept longer", 90)
        self.reason.setPlaceholderText("For example: an appeal to the tribunal is expected")
        self.errors.row(self.form, "Keep &until", "keep_until", self.until)
        self.errors.row(self.form, "&Why", "reason", self.reason)
        self.initial_focus = self.reason

    def submit(self) -> None:
        session, due, until, why = self.session, self.due, date_of(self.until), self.reason.toPlainText()
        self.run(lambda _p: decisions.extend(session, due.kind, due.record_id, until, why),
                 lambda _r: self.finish(), changes=TOPICS)


class DisposeDialog(FormDialog):
    """Anonymise or erase the records chosen (one, or every one ticked)."""

    def __init__(self, session: Session, ops: Operations, chosen: list[Due], erasing: bool,
                 parent: QWidget | None = None):
        what = chosen[0].reference if len(chosen) == 1 else f"{len(chosen)} records"
        if erasing:
            intro = (f"Erase {what} everywhere: every row, note, consent and search entry, on this computer now "
                     "and on every other computer of the team at its next sync. It cannot be undone. The audit "
                     "trail records what kind of record was erased, by whom, when and why, never whom it was "
                     "about, so do not name the family in the reason.")
        else:
            intro = (f"Anonymise {what}: names, contact details, note text, consents and other identifying "
                     "records go; dates, topics, levels, outcomes, age and area stay, so past reports keep "
                     "their totals.")
        super().__init__(ops, "Erase records" if erasing else "Anonymise records", intro,
                         ok_text="Erase for good" if erasing else "Anonymise", parent=parent)
        self.session, self.chosen, self.erasing = session, chosen, erasing
        self.reason = text_box("Reason", 80)
        self.reason.setPlaceholderText("For example: past the retention schedule")
        self.errors.row(self.form, "&Reason", "reason", self.reason)
        self.initial_focus = self.reason

    def submit(self) -> None:
        session, why, erasing = self.session, self.reason.toPlainText(), self.erasing
        kinds = {d.kind for d in self.chosen}
        if len(kinds) != 1:
            raise ValidationError("Choose records of one kind at a time (cases, enquiries or mailing list entries).")
        kind, ids = kinds.pop(), [d.record_id for d in self.chosen]

        def work(_p):
            if erasing:
                return erase.erase(session, kind, ids, why)
            if kind == "case":
                return anonymise.anonymise_cases(session, ids, why)
            if kind == "enquiry":
                return anonymise.anonymise_enquiries(session, ids, why)
            return erase.erase(session, kind, ids, why)     # a mailing list entry has nothing to keep
        self.run(work, lambda _r: self.finish(), changes=TOPICS)
