"""What opens a backup: my passphrase (this computer) or the recovery key (any computer).
The restore itself runs after Confide locks (MainWindow.restore)."""

from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QButtonGroup, QRadioButton, QWidget

from app.errors import ValidationError
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import line_edit

INTRO = ("Confide locks first, checks every page of the backup, then puts it in place of the "
         "current database. The current database is kept in a folder named 'replaced-…' in "
         "the data folder, never deleted. Afterwards everyone unlocks again.")


class RestoreDialog(FormDialog):
    def __init__(self, backup_path: Path, username: str, ops: Operations,
                 parent: QWidget | None = None):
        super().__init__(ops, "Restore a backup", INTRO, ok_text="Lock and restore",
                         heading=f"Restore {backup_path.name}", parent=parent)
        self.backup_path = backup_path
        self.credentials: dict = {}
        self.with_passphrase = QRadioButton("With a passphrase (this computer)")
        self.with_key = QRadioButton("With the recovery key (another computer)")
        self.with_passphrase.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.with_passphrase)
        group.addButton(self.with_key)
        self.username = line_edit("User name")
        self.username.setText(username)
        self.passphrase = line_edit("Passphrase", secret=True)
        self.key = line_edit("Recovery key")
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.form.addRow("", self.with_passphrase)
        self.errors.row(self.form, "&User name", "username", self.username)
        self.errors.row(self.form, "&Passphrase", "passphrase", self.passphrase)
        self.form.addRow("", self.with_key)
        self.errors.row(self.form, "Recovery &key", "recovery_key", self.key)
        self.with_passphrase.toggled.connect(self._mode)
        self._mode(True)
        self.initial_focus = self.passphrase

    def _mode(self, _checked: bool) -> None:
        use_passphrase = self.with_passphrase.isChecked()
        self.username.setEnabled(use_passphrase)
        self.passphrase.setEnabled(use_passphrase)
        self.key.setEnabled(not use_passphrase)
        (self.passphrase if use_passphrase else self.key).setFocus()

    def submit(self) -> None:
        if self.with_passphrase.isChecked():
            if not self.username.text().strip():
                raise ValidationError("Enter your user name.", field="username")
            if not self.passphrase.text():
                raise ValidationError("Enter your passphrase.", field="passphrase")
            self.credentials = {"username": self.username.text().strip(),
                                "passphrase": self.passphrase.text()}
        else:
            if not self.key.text().strip():
                raise ValidationError("Type the recovery key from the recovery sheet.",
                                      field="recovery_key")
            self.credentials = {"recovery_key": self.key.text()}
        self.finish()
