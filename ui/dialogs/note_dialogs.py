"""Writing a case note (R8: the reminder to record only what is relevant is on the form
itself), changing one (the earlier version is kept), and reading a note's history."""

from datetime import date

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import NoteType
from app.domain.counting import plural
from app.domain.records import Note, NoteRevision
from app.domain.text import uk_date
from app.security.session import Session
from app.services.casework import notes
from ui.dialogs.form_dialog import FormDialog
from ui.formatting import uk_datetime
from ui.names import full_name
from ui.operations import Operations
from ui.widgets.choices import choice_combo, date_edit, date_of
from ui.widgets.counted_spin import count_unit
from ui.widgets.forms import text_box, text_label
from ui.widgets.screen_fit import fit_window


class NoteDialog(FormDialog):
    """Add a note to a case, or change `note` (keeping its earlier version)."""

    draft_kind = "note"

    def __init__(self, session: Session, ops: Operations, case_id: str, reference: str,
                 note: Note | None = None, parent: QWidget | None = None):
        editing = note is not None
        super().__init__(ops, "Edit note" if editing else "Add a note",
                         ok_text="Save changes" if editing else "Save note",
                         heading=f"{'Change a note in' if editing else 'New note for'} case {reference}",
                         parent=parent)
        self.setMinimumWidth(760)
        self.session, self.case_id, self.note, self.reference = session, case_id, note, reference
        self.saved_note: Note | None = None
        self.reminder = text_label(notes.RELEVANCE_REMINDER, "notice")
        self.reminder.setAccessibleName("Reminder")
        self.form.addRow(self.reminder)
        self.note_type = choice_combo(NoteType, "Type of note", current=note.note_type if editing else None)
        self.occurred = date_edit("Date", date.fromisoformat(note.occurred_on) if editing else None)
        self.minutes = QSpinBox()
        self.minutes.setAccessibleName("Time spent in minutes")
        self.minutes.setRange(0, notes.MAX_MINUTES)
        self.minutes.setSingleStep(5)
        count_unit(self.minutes, "minute")
        self.minutes.setMinimumWidth(150)
        self.minutes.setValue(note.minutes_spent if editing else 0)
        self.body = text_box("The note", 240, note.body if editing else "")
        self.errors.row(self.form, "&Type", "note_type", self.note_type)
        self.errors.row(self.form, "&Date", "occurred_on", self.occurred)
        self.errors.row(self.form, "Time &spent", "minutes_spent", self.minutes)
        self.errors.row(self.form, "&Note", "body", self.body)
        if editing:
            self.form.addRow("", text_label("The version you change is kept in the note's history.", "hint"))
        self.initial_focus = self.body if editing else self.note_type

    def draft_context(self) -> dict:
        return {"case_id": self.case_id, "reference": self.reference,
                "note_id": self.note.id if self.note is not None else None}

    def submit(self) -> None:
        session, case_id, note = self.session, self.case_id, self.note
        kind, day, minutes, body = (self.note_type.currentData(), date_of(self.occurred), self.minutes.value(),
                                    self.body.toPlainText())
        if note is None:
            work = lambda _p: notes.add_note(session, case_id, kind, day, minutes, body)  # noqa: E731
        else:
            work = lambda _p: notes.edit_note(session, note.id, kind, day, minutes, body,  # noqa: E731
                                              expected_version=note.version)
        self.run(work, self._saved, changes={"notes"})

    def _saved(self, note: Note) -> None:
        self.saved_note = note
        self.finish()


def history_text(note: Note, revisions: list[NoteRevision], names: dict[str, str] | None = None) -> str:
    """Newest first: the note as it is, then each earlier version with who wrote it."""
    def block(title: str, kind: str, occurred: str, minutes: int, body: str) -> str:
        return (f"{title}\n{NoteType(kind).label}, {uk_date(occurred)}, {plural(minutes, 'minute')}\n\n{body}")

    parts = [block(f"Current version (version {note.version}), saved {uk_datetime(note.updated_at)}",
                   note.note_type, note.occurred_on, note.minutes_spent, note.body)]
    for rev in reversed(revisions):
        parts.append(block(f"Version {rev.version}, written by {full_name(names or {}, rev.written_by)} on {uk_datetime(rev.written_at)}",
                           rev.note_type, rev.occurred_on, rev.minutes_spent, rev.body))
    return ("\n\n" + "—" * 30 + "\n\n").join(parts)


class NoteHistoryDialog(QDialog):
    def __init__(self, note: Note, revisions: list[NoteRevision], parent: QWidget | None = None,
                 names: dict[str, str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Note history")
        fit_window(self, QSize(760, 560))
        column = QVBoxLayout(self)
        column.addWidget(text_label("Note history", "subheading"))
        column.addWidget(text_label("Earlier versions are kept when a note is changed. The family can ask to "
                                    "see them.", "hint") if revisions else
                         text_label("This note has not been changed since it was written.", "hint"))
        self.text = QPlainTextEdit(history_text(note, revisions, names))
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Versions of the note")
        column.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
