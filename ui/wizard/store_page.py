"""Set-up wizard: where the device secret lives, then the vault is created (the commit page).
Creation calibrates Argon2 on this computer, so it runs on the worker thread."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWizard, QWizardPage

from app.errors import ValidationError
from app.services.vault import unlock as vault
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.device_store_chooser import DeviceStoreChooser
from ui.widgets.forms import text_label


class StorePage(QWizardPage):
    def __init__(self, data_dir: Path, device_key_file: Path | None, ops: Operations,
                 details: Callable[[], tuple[str, str, str, str]]):
        super().__init__()
        self.setTitle("This computer")
        self.setSubTitle("The second layer of protection: a device secret kept by this "
                         "computer's operating system, unlocked by your OS login.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Create the vault")
        self.data_dir, self.ops, self.details = data_dir, ops, details
        self.chooser = DeviceStoreChooser(preset_key_file=device_key_file,
                                          suggested=Path.home() / "confide-device.key")
        self.busy_text = text_label("Creating the encrypted vault. This takes a few seconds…", "hint")
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(8)
        self.error = text_label("", "error")
        self.error.setAccessibleName("Set-up error")
        column = QVBoxLayout(self)
        column.addWidget(self.chooser)
        column.addWidget(self.error)
        column.addWidget(self.busy_text)
        column.addWidget(self.busy_bar)
        self._busy = False
        self._show_busy(False)
        self.chooser.changed.connect(self.completeChanged)

    def isComplete(self) -> bool:
        return not self._busy and self.chooser.store() is not None

    def _show_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_text.setVisible(busy)
        self.busy_bar.setVisible(busy)
        self.chooser.setEnabled(not busy)
        self.error.setVisible(bool(self.error.text()) and not busy)
        wizard = self.wizard()
        if wizard is not None:
            wizard.button(QWizard.WizardButton.BackButton).setEnabled(not busy)
            wizard.button(QWizard.WizardButton.CancelButton).setEnabled(not busy)
        self.completeChanged.emit()

    def validatePage(self) -> bool:
        wizard = self.wizard()
        if wizard.session is not None:
            return True
        if self._busy:
            return False
        store = self.chooser.store()
        if store is None:
            return False
        self.error.clear()
        service_name, username, full_name, passphrase = self.details()
        data_dir = self.data_dir
        self._show_busy(True)
        self.ops.run(lambda _p: vault.create_vault(data_dir, service_name, username, full_name,
                                                   passphrase, store),
                     on_done=self._created, on_error=self._failed)
        return False

    def _created(self, result) -> None:
        wizard = self.wizard()
        wizard.session, wizard.recovery_key = result
        self._show_busy(False)
        wizard.next()

    def _failed(self, exc: Exception) -> None:
        message = describe_error(exc)
        if isinstance(exc, ValidationError):
            message += " Go back to correct it."
        self.error.setText(message)
        self._show_busy(False)
