"""The password of an encrypted PDF, shown once: large, easy to read out, copyable (through
the secret clipboard, cleared after 30 seconds), with the reminder to send it separately.
Confide does not keep the password. Optionally the file's SHA-256, to prove later which
file was sent."""

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.clipboard import SecretClipboard
from ui.widgets.forms import text_label

SEND_SEPARATELY = ("Send this password separately from the file: read it out by phone, or send it in "
                   "a different message. Confide does not keep it; write it down now if you need it again.")


def _mono(size: float, bold: bool = False) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


class SecretPanel(QWidget):
    def __init__(self, clipboard: SecretClipboard, parent: QWidget | None = None):
        super().__init__(parent)
        self.clipboard = clipboard
        self.password = QLineEdit()
        self.password.setReadOnly(True)
        self.password.setObjectName("pdfPassword")
        self.password.setAccessibleName("Password of the file")
        self.password.setFont(_mono(20, bold=True))
        self.password.setMinimumWidth(360)
        # Room for descenders (g, q, y) under the style sheet's padding.
        self.password.setMinimumHeight(QFontMetrics(self.password.font()).height() + 18)
        self.copy_password = QPushButton("&Copy password")
        self.sha256 = QLineEdit()
        self.sha256.setReadOnly(True)
        self.sha256.setAccessibleName("SHA-256 of the file")
        self.sha256.setFont(_mono(9))
        self.copy_sha = QPushButton("Copy S&HA-256")
        self.sha_label = text_label("SHA-256 of the file (kept in the record of disclosure):", "hint")
        self.copied = text_label("", "hint")

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(6)
        grid.addWidget(text_label("Password", "subheading"), 0, 0, 1, 2)
        grid.addWidget(self.password, 1, 0)
        grid.addWidget(self.copy_password, 1, 1)
        grid.addWidget(text_label(SEND_SEPARATELY, "warning"), 2, 0, 1, 2)
        grid.addWidget(self.sha_label, 3, 0, 1, 2)
        grid.addWidget(self.sha256, 4, 0)
        grid.addWidget(self.copy_sha, 4, 1)
        grid.addWidget(self.copied, 5, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        for button in (self.copy_password, self.copy_sha):
            button.setAutoDefault(False)  # Enter closes the dialog; it never copies by surprise
        self.copy_password.clicked.connect(lambda: self._copy(self.password.text(), "The password"))
        self.copy_sha.clicked.connect(lambda: self._copy(self.sha256.text(), "The SHA-256"))
        self.set_values("", None)

    def set_values(self, password: str, sha256: str | None) -> None:
        self.password.setText(password)
        self.sha256.setText(sha256 or "")
        for widget in (self.sha_label, self.sha256, self.copy_sha):
            widget.setVisible(bool(sha256))
        self.copied.clear()

    def _copy(self, text: str, what: str) -> None:
        self.clipboard.copy(text)
        seconds = self.clipboard.clear_after_ms // 1000
        self.copied.setText(f"{what} is on the clipboard for {seconds} seconds.")

    def clear(self) -> None:
        self.set_values("", None)


class PasswordDialog(QDialog):
    """After an encrypted export: where the file is, and its password."""

    def __init__(self, clipboard: SecretClipboard, title: str, message: str, password: str,
                 sha256: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(620)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(text_label(title, "subheading"))
        column.addWidget(text_label(message, ""))
        self.panel = SecretPanel(clipboard)
        self.panel.set_values(password, sha256)
        column.addWidget(self.panel)
        column.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        column.addWidget(buttons)

    def done(self, result: int) -> None:
        self.panel.clear()  # the password leaves memory shown on screen with the dialog
        super().done(result)
