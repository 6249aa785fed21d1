"""Check and repair the hub from the screens (docs/sync.md §15): what `confide hub check`,
`hub repair` and a manager's `hub void` do, for people who never open a terminal. Opened
from the status bar when sync stops (or another computer is stopped at an entry this one
wrote), and from the Team page."""

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.counting import plural
from app.domain.role_matrix import manages
from app.security.session import Session
from app.services.team import blocks
from app.services.team.hub_care import on_team_hub
from ui.dialogs import messages
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import text_label
from ui.widgets.screen_fit import fit_window


class HubCareDialog(QDialog):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.setWindowTitle("Check and repair the hub")
        intro = text_label(
            "Every computer keeps a copy of what it wrote to the hub. Checking compares the hub with "
            "this computer's copies; repairing puts back any entry that is missing, damaged or altered "
            "from them. Nothing already on the hub and whole is ever replaced. Run it on each computer "
            "of the team if one cannot put everything back.", "hint")
        intro.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setAccessibleName("What the check found")
        self.findings.setWordWrap(True)
        self.owner = QLineEdit()
        self.owner.setAccessibleName("Hub owner's connection (PostgreSQL only)")
        self.owner.setEchoMode(QLineEdit.EchoMode.Password)
        self.owner.setPlaceholderText("Only if repair asks for it: postgresql://owner@server/confide_hub")
        self.check_button = QPushButton("&Check the hub")
        self.repair_button = QPushButton("&Repair from this computer's copies")
        self.repair_button.setProperty("primary", True)
        for button in (self.check_button, self.repair_button):
            button.setAutoDefault(False)
        self.error = text_label("", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.summary = text_label("", "hint")
        self.summary.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.check_button)
        actions.addWidget(self.repair_button)
        actions.addStretch(1)
        form = QFormLayout()
        form.addRow("Hub owner's connection:", self.owner)
        column = QVBoxLayout(self)
        column.addWidget(intro)
        column.addWidget(self.findings, 1)
        column.addWidget(self.summary)
        column.addLayout(form)
        column.addLayout(actions)
        self.void_box = self._void_box()
        column.addWidget(self.void_box)
        column.addWidget(self.error)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        column.addWidget(close)
        self.check_button.clicked.connect(self.check)
        self.repair_button.clicked.connect(self.repair)
        fit_window(self, QSize(820, 620))
        self.check()

    def _void_box(self) -> QGroupBox:
        """A manager's last resort, for an entry no computer holds a good copy of."""
        box = QGroupBox("Pass over an entry no computer can put back (manager)")
        self.entry = QSpinBox()
        self.entry.setRange(1, 2_000_000_000)
        self.entry.setAccessibleName("Hub entry number to void")
        block = blocks.current(self.session.conn) if not self.session.locked else None
        if block and block.get("seq"):
            self.entry.setValue(int(block["seq"]))
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Why the entry is voided")
        self.reason.setPlaceholderText("e.g. written with a former colleague's copied keys")
        self.void_button = QPushButton("&Void this entry…")
        self.void_button.setAutoDefault(False)
        self.void_button.clicked.connect(self.void)
        note = text_label("Every computer then passes over exactly this entry and records your reason. "
                          "Use it only when the check on every computer says no good copy is held.", "hint")
        note.setWordWrap(True)
        form = QFormLayout(box)
        form.addRow(note)
        form.addRow("Entry:", self.entry)
        form.addRow("Reason:", self.reason)
        form.addRow("", self.void_button)
        box.setVisible(manages(self.session.user.role))
        return box

    def _location(self) -> str | None:
        return self.owner.text().strip() or None

    def _busy(self, busy: bool) -> None:
        for button in (self.check_button, self.repair_button, self.void_button):
            button.setEnabled(not busy)
        if busy:
            self.error.hide()

    def check(self) -> None:
        session, location = self.session, self._location()
        self._busy(True)
        self.ops.run(lambda _p: on_team_hub.check_hub(session, location), on_done=self._checked,
                     on_error=self._failed)

    def _checked(self, report) -> None:
        self._busy(False)
        self._list([f.words for f in report.findings])
        head = (f"Checked {plural(report.checked, 'entry', 'entries')} (the hub ends at entry {report.hub_end}; "
                f"this computer has applied up to {report.applied} and holds "
                f"{plural(report.copies_held, 'copy', 'copies')}). ")
        self.summary.setText(head + ("The hub is whole." if report.ok else
                                     f"{plural(len(report.findings), 'problem')} found."))
        self.repair_button.setEnabled(not report.ok)

    def repair(self) -> None:
        session, location = self.session, self._location()
        self._busy(True)
        self.ops.run(lambda _p: on_team_hub.repair_hub(session, location), on_done=self._repaired,
                     on_error=self._failed, changes=("sync",))

    def _repaired(self, result) -> None:
        self._busy(False)
        self._list([f.words for f in result.left])
        put_back = ", ".join(str(n) for n in result.restored)
        said = [f"Put back {plural(len(result.restored), 'entry', 'entries')} ({put_back})."
                if result.restored else "Nothing was put back from this computer."]
        if result.snapshot_written:
            said.append(f"A new snapshot was written at entry {result.snapshot_written}.")
        said.append("The hub is whole: every computer catches up at its next sync." if not result.left else
                    f"{plural(len(result.left), 'problem')} left: see each line above.")
        self.summary.setText(" ".join(said))
        self.repair_button.setEnabled(bool(result.left))

    def void(self) -> None:
        seq, reason = self.entry.value(), self.reason.text().strip()
        if not reason:
            self.error.setText("Say why the entry is voided: every computer records it.")
            self.error.show()
            self.reason.setFocus()
            return
        if not messages.ask(self, "Void this hub entry?",
                            f"Every computer of the team will pass over hub entry {seq} for good, recording "
                            f"your reason. Whatever it held is not applied anywhere.",
                            confirm="Void the entry", destructive=True):
            return
        session = self.session
        self._busy(True)
        self.ops.run(lambda _p: on_team_hub.void_entry(session, seq, reason), on_done=self._voided,
                     on_error=self._failed, changes=("sync", "team"))

    def _voided(self, at) -> None:
        self._busy(False)
        self.reason.clear()
        self.summary.setText(f"Entry {self.entry.value()} is voided (the decision is hub entry {at}). Every "
                             "computer passes over it at its next sync.")

    def _list(self, lines: list[str]) -> None:
        self.findings.clear()
        self.findings.addItems(lines or ["No problems."])

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self.error.setText(describe_error(exc))
        self.error.show()
