"""File > Hub location…: this computer's hub moved (a new server or share) or its password
changed. The new place is checked to be this team's hub before it replaces the old one
(membership.change_location); the password is typed into its own field, never shown, and
kept in the OS credential store with the address."""

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership
from ui.dialogs import messages
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import text_label
from ui.widgets.screen_fit import fit_window


class HubLocationDialog(QDialog):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.setWindowTitle("Hub location")
        try:
            current = membership.hub_described(session)
        except ConfideError as exc:
            current = describe_error(exc)
        self.current = text_label(f"Now: {current}.", "hint")
        self.current.setWordWrap(True)
        intro = text_label("When IT moves the team's hub (a new server or shared folder) or changes this "
                           "computer's hub password, give the new place here. Confide checks that it is "
                           "this team's hub before it stops using the old one.", "hint")
        intro.setWordWrap(True)
        self.location = QLineEdit()
        self.location.setAccessibleName("New hub folder or address")
        self.location.setPlaceholderText(r"\\server\share\hub  or  postgresql://login@hub.example.org/confide_team")
        browse = QPushButton("&Folder…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Hub password")
        self.password.setPlaceholderText("only for a postgresql:// address")
        self.error = text_label("", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(browse)
        where, secret = QLabel("New &location"), QLabel("Hub &password")
        where.setBuddy(self.location)
        secret.setBuddy(self.password)
        form = QFormLayout()
        form.addRow(where, row)
        form.addRow(secret, self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton("&Check and save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.setProperty("primary", True)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.current)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addStretch(1)
        column.addWidget(self.buttons)
        fit_window(self, QSize(640, 300))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The hub folder")
        if folder:
            self.location.setText(folder)

    def save(self) -> None:
        self.error.hide()
        session, location, password = self.session, self.location.text(), self.password.text() or None
        self.save_button.setEnabled(False)
        self.ops.run(lambda _p: membership.change_location(session, location, password),
                     on_done=self._saved, on_error=self._failed)

    def _saved(self, where: str) -> None:
        self.saved_to = where
        self.password.clear()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        # What was typed stays, so a typo is corrected rather than typed again.
        self.save_button.setEnabled(True)
        self.error.setText(describe_error(exc))
        self.error.show()

    def reject(self) -> None:
        typed = self.location.text().strip() or self.password.text()
        if typed and not messages.ask(self, "Close without saving?", "The new hub location has not been "
                                      "saved. Close anyway?", confirm="Close", cancel="Keep editing"):
            return
        self.password.clear()
        super().reject()
