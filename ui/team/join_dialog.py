"""Join a team on a new computer: the invitation file, its one-time code, your user name and
the passphrase you already use on the team's other computers. Offered by the set-up wizard instead of making a new
service's vault. Joining makes the vault, downloads the latest snapshot and catches up."""

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.staff import clean_username
from app.errors import ConfideError, ValidationError
from app.services.team import invitation, membership
from ui.dialogs import files, messages
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.device_store_chooser import DeviceStoreChooser
from ui.widgets.forms import FieldErrors, line_edit, text_label
from ui.widgets.passphrase_fields import ExistingPassphrase
from ui.widgets.screen_fit import fit_window


class JoinDialog(QDialog):
    joined = Signal(object)    # the unlocked Session

    def __init__(self, data_dir: Path, device_key_file: Path | None, ops: Operations,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir, self.device_key_file, self.ops = data_dir, device_key_file, ops
        self.setWindowTitle("Join a team")
        self.file = line_edit("Invitation file")
        browse = QPushButton("&Choose…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        self.code = line_edit("One-time code", placeholder="e.g. 7KQ2-M9XD-4HTP")
        self.username = line_edit("Your user name")
        general = text_label("", "error")
        self.errors = FieldErrors(general)
        form = QFormLayout()
        file_row = QWidget()
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.errors.row(form, "Invitation &file", "file", file_row)
        self.errors.row(form, "One-time &code", "code", self.code)
        self.errors.row(form, "Your &user name", "username", self.username)
        self.passphrase = ExistingPassphrase(form, self.errors, label="Your &passphrase")
        # The hub may be reached by another path here (a share mapped to another letter, a
        # USB stick mounted elsewhere, another address for the server).
        self.hub = line_edit("Path to the hub from this computer",
                             placeholder="Leave empty to use the one in the invitation")
        hub_browse = QPushButton("C&hoose…")
        hub_browse.setAutoDefault(False)
        hub_browse.clicked.connect(self._browse_hub)
        hub_row = QWidget()
        hub_layout = QHBoxLayout(hub_row)
        hub_layout.setContentsMargins(0, 0, 0, 0)
        hub_layout.addWidget(self.hub, 1)
        hub_layout.addWidget(hub_browse)
        self.errors.row(form, "&Hub path on this computer", "hub", hub_row)
        # Where this computer keeps its device secret, as in the set-up wizard: the OS
        # credential store, or only by explicit choice a key file (weaker protection).
        self.store = DeviceStoreChooser(preset_key_file=device_key_file,
                                        suggested=Path.home() / "confide-device.key")
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(text_label("Your manager invited this computer: they gave you an invitation file "
                                    "and, separately, a one-time code. You must already be in the "
                                    "service's staff register; sign in with the passphrase you use on "
                                    "the team's other computers.", "hint"))
        column.addLayout(form)
        column.addWidget(text_label("This computer's device secret", "subheading"))
        column.addWidget(self.errors.block("store", self.store))
        column.addWidget(general)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setAccessibleName("Joining a team")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.join_button = self.buttons.addButton("&Join the team", QDialogButtonBox.ButtonRole.AcceptRole)
        self.join_button.setProperty("primary", True)
        self.join_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.join_button.clicked.connect(self.join)
        outer = QVBoxLayout(self)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.buttons)
        fit_window(self, QSize(760, 700))

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open the invitation", "", "Confide invitation (*.invite)")
        if path:
            self.file.setText(path)

    def _browse_hub(self) -> None:
        picked = files.folder_path(self, "The hub folder", Path(self.hub.text() or Path.home()))
        if picked:
            self.hub.setText(str(picked))

    def _check(self) -> tuple[Path, str, str, str]:
        """May raise: ValidationError (naming the field at fault)."""
        path = Path(self.file.text().strip())
        if not self.file.text().strip() or not path.is_file():
            raise ValidationError("Choose the invitation file your manager gave you.", field="file")
        try:
            code = invitation.normalise_code(self.code.text())
        except ConfideError as exc:
            raise ValidationError(exc.message, field="code") from exc
        username = clean_username(self.username.text())
        return path, code, username, self.passphrase.check(username)

    def join(self) -> None:
        self.errors.clear()
        try:
            path, code, username, passphrase = self._check()
        except ConfideError as exc:
            self.errors.show(exc)
            return
        store = self.store.store()
        if store is None:
            self.errors.show(ValidationError("This computer has no credential store: tick the box to keep the "
                                             "device secret in a file, and choose where.", field="store"))
            return
        hub = self.hub.text().strip() or None
        if hub and not hub.startswith(("postgresql://", "postgres://")) and not Path(hub).is_dir():
            self.errors.show(ValidationError(f"There is no folder {hub} on this computer.", field="hub"))
            return
        self.join_button.setEnabled(False)
        self.join_button.setText("Joining…")
        data_dir = self.data_dir
        self.ops.run(lambda _p: membership.join(data_dir, path, code, username, passphrase, store,
                                                hub_override=hub),
                     on_done=self._joined, on_error=self._failed)

    def _joined(self, session) -> None:
        self.passphrase.clear()
        self.joined.emit(session)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.join_button.setEnabled(True)
        self.join_button.setText("&Join the team")
        if isinstance(exc, ConfideError) and not getattr(exc, "field", None):
            message = describe_error(exc)
            if "code" in message.lower():
                exc = ValidationError(message, field="code")
        self.errors.show(exc if isinstance(exc, ConfideError) else ValidationError(describe_error(exc)))

    def reject(self) -> None:
        if self.ops.busy:
            return
        typed = self.file.text() or self.code.text() or self.passphrase.text()
        if typed and not messages.ask(self, "Close without joining?", "Nothing has been saved yet. Close?",
                                      confirm="Close", cancel="Keep editing"):
            return
        super().reject()
