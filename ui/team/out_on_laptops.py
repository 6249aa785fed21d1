"""The office's view of cases out on laptops, beside the paper file register:
"out on <laptop> with <person> since <date>, due back <date>", overdue ones in red; the
manager releases a lost laptop's cases here."""

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.role_matrix import manages
from app.errors import ConfideError
from app.security.session import Session
from app.services.team.laptop import checkout, lost
from ui import theme
from ui.dialogs import messages
from ui.operations import Operations
from ui.team.outcome import OutcomeLines, read_only_table
from ui.widgets.forms import text_label

COLUMNS = ("Case", "Where", "")
OVERDUE = QColor("#b00020")


class OutOnLaptopsTab(QWidget, OutcomeLines):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.rows: list[checkout.Checkout] = []
        self.table = read_only_table(COLUMNS, "Cases out on laptops", (180, 620))
        self.release_button = QPushButton("&Release a lost laptop's cases…")
        if not manages(session.user.role):
            # hide(), not setVisible(True): a parentless widget made visible becomes a window.
            self.release_button.hide()
        self.make_outcome_lines()
        column = QVBoxLayout(self)
        column.addWidget(text_label("Cases taken out on laptops: they come back at check-in. Overdue ones "
                                    "are read-only on the laptop.", "hint"))
        column.addWidget(self.table, 1)
        column.addWidget(self.error)
        column.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.release_button)
        column.addLayout(row)
        self.release_button.clicked.connect(self.release)
        self.load()

    def load(self) -> None:
        try:
            self.rows = [c for c in checkout.list_checkouts(self.session) if c.state == "out"]
        except ConfideError as exc:
            self.rows = []
            self._failed(exc)
        self.table.setRowCount(len(self.rows))
        for r, c in enumerate(self.rows):
            for col, text in enumerate((c.case_ref, c.where(), "Overdue" if c.overdue else "")):
                item = QTableWidgetItem(text)
                if c.overdue:
                    item.setForeground(QBrush(theme.painted(OVERDUE)))
                self.table.setItem(r, col, item)

    def release(self) -> None:
        laptops = sorted({c.device_name for c in self.rows})
        if not laptops:
            self._failed(ConfideError("No laptop has cases out."))
            return
        name, ok = QInputDialog.getItem(self, "Release a lost laptop", "Which laptop was lost?", laptops, 0, False)
        if not ok or not messages.ask(
                self, "Remove this laptop and release its cases?",
                f"{name} will be removed from the team (a new team key; the hub refuses it) and its cases "
                "released. Anything recorded on it and not yet synced is lost: you will see a list to "
                "re-record from.", confirm="Remove and release", destructive=True):
            return
        session = self.session
        self.ops.run(lambda _p: lost.release_lost(session, name), on_done=self._released, on_error=self._failed,
                     changes=("team", "checkout", "sync"))

    def _released(self, report: list[lost.LostCase]) -> None:
        self._done(" ".join(case.line() for case in report) or "Nothing was out on it.")

    def set_busy(self, busy: bool) -> None:
        self.release_button.setEnabled(not busy)

    def clear(self) -> None:
        self.rows = []
        self.table.setRowCount(0)
