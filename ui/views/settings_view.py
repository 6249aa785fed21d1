"""Settings: the auto-lock delay and the transfers outside the UK stated in subject access
packs (a manager changes them; everyone sees them)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSpinBox, QVBoxLayout, QWidget

from app.domain.counting import plural
from app.errors import ConfideError
from app.security.session import Session
from app.services import settings
from ui.dialogs.wording_dialog import WordingDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.appearance_setting import AppearanceSetting
from ui.widgets.counted_spin import count_unit
from ui.widgets.forms import text_label
from ui.widgets.transfers_setting import TransfersSetting


class SettingsView(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        low, high = settings.AUTO_LOCK_RANGE
        self.minutes = QSpinBox()
        self.minutes.setRange(low, high)
        count_unit(self.minutes, "minute")
        self.minutes.setAccessibleName("Auto-lock minutes")
        self.minutes.setMinimumWidth(150)
        # Qt ignores a spin box's left padding in style sheets; centred text does not hug the edge.
        self.minutes.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.save_button = QPushButton("&Save")
        self.save_button.setProperty("primary", True)
        self.status = text_label("", "success")
        self.status.hide()
        self.error = text_label("", "error")
        self.error.hide()

        card = QFrame()
        card.setObjectName("card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(24, 18, 24, 18)
        inner.addWidget(text_label("Auto-lock", "subheading"))
        inner.addWidget(text_label(
            f"Confide locks itself after this many minutes without keyboard or mouse use "
            f"({low} to {high}). It also locks when the screen locks, and on Ctrl+L.", "hint"))
        row = QHBoxLayout()
        row.addWidget(self.minutes)
        row.addWidget(self.save_button)
        row.addStretch(1)
        inner.addLayout(row)
        inner.addWidget(self.error)
        inner.addWidget(self.status)
        self.manager_only = text_label("Only a manager can change this.", "hint")
        inner.addWidget(self.manager_only)
        self.wording_button = QPushButton("Consent &wording…")
        self.wording_button.setAutoDefault(False)
        self.wording_button.setToolTip("Write a new version of a consent text, standard or easy read")
        wording_row = QHBoxLayout()
        wording_row.addWidget(self.wording_button)
        wording_row.addStretch(1)
        inner.addLayout(wording_row)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(12)
        column.addWidget(text_label("Settings", "heading"))
        column.addWidget(card)
        self.transfers = TransfersSetting(session, ops)
        column.addWidget(self.transfers)
        self.appearance = AppearanceSetting()
        column.addWidget(self.appearance)
        column.addStretch(1)

        is_manager = session.user.is_manager
        self.minutes.setEnabled(is_manager)
        self.save_button.setVisible(is_manager)
        self.wording_button.setVisible(is_manager)
        self.manager_only.setVisible(not is_manager)
        self.save_button.clicked.connect(self.save)
        self.wording_button.clicked.connect(self.edit_wording)
        self.minutes.valueChanged.connect(lambda _v: self.status.hide())
        self.load()

    def edit_wording(self) -> WordingDialog:
        dialog = WordingDialog(self.session, self.ops, self)
        dialog.open()
        return dialog

    def load(self) -> None:
        try:
            self.minutes.setValue(settings.auto_lock_minutes(self.session))
        except ConfideError as exc:
            self._failed(exc)

    def save(self) -> None:
        self.error.hide()
        self.status.hide()
        session, value = self.session, self.minutes.value()
        self.ops.run(lambda _p: settings.set_auto_lock_minutes(session, value),
                     on_done=self._saved, on_error=self._failed, changes={"settings"})

    def _saved(self, value: int) -> None:
        self.status.setText(f"Saved. Confide now locks after {plural(value, 'minute')} "
                            "without use.")
        self.status.show()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def clear(self) -> None:
        self.status.hide()
        self.error.hide()

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.transfers.set_busy(busy)
