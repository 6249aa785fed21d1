"""Passphrase rows of a caller's form: a new one (confirmation and strength meter), or one the
person already has (a single field: nothing to rate, nothing to type twice)."""

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
        # An error about what was typed before ("at least 10 characters") must not stay
        # beside a meter that now says "Strong": editing the field withdraws it.
        self.edit.textChanged.connect(lambda _t: errors.clear_field(field))
        self.confirm.textChanged.connect(lambda _t: errors.clear_field(f"{field}_confirm"))
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


class ExistingPassphrase:
    """The passphrase the person already uses (joining a team signs in as them): one field and
    "Show passphrase"; its rules were met when it was chosen, so no meter and no repeat."""

    def __init__(self, form: QFormLayout, errors: FieldErrors, field: str = "passphrase",
                 label: str = "&Passphrase"):
        self.field = field
        self.edit = line_edit(label.replace("&", ""), secret=True)
        self.reveal = QCheckBox("&Show passphrase")
        self.reveal.setAccessibleName("Show passphrase")
        errors.row(form, label, field, self.edit)
        form.addRow("", self.reveal)
        self.edit.textChanged.connect(lambda _t: errors.clear_field(field))
        self.reveal.toggled.connect(
            lambda shown: self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password))

    def text(self) -> str:
        return self.edit.text()

    def check(self, _username: str = "") -> str:
        """May raise: ValidationError when nothing was typed."""
        if not self.edit.text():
            raise ValidationError("Type the passphrase you use on the team's other computers.",
                                  field=self.field)
        return self.edit.text()

    def clear(self) -> None:
        self.edit.clear()
