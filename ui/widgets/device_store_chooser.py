"""Where this computer keeps the device secret: the OS credential store, or, only by explicit
choice, a key file (weaker protection). Used by the set-up wizard and by recovery.

Fails closed (docs/security.md): with no credential store and no ticked box, `store()` is None.
"""

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.errors import CredentialStoreUnavailable
from app.security.device import DeviceSecretStore, KeyFileStore, KeyringStore
from ui.dialogs import files
from ui.widgets.forms import line_edit, restyle, text_label

OPT_IN_TEXT = "Keep the device secret in a file instead (weaker protection)"
WEAKER_EXPLAINED = (
    "Weaker protection: anyone who can read this file and learns a passphrase can open the "
    "vault. Keep the file where only your OS account can read it, ideally on a drive kept "
    "apart from this computer. Confide will show a permanent notice while it is used.")


def _here_not_command_line(message: str) -> str:
    """The service's advice names the --device-key-file option; here the box below does it."""
    head, found, _rest = message.partition(" If this computer cannot have one")
    if not found:
        return message
    return head + " If this computer cannot have one, tick the box below instead."


class DeviceStoreChooser(QWidget):
    changed = Signal()

    def __init__(self, preset_key_file: Path | None = None, suggested: Path | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.status = text_label("", "notice")
        self.status.setAccessibleName("Credential store status")
        self.retry = QPushButton("Check &again")
        self.opt_in = QCheckBox("&" + OPT_IN_TEXT)
        self.opt_in.setAccessibleName(OPT_IN_TEXT)
        self.path = line_edit("Device key file", placeholder="Choose where to keep the file")
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Choose the device key file")
        self.explained = text_label(WEAKER_EXPLAINED, "warning")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        retry_row = QHBoxLayout()
        retry_row.addWidget(self.retry)
        retry_row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status)
        column.addLayout(retry_row)
        column.addSpacing(8)
        column.addWidget(self.opt_in)
        column.addLayout(row)
        column.addWidget(self.explained)
        column.addStretch(1)

        self.keyring_ok = False
        self._preset = preset_key_file is not None
        if preset_key_file:
            self.path.setText(str(preset_key_file))
        elif suggested:
            self.path.setText(str(suggested))
        self.opt_in.toggled.connect(self._refresh)
        self.path.textChanged.connect(self._refresh)
        self.browse.clicked.connect(self._browse)
        self.retry.clicked.connect(self.check)
        self.check()
        if self._preset:
            self.opt_in.setChecked(True)

    def check(self) -> None:
        if self._preset:
            # Started with --device-key-file: the person already chose the file explicitly.
            self.keyring_ok = False
            self.status.setProperty("kind", "notice")
            self.status.setText("Confide was started with --device-key-file, so this computer's "
                                "device secret goes in the file below.")
            restyle(self.status)
            self._refresh()
            return
        try:
            KeyringStore().check_available()
        except CredentialStoreUnavailable as exc:
            self.keyring_ok = False
            self.status.setProperty("kind", "warning")
            self.status.setText(_here_not_command_line(exc.message))
        else:
            self.keyring_ok = True
            self.status.setProperty("kind", "success")
            self.status.setText("This computer's credential store is available. Confide keeps "
                                "the device secret there, protected by your OS login.")
        restyle(self.status)
        self._refresh()

    def _refresh(self) -> None:
        offer_file = self._preset or not self.keyring_ok
        self.retry.setVisible(not self.keyring_ok and not self._preset)
        self.opt_in.setVisible(offer_file)
        use_file = offer_file and self.opt_in.isChecked()
        for widget in (self.path, self.browse, self.explained):
            widget.setVisible(use_file)
        self.changed.emit()

    def _browse(self) -> None:
        current = Path(self.path.text()).expanduser() if self.path.text() else Path.home()
        picked = files.save_path(self, "Device key file", current, "Key files (*.key);;All files (*)")
        if picked:
            self.path.setText(str(picked))

    def store(self) -> DeviceSecretStore | None:
        """The chosen store, or None while nothing usable is chosen (fail closed)."""
        if (self._preset or not self.keyring_ok) and self.opt_in.isChecked():
            text = self.path.text().strip()
            return KeyFileStore(Path(text)) if text else None
        return KeyringStore() if self.keyring_ok else None

    def key_file(self) -> Path | None:
        store = self.store()
        return store.path if isinstance(store, KeyFileStore) else None
