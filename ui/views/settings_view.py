"""Settings: the service's name, the auto-lock delay, the transfers outside the UK stated in
subject access packs, and the letter templates (a manager changes them; everyone sees them).
On a computer in a team the first three are the team's: a change reaches every computer
(app/services/team/settings_entry.py)."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSpinBox, QVBoxLayout, QWidget

from app.domain.counting import plural
from app.errors import ConfideError
from app.security.session import Session
from app.services import settings, settings_change
from ui.dialogs.wording_dialog import WordingDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.appearance_setting import AppearanceSetting
from ui.widgets.counted_spin import count_unit
from ui.widgets.document_text_setting import DocumentTextSetting
from ui.widgets.forms import line_edit, text_label
from ui.widgets.letter_templates import LetterTemplates
from ui.widgets.page import scroll_page
from ui.widgets.permission import MANAGER_ONLY, allow_only
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
        self.manager_only = text_label(MANAGER_ONLY, "hint")
        inner.addWidget(self.manager_only)
        self.wording_button = QPushButton("Consent &wording…")
        self.wording_button.setAutoDefault(False)
        self.wording_button.setToolTip("Write a new version of a consent text, standard or easy read")
        wording_row = QHBoxLayout()
        wording_row.addWidget(self.wording_button)
        wording_row.addStretch(1)
        inner.addLayout(wording_row)

        name_card = QFrame()
        name_card.setObjectName("card")
        name_column = QVBoxLayout(name_card)
        name_column.setContentsMargins(24, 18, 24, 18)
        name_column.addWidget(text_label("The service's name", "subheading"))
        name_column.addWidget(text_label("Shown at the top of Confide and on reports, consent forms and subject "
                                         "access packs.", "hint"))
        self.name = line_edit("The service's name")
        self.name.setMaxLength(120)
        self.name_button = QPushButton("Save the &name")
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.name_button)
        name_column.addLayout(name_row)
        self.name_status = text_label("", "success")
        self.name_status.hide()
        self.name_error = text_label("", "error")
        self.name_error.hide()
        name_column.addWidget(self.name_error)
        name_column.addWidget(self.name_status)

        # Four cards do not fit a 1366x768 laptop's page: the page scrolls.
        column = scroll_page(self, (32, 24, 32, 24), spacing=12)
        column.addWidget(text_label("Settings", "heading"))
        self.team_note = text_label("This computer is part of a team: these settings are the service's, and a "
                                    "change reaches every computer of the team (the hub must be reachable).",
                                    "hint")
        self.team_note.setWordWrap(True)
        column.addWidget(self.team_note)
        column.addWidget(name_card)
        column.addWidget(card)
        column.addStretch(1)
        self._column = column
        self._lower: tuple | None = None    # the cards below the fold, built a turn after the first show

        is_manager = session.user.is_manager
        allow_only([self.minutes], is_manager)
        self.name.setReadOnly(not is_manager)
        self.name_button.setVisible(is_manager)
        self.save_button.setVisible(is_manager)
        self.wording_button.setVisible(is_manager)
        self.manager_only.setVisible(not is_manager)
        self.save_button.clicked.connect(self.save)
        self.name_button.clicked.connect(self.save_name)
        self.name.returnPressed.connect(self.save_name)
        self.wording_button.clicked.connect(self.edit_wording)
        self.minutes.valueChanged.connect(lambda _v: self.status.hide())
        self.name.textEdited.connect(lambda _t: self.name_status.hide())
        self.load()

    # --- the cards below the fold ---------------------------------------------------------------
    # Built in the turn after the page first shows (or when asked for): the whole page in one
    # turn held the window some 75-120 ms at 1366x768, and a laptop's screen shows only the
    # first two cards until the page is scrolled.
    # They read the settings on this thread, so never while a task holds the connection.
    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._lower is None:
            QTimer.singleShot(1, self, self._build_lower_when_idle)

    def _build_lower_when_idle(self, busy: bool = False) -> None:
        if self._lower is not None or self.session.locked:
            return
        if busy or self.ops.busy:
            self.ops.busyChanged.connect(self._build_lower_when_idle, Qt.ConnectionType.SingleShotConnection)
            return
        self._build_lower()

    def _build_lower(self) -> tuple:
        if self._lower is None:
            session, ops = self.session, self.ops
            self._lower = (TransfersSetting(session, ops), DocumentTextSetting(session, ops),
                           LetterTemplates(session, ops), AppearanceSetting())
            for widget in self._lower:
                self._column.insertWidget(self._column.count() - 1, widget)    # above the stretch
                widget.show()       # at once, not at the layout's next turn: it may be asked for now
            if self.ops.busy:
                self.set_busy(True)
        return self._lower

    @property
    def transfers(self) -> TransfersSetting:
        return self._build_lower()[0]

    @property
    def document_text(self) -> DocumentTextSetting:
        return self._build_lower()[1]

    @property
    def templates(self) -> LetterTemplates:
        return self._build_lower()[2]

    @property
    def appearance(self) -> AppearanceSetting:
        return self._build_lower()[3]

    def edit_wording(self) -> WordingDialog:
        dialog = WordingDialog(self.session, self.ops, self)
        dialog.open()
        return dialog

    def load(self) -> None:
        try:
            self.minutes.setValue(settings.auto_lock_minutes(self.session))
            self.name.setText(settings.service_name(self.session))
            self.team_note.setVisible(settings_change.team_wide(self.session))
        except ConfideError as exc:
            self._failed(exc)

    def save_name(self) -> None:
        if not self.session.user.is_manager:
            return
        self.name_error.hide()
        self.name_status.hide()
        session, value = self.session, self.name.text()
        self.ops.run(lambda _p: settings_change.set_service_name(session, value), on_done=self._name_saved,
                     on_error=self._name_failed, changes={"settings"})

    def _name_saved(self, value: str) -> None:
        self.name.setText(value)
        self.name_status.setText(f"Saved. The service is now called {value}"
                                 + (" on every computer of the team." if settings_change.team_wide(self.session) else "."))
        self.name_status.show()

    def _name_failed(self, exc: Exception) -> None:
        self.name_error.setText(describe_error(exc))
        self.name_error.show()

    def save(self) -> None:
        self.error.hide()
        self.status.hide()
        session, value = self.session, self.minutes.value()
        self.ops.run(lambda _p: settings_change.set_auto_lock_minutes(session, value),
                     on_done=self._saved, on_error=self._failed, changes={"settings"})

    def _saved(self, value: int) -> None:
        where = " on every computer of the team" if settings_change.team_wide(self.session) else ""
        self.status.setText(f"Saved. Confide now locks after {plural(value, 'minute')} "
                            f"without use{where}.")
        self.status.show()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def clear(self) -> None:
        for line in (self.status, self.error, self.name_status, self.name_error):
            line.hide()

    def set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.name_button.setEnabled(not busy)
        if self._lower is not None:
            for widget in self._lower[:3]:
                widget.set_busy(busy)
