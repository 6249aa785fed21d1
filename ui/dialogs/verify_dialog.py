"""Verify the database: every page's HMAC, the structure and the audit chain. It reads only,
and asks for the passphrase because it opens its own read of the vault."""

from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.errors import WrongCredentials
from app.services.vault.verify import VerifyReport, verify_vault
from ui.dialogs.form_dialog import FormDialog
from ui.operations import Operations
from ui.widgets.forms import line_edit

INTRO = ("Confide reads every page of the database and checks the audit trail. It changes "
         "nothing. Type your passphrase to start.")


class VerifyDialog(FormDialog):
    def __init__(self, data_dir: Path, username: str, device_key_file: Path | None,
                 ops: Operations, parent: QWidget | None = None):
        super().__init__(ops, "Verify the database", INTRO, ok_text="Verify", parent=parent)
        self.data_dir, self.username, self.device_key_file = data_dir, username, device_key_file
        self.report: VerifyReport | None = None
        self.passphrase = line_edit("Passphrase", secret=True)
        self.checkpoint = line_edit("Audit checkpoint", placeholder="optional: one you wrote down or printed")
        self.errors.row(self.form, "&Passphrase", "passphrase", self.passphrase)
        self.errors.row(self.form, "Audit &checkpoint", "checkpoint", self.checkpoint)
        self.errors.route(WrongCredentials, "passphrase")

    def submit(self) -> None:
        args = (self.data_dir, self.username, self.passphrase.text(), self.device_key_file)
        typed = self.checkpoint.text().strip()
        checkpoints = [typed] if typed else []
        self.run(lambda progress: verify_vault(*args, progress=progress, checkpoints=checkpoints), self._done)

    def _done(self, report: VerifyReport) -> None:
        self.report = report
        self.finish()
