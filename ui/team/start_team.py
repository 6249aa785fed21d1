"""Start a team from the manager's Team page: where the hub is (a shared folder or a
PostgreSQL server), the team's name and this computer's. The hub's self-test runs first and
its lines are shown; the team is founded only when every check passes (nothing is written
to a hub that fails). This computer's records become the team's first snapshot."""

from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError, ValidationError
from app.security.session import Session
from app.services.team import membership
from ui.dialogs import files, messages
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import FieldErrors, line_edit, text_label
from ui.widgets.screen_fit import fit_window

FOLDER_HINT = ("A folder every office computer can reach: a network share, or one USB stick moved between "
               "computers. Not a synced folder (OneDrive, Dropbox): it cannot stop two computers writing "
               "the same entry. Confide checks the folder before it writes anything.")
SERVER_HINT = ("The address IT gave you after running Confide's setup script for the team, like "
               "postgresql://<team>_founder:password@server/<team>. Confide checks the server before it "
               "writes anything.")


def check_lines(checks) -> str:
    return "\n".join(("Passed" if c.ok else "FAILED") + f": {c.name}: {c.detail}" for c in checks)


class StartTeamDialog(QDialog):
    started = Signal(object)    # membership.Started

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.result_checks = None
        self.setWindowTitle("Start a team")
        self.folder = QRadioButton("A shared &folder")
        self.server = QRadioButton("A Postgre&SQL server")
        self.kinds = QButtonGroup(self)
        for button in (self.folder, self.server):
            self.kinds.addButton(button)
        self.folder.setChecked(True)
        kind_row = QWidget()
        kind_layout = QHBoxLayout(kind_row)
        kind_layout.setContentsMargins(0, 0, 0, 0)
        kind_layout.addWidget(self.folder)
        kind_layout.addWidget(self.server)
        kind_layout.addStretch(1)
        self.location = line_edit("Hub folder or address", placeholder="Choose the empty shared folder")
        self.browse = QPushButton("&Choose…")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._browse)
        where = QWidget()
        where_row = QHBoxLayout(where)
        where_row.setContentsMargins(0, 0, 0, 0)
        where_row.addWidget(self.location, 1)
        where_row.addWidget(self.browse)
        self.hint = text_label(FOLDER_HINT, "hint")
        self.hint.setWordWrap(True)
        self.name = line_edit("Team name")
        self.name.setText(session.vault.service_name)
        self.device = line_edit("This computer's name")
        self.device.setText("Office computer 1")
        general = text_label("", "error")
        general.setWordWrap(True)
        self.errors = FieldErrors(general)
        form = QFormLayout()
        form.addRow("The hub is", kind_row)
        self.errors.row(form, "&Where", "hub", where)
        form.addRow("", self.hint)
        self.errors.row(form, "Team &name", "name", self.name)
        self.errors.row(form, "This &computer's name", "device", self.device)
        self.checks = text_label("", "")
        self.checks.setAccessibleName("The hub's check")
        self.checks.setWordWrap(True)
        self.checks.hide()
        self.busy = text_label("Checking the hub (two processes race to claim entries), then starting "
                               "the team. This takes a little while…", "hint")
        self.busy.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton("Check the hub and &start the team",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setProperty("primary", True)
        self.start_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.start_button.clicked.connect(self.start)
        column = QVBoxLayout(self)
        column.addWidget(text_label("Every computer of the team keeps its own encrypted copy of the records "
                                    "and they meet through the hub, which holds only encrypted changes. "
                                    "This computer's records become the team's; you then invite the other "
                                    "computers from the Team page.", "hint"))
        column.addLayout(form)
        column.addWidget(self.busy)
        column.addWidget(self.checks)
        column.addWidget(general)
        column.addStretch(1)
        column.addWidget(self.buttons)
        self.server.toggled.connect(self._kind_changed)
        fit_window(self, QSize(720, 460))

    def _kind_changed(self, server: bool) -> None:
        self.browse.setVisible(not server)
        self.hint.setText(SERVER_HINT if server else FOLDER_HINT)
        self.location.setPlaceholderText("postgresql://…" if server else "Choose the empty shared folder")
        self.location.clear()
        self.errors.clear()

    def _browse(self) -> None:
        picked = files.folder_path(self, "The hub folder", Path(self.location.text() or Path.home()))
        if picked:
            self.location.setText(str(picked))

    def start(self) -> None:
        self.errors.clear()
        self.checks.hide()
        location = self.location.text().strip()
        if self.server.isChecked() and location and not location.startswith(("postgresql://", "postgres://")):
            self.errors.show(ValidationError("A PostgreSQL address starts with postgresql://.", field="hub"))
            return
        if self.folder.isChecked() and location and not Path(location).is_dir():
            self.errors.show(ValidationError(f"There is no folder {location}. Make it (empty) first, or "
                                             "choose another.", field="hub"))
            return
        session, name, device = self.session, self.name.text(), self.device.text()
        self._busy(True)
        self.ops.run(lambda _p: membership.start(session, location, name, device),
                     on_done=self._started, on_error=self._failed, changes=("team", "sync"))

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.start_button.setEnabled(not busy)
        for widget in (self.folder, self.server, self.location, self.browse, self.name, self.device):
            widget.setEnabled(not busy)

    def _started(self, started: membership.Started) -> None:
        self._busy(False)
        self.result_checks = started.checks
        self.started.emit(started)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        if isinstance(exc, membership.HubCheckFailed):
            self.checks.setText(check_lines(exc.checks))
            self.checks.show()
            self.errors.show(ValidationError("This hub did not pass its check (the lines above say why); "
                                             "no team was started and nothing was written. Choose another "
                                             "folder or ask IT.", field="hub"))
            return
        if isinstance(exc, ConfideError) and getattr(exc, "field", None):
            self.errors.show(exc)
            return
        self.errors.show(ValidationError(describe_error(exc)))

    def reject(self) -> None:
        if self.ops.busy:
            return
        if self.location.text().strip() and not messages.ask(
                self, "Close without starting a team?", "No team has been started. Close anyway?",
                confirm="Close", cancel="Keep editing"):
            return
        super().reject()
