"""New passphrase + confirmation + strength meter, added as rows of a caller's form."""

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit

from app.domain import passphrase as rules
from app.errors import ValidationError
from ui.widgets.forms import FieldErrors, line_edit
from ui.widgets.strength_meter import StrengthMeter


class NewPassphrase:
    def __init__(self, form: QFormLayout, errors: FieldErrors, field: str = "passphrase",
                 label: str = "&Passphrase", confirm_label: str = "&Type it again"):
        self.field = field
        self.errors = errors
        self.edit = line_edit(label.replace("&", ""), secret=True)
        self.confirm = line_edit(confirm_label.replace("&", ""), secret=True)
        self.meter = StrengthMeter()
        self.reveal = QCheckBox("&Show passphrase")
        self.reveal.setAccessibleName("Show passphrase")
        errors.row(form, label, field, self.edit)
        form.addRow("", self.meter)
        errors.row(form, confirm_label, f"{field}_confirm", self.confirm)
        form.addRow("", self.reveal)
        self.edit.textChanged.connect(self.meter.update_for)
        self.reveal.toggled.connect(self._reveal)

    def _reveal(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)
        self.confirm.setEchoMode(mode)

    def text(self) -> str:
        return self.edit.text()

    def check(self, username: str = "") -> str:
        """The rules of app.domain.passphrase, then the match. May raise: ValidationError."""
        rules.check_new(self.edit.text(), username, field=self.field)
        if self.edit.text() != self.confirm.text():
            raise ValidationError("The two passphrases differ. Type the same one twice.",
                                  field=f"{self.field}_confirm")
        return self.edit.text()

    def clear(self) -> None:
        self.edit.clear()
        self.confirm.clear()
