"""The manager's Team page: the team's computers (which have followed the latest key change,
which were removed), inviting a computer (the one-time code is shown once, in a dialog that
says so), and removing one."""

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.team import membership
from ui.dialogs import messages
from ui.formatting import describe_error
from ui.operations import Operations
from ui.team.hub_care_dialog import HubCareDialog
from ui.team.outcome import OutcomeLines
from ui.team.start_team import StartTeamDialog
from ui.team.sync_status import BLOCKED_RED
from ui.widgets.forms import text_label
from ui.widgets.screen_fit import fit_window

COLUMNS = ("Computer", "Kind", "Status")


def status_words(d: membership.DeviceStatus) -> str:
    if d.revoked:
        return "Removed from the team"
    if d.blocked:
        # Words first (not colour alone): what stopped it and which entry (docs/sync.md §4).
        return f"Sync stopped: {d.blocked}"
    if d.this_computer:
        return "This computer"
    return "Up to date with the team key" if d.on_current_key else "Has not yet re-keyed for the new team key"


def kind_words(d: membership.DeviceStatus) -> str:
    if d.laptop:
        return "Laptop"
    return "Manager's computer" if d.manager else "Office computer"


class InviteDialog(QDialog):
    """Name the new computer and where the invitation file goes; then the code, once."""

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.setWindowTitle("Invite a computer")
        self.name = QLineEdit()
        self.name.setAccessibleName("New computer's name")
        self.name.setPlaceholderText("e.g. Office computer 2")
        self.path = QLineEdit()
        self.path.setAccessibleName("Invitation file")
        browse = QPushButton("&Choose…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        # What kind of computer: an office computer holds every record; a laptop only the
        # cases checked out to it; a manager's computer may also change the team.
        self.kinds = QButtonGroup(self)
        # Short choices, each explained by a wrapped hint under it: at 200% text the long
        # labels made the dialog wider than a laptop's screen.
        self.office = QRadioButton("&Office computer")
        self.manager = QRadioButton("&Manager's computer")
        self.laptop = QRadioButton("&Laptop")
        kind_box = QWidget()
        kind_column = QVBoxLayout(kind_box)
        kind_column.setContentsMargins(0, 0, 0, 0)
        for button, words in ((self.office, "Holds all the service's records."),
                              (self.manager, "An office computer that may also change the team's computers."),
                              (self.laptop, "Holds only the cases checked out to it, for visits.")):
            self.kinds.addButton(button)
            button.setAccessibleDescription(words)
            hint = text_label(words, "hint")
            hint.setContentsMargins(24, 0, 0, 4)
            kind_column.addWidget(button)
            kind_column.addWidget(hint)
        self.office.setChecked(True)
        self.laptop.toggled.connect(self._suggest_name)
        self.error = text_label("", "error")
        self.error.hide()
        self.code = QLabel()
        self.code.setObjectName("inviteCode")
        # Already large, and one unbroken word: it keeps its size at any text size, so a
        # laptop at 200% still shows it whole.
        self.code.setStyleSheet("font: bold 22pt monospace; letter-spacing: 2px;")
        self.code.setTextInteractionFlags(self.code.textInteractionFlags())
        self.code_note = text_label("Give this code to the person joining, separately from the file (read "
                                    "it out, or hand it over on paper). It is shown only now and stored "
                                    "nowhere.", "hint")
        self.code_note.setWordWrap(True)
        self.code.hide()
        self.code_note.hide()
        form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        name_label, file_label = QLabel("New computer's &name"), QLabel("Invitation &file")
        name_label.setBuddy(self.name)
        file_label.setBuddy(self.path)
        form.addRow(name_label, self.name)
        form.addRow(file_label, row)
        form.addRow("Kind", kind_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.invite_button = self.buttons.addButton("&Invite", QDialogButtonBox.ButtonRole.AcceptRole)
        self.invite_button.setDefault(True)
        self.invite_button.setProperty("primary", True)
        self.buttons.rejected.connect(self.reject)
        self.invite_button.clicked.connect(self.invite)
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addWidget(self.error)
        column.addWidget(self.code)
        column.addWidget(self.code_note)
        column.addWidget(self.buttons)
        fit_window(self, QSize(660, 360))

    def _suggest_name(self, laptop: bool) -> None:
        self.name.setPlaceholderText("e.g. Laptop 2" if laptop else "e.g. Office computer 2")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the invitation", "", "Confide invitation (*.invite)")
        if path:
            self.path.setText(path if path.endswith(".invite") else path + ".invite")

    def invite(self) -> None:
        self.error.hide()
        name, path = self.name.text().strip(), self.path.text().strip()
        if not name or not path:
            self.error.setText("Give the computer a name and choose where the invitation file goes.")
            self.error.show()
            return
        session, manager, laptop = self.session, self.manager.isChecked(), self.laptop.isChecked()
        self.invite_button.setEnabled(False)
        self.ops.run(lambda _p: membership.invite(session, name, Path(path), manager=manager, laptop=laptop),
                     on_done=self._show_code, on_error=self._failed, changes=("team",))

    def _show_code(self, code: str) -> None:
        self.code.setText(code)
        self.code.show()
        self.code_note.show()
        for w in (self.name, self.path, self.office, self.manager, self.laptop):
            w.setEnabled(False)
        self.invite_button.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Done")

    def _failed(self, exc: Exception) -> None:
        self.invite_button.setEnabled(True)
        self.error.setText(describe_error(exc))
        self.error.show()

    def reject(self) -> None:
        typed = self.name.text().strip() or self.path.text().strip()
        if self.code.isHidden() and typed and not messages.ask(
                self, "Close without inviting?", "The computer has not been invited yet. Close anyway?",
                confirm="Close", cancel="Keep editing"):
            return
        super().reject()


class TeamView(QWidget, OutcomeLines):
    """Before this computer is in a team: what a team is and "Start a team…". After: the
    team's computers, inviting and removing them."""

    teamStarted = Signal(object)   # membership.Started: the workspace is built again for the team

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.in_team = False
        self.devices: list[membership.DeviceStatus] = []
        self.start_intro = text_label(
            "This computer is not part of a team yet. A team lets several computers (office computers and "
            "laptops for visits) share the service's records: each keeps its own encrypted copy and they "
            "meet through a hub, a shared folder or a PostgreSQL server that holds only encrypted changes. "
            "Start the team here, on the manager's computer; then invite the others.", "hint")
        self.start_intro.setWordWrap(True)
        self.start_button = QPushButton("&Start a team…")
        self.start_button.setProperty("primary", True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("The team's computers")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()  # no row numbers, like every other table
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 260)
        self.table.setColumnWidth(1, 220)
        self.invite_button = QPushButton("&Invite a computer…")
        self.invite_button.setProperty("primary", True)
        self.revoke_button = QPushButton("Re&move the selected computer…")
        self.hub_button = QPushButton("&Check and repair the hub…")
        self.error = text_label("", "error")
        self.error.hide()
        self.status = text_label("", "success")
        self.status.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.invite_button)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        buttons.addWidget(self.hub_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.addWidget(text_label("Team", "heading"))
        self.intro = text_label("The computers that share this service's records through the hub. Removing "
                                "one (a lost laptop, someone leaving) changes the team key: it can read "
                                "nothing written afterwards, and the hub refuses it.", "hint")
        self.intro.setWordWrap(True)
        column.addWidget(self.intro)
        column.addWidget(self.start_intro)
        column.addWidget(self.table, 1)
        self.filler = QWidget()
        column.addWidget(self.filler, 1)
        column.addWidget(self.error)
        column.addWidget(self.status)
        column.addLayout(buttons)
        self.invite_button.clicked.connect(self.invite)
        self.start_button.clicked.connect(self.start_team)
        self.revoke_button.clicked.connect(self.revoke)
        self.hub_button.clicked.connect(self.check_hub)
        self.table.itemSelectionChanged.connect(self._selection)
        self.load()

    def _show_state(self) -> None:
        for widget in (self.intro, self.table, self.invite_button, self.revoke_button, self.hub_button):
            widget.setVisible(self.in_team)
        for widget in (self.start_intro, self.start_button, self.filler):
            widget.setVisible(not self.in_team)

    def load(self) -> None:
        self.error.hide()
        try:
            self.in_team = membership.sync_status(self.session).in_team
        except ConfideError:
            self.in_team = False
        self._show_state()
        if not self.in_team:
            self.devices = []
            self.table.setRowCount(0)
            return
        try:
            self.devices = membership.device_list(self.session)
        except ConfideError as exc:
            self.devices = []
            self.error.setText(describe_error(exc))
            self.error.show()
        self.table.setRowCount(len(self.devices))
        for r, d in enumerate(self.devices):
            kind = kind_words(d)
            for c, text in enumerate((d.name, kind, status_words(d))):
                item = QTableWidgetItem(text)
                if d.blocked and not d.revoked:
                    item.setForeground(QColor(BLOCKED_RED))
                    item.setToolTip(status_words(d))
                self.table.setItem(r, c, item)
        self._selection()

    def _selected(self) -> membership.DeviceStatus | None:
        rows = self.table.selectionModel().selectedRows()
        return self.devices[rows[0].row()] if rows else None

    def _selection(self) -> None:
        d = self._selected()
        self.revoke_button.setEnabled(d is not None and not d.revoked and not d.this_computer)

    def start_team(self) -> StartTeamDialog:
        dialog = StartTeamDialog(self.session, self.ops, self)
        dialog.started.connect(self.teamStarted)
        dialog.open()
        return dialog

    def invite(self) -> InviteDialog:
        dialog = InviteDialog(self.session, self.ops, self)
        dialog.finished.connect(lambda _r: self.load())
        dialog.open()
        return dialog

    def check_hub(self) -> HubCareDialog:
        dialog = HubCareDialog(self.session, self.ops, self)
        dialog.finished.connect(lambda _r: self.load())
        dialog.open()
        return dialog

    def revoke(self) -> None:
        d = self._selected()
        if d is None or not messages.ask(
                self, "Remove this computer?",
                f"Remove {d.name} from the team? It will not be able to read anything written from now "
                "on, and the hub will refuse its changes. Changes it has not synced are lost.",
                confirm="Remove", destructive=True):
            return
        session, device_id = self.session, d.device_id
        self.ops.run(lambda _p: membership.revoke(session, device_id), on_done=lambda _e: self._revoked(d.name),
                     on_error=self._failed, changes=("team",))

    def _revoked(self, name: str) -> None:
        self._done(f"{name} was removed from the team.")

    def set_busy(self, busy: bool) -> None:
        self.invite_button.setEnabled(not busy)
        self.start_button.setEnabled(not busy)
        if busy:
            self.revoke_button.setEnabled(False)
        else:
            self._selection()

    def clear(self) -> None:
        self.devices = []
        self.table.setRowCount(0)
