"""Home: who is signed in and how this computer protects the vault. No family data yet."""

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from app.security.session import Session
from app.services import settings
from ui.widgets.forms import text_label


class HomeView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(14)
        self.welcome = text_label(f"Welcome, {session.user.full_name}", "heading")
        column.addWidget(self.welcome)
        column.addWidget(text_label(session.vault.service_name, "subheading"))

        card = QFrame()
        card.setObjectName("card")
        facts = QVBoxLayout(card)
        facts.setContentsMargins(24, 18, 24, 18)
        facts.setSpacing(10)
        facts.addWidget(text_label(f"You are signed in as {session.user.username} "
                                   f"({session.user.role.label.lower()}).", ""))
        minutes = settings.auto_lock_minutes(session)
        facts.addWidget(text_label(
            f"Confide locks itself after {minutes} minute{'s' if minutes != 1 else ''} without "
            "keyboard or mouse use, and when the screen locks. Press Ctrl+L to lock it now.", ""))
        if session.device_store.weaker:
            self.protection = text_label(
                "Weaker protection: this computer keeps the device secret in a file "
                f"({session.device_store.path}), not in the OS credential store.", "warning")
        else:
            self.protection = text_label(
                "Two layers protect the vault: your passphrase, and a device secret kept in "
                "this computer's credential store.", "")
        facts.addWidget(self.protection)
        column.addWidget(card)

        self.empty = text_label(
            "Enquiries, cases and reports will appear here as they arrive in Confide.", "hint")
        column.addWidget(self.empty)
        column.addStretch(1)

    def clear(self) -> None:
        self.welcome.clear()

    def set_busy(self, busy: bool) -> None:
        pass
