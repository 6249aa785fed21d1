"""The unlock screen: user name and passphrase, plain errors, the attempt countdown, and the
way to the recovery key. Argon2 runs on the worker thread, so the window keeps painting."""

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import (
    ConfideError,
    CredentialStoreUnavailable,
    DeviceSecretMissing,
    TooManyAttempts,
)
from app.services.vault import unlock as vault
from ui.accessibility import announce, describe_problem
from ui.dialogs.recovery_dialog import RecoveryDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import line_edit, restyle, text_label


class UnlockView(QWidget):
    unlocked = Signal(object)  # Session
    COUNTDOWN_INTERVAL_MS = 1000  # tests shorten it

    def __init__(self, data_dir: Path, device_key_file: Path | None, ops: Operations,
                 parent: QWidget | None = None, prepare: Callable[[], None] | None = None):
        super().__init__(parent)
        self.setObjectName("unlockView")
        self.data_dir, self.device_key_file, self.ops = data_dir, device_key_file, ops
        # Run on the worker after a successful unlock, before the window is told (the window's
        # own slow first steps, done where the window does not wait).
        self.prepare = prepare
        self._remaining = 0
        self._countdown = QTimer(self)
        self._countdown.timeout.connect(self._tick)

        card = QFrame()
        card.setObjectName("card")
        self.card = card
        self._fit_card()
        self.title = text_label("Confide is locked", "heading")
        self.service = text_label("", "hint")
        self.notice = text_label("", "success")
        self.notice.setAccessibleName("Notice")
        self.username = line_edit("User name")
        self.passphrase = line_edit("Passphrase", secret=True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&User name", self.username)
        form.addRow("&Passphrase", self.passphrase)
        self.error = text_label("", "alert")
        self.error.setAccessibleName("Unlock error")
        self.wait_label = text_label("", "hint")
        self.wait_label.hide()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedHeight(8)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.setAutoDefault(True)
        self.recovery_button = QPushButton("Use recovery key…")
        self.recovery_button.setAccessibleName("Use recovery key")
        self.recovery_button.setAutoDefault(True)  # Return presses it when it has the focus
        buttons = QHBoxLayout()
        buttons.addWidget(self.recovery_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)

        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 28, 32, 28)
        inner.setSpacing(12)
        for widget in (self.title, self.service, self.notice):
            inner.addWidget(widget)
        inner.addLayout(form)
        for widget in (self.error, self.wait_label, self.busy_bar):
            inner.addWidget(widget)
        inner.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 10)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self.unlock)
        self.username.returnPressed.connect(self.passphrase.setFocus)
        self.passphrase.returnPressed.connect(self.unlock)
        self.recovery_button.clicked.connect(self.open_recovery)
        self.reset()

    # --- state shown ---------------------------------------------------------------------
    def refresh_service_name(self) -> str:
        try:
            name = vault.vault_summary(self.data_dir).service_name
        except ConfideError as exc:
            self.show_error(exc.message)
            name = ""
        self.service.setText(name)
        self.service.setVisible(bool(name))
        return name

    def reset(self, username: str = "", notice: str = "") -> None:
        self.passphrase.clear()
        self.username.setText(username)
        self.error.hide()
        self.show_notice(notice)
        self._set_busy(False)
        self._recovery_suggested(False)
        (self.passphrase if username else self.username).setFocus()

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        # Announced for screen readers that take announcements (Orca 46 and later, NVDA, VoiceOver);
        # older ones (Debian 12's Orca 43 said nothing) read it with the passphrase field.
        announce(self.error, text)
        describe_problem(self.passphrase, text or None)

    def _fit_card(self) -> None:
        # 520 pixels at 100% text; larger text needs a wider card, or at 200% "Use recovery key…"
        # was cut to "e recovery key" beside the Unlock button.
        self.card.setMaximumWidth(max(520, self.fontMetrics().averageCharWidth() * 64))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange) and hasattr(self, "card"):
            self._fit_card()
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._fit_card()  # Settings may have changed the text size since
        super().showEvent(event)

    def _recovery_suggested(self, suggested: bool) -> None:
        self.recovery_button.setProperty("primary", suggested)
        self.unlock_button.setProperty("primary", not suggested)
        restyle(self.recovery_button)
        restyle(self.unlock_button)

    def show_locking(self, notice: str = "") -> None:
        """While the worker closes the database: no unlock is taken until it is closed."""
        self.passphrase.clear()
        self.error.hide()
        self.show_notice(notice)
        self._set_busy(True, "Locking…")

    def _set_busy(self, busy: bool, doing: str = "Unlocking…") -> None:
        self.busy_bar.setVisible(busy)
        for widget in (self.username, self.passphrase, self.recovery_button):
            widget.setEnabled(not busy)
        self.unlock_button.setEnabled(not busy and self._remaining <= 0)
        self.unlock_button.setText(doing if busy else "Unlock")

    # --- unlocking ---------------------------------------------------------------------
    def unlock(self) -> None:
        if self.ops.busy or self._remaining > 0:
            return
        username, passphrase = self.username.text().strip(), self.passphrase.text()
        if not username:
            self.show_error("Enter your user name.")
            self.username.setFocus()
            return
        if not passphrase:
            self.show_error("Enter your passphrase.")
            self.passphrase.setFocus()
            return
        self.show_error("")
        self.show_notice("")
        self._set_busy(True)
        data_dir, key_file, prepare = self.data_dir, self.device_key_file, self.prepare

        def unlock(_progress):
            session = vault.unlock(data_dir, username, passphrase, key_file)
            if prepare is not None:
                try:
                    prepare()
                except Exception:   # noqa: BLE001 - the window does it again itself, and says why
                    pass
            return session

        self.ops.run(unlock, on_done=lambda session: self._unlocked(session, passphrase), on_error=self._failed)

    def _unlocked(self, session, passphrase: str = "") -> None:
        self._set_busy(False)
        self.passphrase.clear()
        # A temporary passphrase was just typed: the forced change takes it from here rather
        # than asking for it again. Only for that change; dropped once the window has it.
        self.temporary_passphrase = passphrase if session.must_change_passphrase else ""
        self.unlocked.emit(session)
        self.temporary_passphrase = ""

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.show_error(describe_error(exc))
        self.passphrase.selectAll()
        self.passphrase.setFocus()
        if isinstance(exc, TooManyAttempts):
            self._start_countdown(exc.wait_seconds)
        if isinstance(exc, (DeviceSecretMissing, CredentialStoreUnavailable)):
            self._recovery_suggested(True)
            self.recovery_button.setFocus()

    def _start_countdown(self, seconds: int) -> None:
        self._remaining = max(1, int(seconds))
        self.unlock_button.setEnabled(False)
        self._show_remaining()
        self._countdown.start(self.COUNTDOWN_INTERVAL_MS)

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self._countdown.stop()
            self.wait_label.clear()
            self.wait_label.hide()
            self.unlock_button.setEnabled(not self.ops.busy)
            return
        self._show_remaining()

    def _show_remaining(self) -> None:
        unit = "second" if self._remaining == 1 else "seconds"
        self.wait_label.setText(f"You can try again in {self._remaining} {unit}.")
        self.wait_label.show()

    # --- recovery ----------------------------------------------------------------------
    def recovery_key_file(self) -> Path | None:
        if self.device_key_file:
            return self.device_key_file
        try:
            configured = vault.vault_summary(self.data_dir).device_key_file
        except ConfideError:
            return None
        return Path(configured) if configured else None

    def open_recovery(self) -> RecoveryDialog:
        dialog = RecoveryDialog(self.data_dir, self.recovery_key_file(), self.ops, self)
        dialog.accepted.connect(lambda: self._recovered(dialog.reset_user))
        dialog.open()
        return dialog

    def _recovered(self, reset_user: str) -> None:
        self._recovery_suggested(False)
        self.show_error("")
        text = "This computer is enrolled again. Every passphrase works as before."
        if reset_user:
            text += f" {reset_user} has a new passphrase."
        self.reset(reset_user or self.username.text(), text)
