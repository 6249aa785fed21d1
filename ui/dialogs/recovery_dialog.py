"""Use the recovery key: put this computer's device secret back (and optionally give one
account a new passphrase). Reached from the unlock screen."""

from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QCheckBox, QFormLayout, QWidget

from app.domain.staff import clean_username
from app.errors import ValidationError, WrongRecoveryKey
from app.services.vault import recovery
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.device_store_chooser import DeviceStoreChooser
from ui.widgets.forms import line_edit, text_label
from ui.widgets.passphrase_fields import NewPassphrase

INTRO = ("The recovery key is on the recovery sheet made when Confide was set up: 8 groups of "
         "5 letters and digits. It puts this computer's device secret back, and every "
         "colleague's passphrase keeps working.")


class RecoveryDialog(FormDialog):
    def __init__(self, data_dir: Path, device_key_file: Path | None, ops: Operations,
                 parent: QWidget | None = None):
        super().__init__(ops, "Use the recovery key", INTRO, ok_text="Use recovery key",
                         parent=parent)
        self.data_dir = data_dir
        self.key_file = device_key_file
        self.reset_user = ""
        self.key = line_edit("Recovery key", placeholder="XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX")
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.key.setObjectName("recoveryKeyInput")
        self.errors.row(self.form, "Recovery &key", "recovery_key", self.key)
        self.chooser: DeviceStoreChooser | None = None
        if device_key_file is not None:
            # This vault already keeps its device secret in a file: it goes back there.
            self.form.addRow("Device secret", text_label(
                f"Goes back into the key file {device_key_file} (weaker protection).", "warning"))
        else:
            self.chooser = DeviceStoreChooser()
            self.form.addRow("Device secret", self.chooser)

        self.reset_box = QCheckBox("Also give one account a new &passphrase (a manager who forgot theirs)")
        self.form.addRow("", self.reset_box)
        self.reset_fields = QWidget()
        inner = QFormLayout(self.reset_fields)
        inner.setContentsMargins(0, 0, 0, 0)
        self.username = line_edit("User name to reset")
        self.errors.row(inner, "&User name", "username", self.username)
        self.new = NewPassphrase(inner, self.errors, field="new_passphrase", label="&New passphrase")
        self.form.addRow(self.reset_fields)
        self.reset_fields.hide()
        self.reset_box.toggled.connect(self._show_reset)
        self.errors.route(WrongRecoveryKey, "recovery_key")

    def _show_reset(self, shown: bool) -> None:
        self.reset_fields.setVisible(shown)
        if shown:
            self.username.setFocus()
        self.adjustSize()

    def submit(self) -> None:
        key = self.key.text()
        if not key.strip():
            raise ValidationError("Type the recovery key from the recovery sheet.", field="recovery_key")
        key_file = self.key_file
        if self.chooser is not None:
            if self.chooser.store() is None:
                raise ValidationError("Confide has nowhere to keep the device secret. Tick the box "
                                      "to keep it in a file, or fix the credential store first.")
            key_file = self.chooser.key_file()
        username = new = None
        if self.reset_box.isChecked():
            username = clean_username(self.username.text())
            new = self.new.check(username)
        data_dir = self.data_dir
        self.run(lambda _p: recovery.recover(data_dir, key, key_file, username, new), self._done)

    def _done(self, reset_user: str) -> None:
        self.reset_user = reset_user
        self.finish()
