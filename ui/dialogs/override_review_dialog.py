"""The manager's review of a disclosure made without consent (R5): what was shared, with whom,
the lawful reason and the worker's justification; then "Mark reviewed", with a note if
something needs following up. The case can be opened from here to read more."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit, QWidget

from app.domain.consent import Disclosure
from app.domain.text import uk_date
from app.security.session import Session
from app.services.consent import disclosures
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import text_label


class OverrideReviewDialog(FormDialog):
    openCase = Signal(str)  # case id

    def __init__(self, session: Session, ops: Operations, record: Disclosure, parent: QWidget | None = None):
        super().__init__(ops, "Review an override", "Shared without the family's consent. Check the "
                         "lawful reason and the justification, then mark it reviewed.",
                         ok_text="Mark reviewed", heading=f"Shared without consent: {record.case_reference}",
                         parent=parent)
        self.session, self.record = session, record
        self.facts = {}
        for label, value in (("Date", uk_date(record.disclosed_on)), ("Shared with", record.counterparty_name),
                             ("What", record.what), ("Basis", record.basis_label),
                             ("Justification", record.justification or ""), ("Recorded by", record.created_by)):
            self.facts[label] = text_label(value)
            self.form.addRow(label, self.facts[label])
        if disclosures.is_self_review(session, record):
            others = disclosures.other_reviewers(session, record.created_by)
            self.form.addRow("", text_label(
                f"You made this disclosure, so another manager reviews it: {', '.join(others)}." if others else
                "You made this disclosure and no other manager can review it: it will show on the dashboard "
                "as self-reviewed.", "warning"))
        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Review note")
        self.note.setPlaceholderText("Optional: anything to follow up")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        self.errors.row(self.form, "Review &note", "note", self.note)
        self.open_button = self.buttons.addButton("&Open the case", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self._open_case)
        self.initial_focus = self.note

    def _open_case(self) -> None:
        if not self.busy:
            self.openCase.emit(self.record.case_id)
            self.reject()

    def submit(self) -> None:
        session, disclosure_id, note = self.session, self.record.id, self.note.toPlainText()
        self.run(lambda _p: disclosures.mark_override_reviewed(session, disclosure_id, note),
                 lambda _r: self.finish(), changes={"disclosures"})
