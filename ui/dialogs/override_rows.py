"""The override rows a form shows when the consent check refuses (R6): the refusal in words,
the lawful reason and the justification. One place for the document and letter forms."""

from app.domain.consent import LawfulReason
from ui.widgets.choices import choice_combo
from ui.widgets.forms import text_box, text_label


class OverrideRows:
    """For a FormDialog with `form`, `errors` and `ok_button`."""

    def add_override_rows(self) -> None:
        self.refusal = text_label("", "warning")
        self.refusal.setAccessibleName("No consent")
        self.reason = choice_combo(LawfulReason, "Lawful reason", none_text="Choose the lawful reason…")
        self.justification = text_box("Justification", 70)
        self.justification.setFixedHeight(70)
        self.form.addRow(self.refusal)
        self.reason_row = self.errors.row(self.form, "&Lawful reason", "lawful_reason", self.reason)
        self.justification_row = self.errors.row(self.form, "&Justification", "justification", self.justification)

    def _rows(self, *fields):
        return [w for f in fields for w in (f, self.form.labelForField(f)) if w is not None]

    def show_override_rows(self, on: bool, message: str, verb: str, ok_on: str, ok_off: str) -> None:
        """`verb`: what the person does anyway ("keep", "send"); the OK button's words either way."""
        self.refusal.setText(message + (f"\n\nTo {verb} it anyway, choose the lawful reason and explain why it "
                                        "could not wait for consent. The manager is told." if on else ""))
        self.refusal.setVisible(on)
        for widget in self._rows(self.reason_row, self.justification_row):
            widget.setVisible(on)
        self.ok_button.setText(ok_on if on else ok_off)
        self.ok_text = self.ok_button.text()
