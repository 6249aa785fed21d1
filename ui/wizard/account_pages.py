"""Set-up wizard, first pages: the service, the first manager, the passphrase."""

import re
from pathlib import Path

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWizardPage

from app.domain.staff import clean_full_name, clean_username
from app.errors import ConfideError, ValidationError
from ui.widgets.forms import FieldErrors, line_edit, text_label
from ui.widgets.passphrase_fields import NewPassphrase


class FormPage(QWizardPage):
    """A wizard page with a form whose errors sit beside the fields."""

    def __init__(self, title: str, subtitle: str, intro: str = ""):
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.column = QVBoxLayout(self)
        self.column.setSpacing(12)
        if intro:
            self.column.addWidget(text_label(intro, ""))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(8)
        self.column.addLayout(self.form)
        general: QLabel = text_label("", "error")
        self.column.addWidget(general)
        self.column.addStretch(1)
        self.errors = FieldErrors(general)

    def check(self) -> None:
        raise NotImplementedError

    def validatePage(self) -> bool:
        self.errors.clear()
        try:
            self.check()
        except ConfideError as exc:
            self.errors.show(exc)
            return False
        return True


class ServicePage(FormPage):
    def __init__(self, data_dir: Path):
        super().__init__(
            "Set up Confide",
            "Confide keeps the service's casework in one encrypted database on this computer.",
            "Setting up takes a few minutes. You will name the service, create the first "
            "manager account (yours), choose a passphrase, and receive a recovery key to "
            "print or write down.")
        self.service_name = line_edit("Service name", placeholder="for example Northshire SENDIASS")
        self.errors.row(self.form, "&Service name", "service_name", self.service_name)
        self.form.addRow("", text_label("Shown in the window title and on printed documents. "
                                        "Never a person's name.", "hint"))
        self.form.addRow("Data folder", text_label(str(data_dir), "hint"))

    def value(self) -> str:
        return " ".join(self.service_name.text().split())

    def check(self) -> None:
        if not self.value() or len(self.value()) > 120:
            raise ValidationError("Enter the service's name (up to 120 characters).",
                                  field="service_name")


def suggest_username(full_name: str) -> str:
    """'Alex Morgan-Price' -> 'amorgan-price': a starting point the person can change."""
    parts = [re.sub(r"[^a-z0-9-]", "", p) for p in full_name.lower().split()]
    parts = [p for p in parts if p]
    if not parts:
        return ""
    return (parts[0][0] + parts[-1] if len(parts) > 1 else parts[0])[:32]


class ManagerPage(FormPage):
    def __init__(self):
        super().__init__("Your account",
                         "The first account is a manager's: it adds colleagues, keeps the staff "
                         "register and makes backups.")
        self.full_name = line_edit("Full name")
        self.username = line_edit("User name")
        self.errors.row(self.form, "&Full name", "full_name", self.full_name)
        self.errors.row(self.form, "&User name", "username", self.username)
        self.form.addRow("", text_label("You type the user name to unlock Confide. Letters, "
                                        "digits, dots and dashes.", "hint"))
        self._suggested = ""
        self.full_name.textChanged.connect(self._suggest)

    def _suggest(self, text: str) -> None:
        # Follow the full name until the person types a user name of their own.
        if self.username.text() in ("", self._suggested):
            self._suggested = suggest_username(text)
            self.username.setText(self._suggested)

    def check(self) -> None:
        clean_full_name(self.full_name.text())
        clean_username(self.username.text())

    def values(self) -> tuple[str, str]:
        return clean_username(self.username.text()), clean_full_name(self.full_name.text())


class PassphrasePage(FormPage):
    def __init__(self, username):
        super().__init__("Your passphrase",
                         "A short sentence is easy to remember and hard to guess.",
                         "Nobody, not even Confide's makers, can open the vault without a "
                         "passphrase or the recovery key. Choose one you will remember.")
        self._username = username
        self.passphrase = NewPassphrase(self.form, self.errors)

    def check(self) -> None:
        self.passphrase.check(self._username())
