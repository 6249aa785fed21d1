"""The laptop's page: take cases out (ticked from the caseworker's list, or by reference),
see what is here and when it is due back, bring one case or everything back. Past the due-back date a red banner says the cases are
read-only (the services refuse the edits; the banner only explains)."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.team.laptop import checkout
from ui.dialogs import messages
from ui.operations import Operations
from ui.team.checkout_dialog import CheckoutDialog
from ui.team.outcome import OutcomeLines, read_only_table
from ui.widgets.forms import line_edit, text_label

COLUMNS = ("Case", "State", "Due back")
WAIT_SECONDS = 20.0
STATE_WORDS = {"requested": "Waiting for an office computer", "out": "On this laptop"}


class LaptopView(QWidget, OutcomeLines):
    openRequested = Signal(str, str)   # kind, id: a case here is opened from its row

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._anything_out = False
        self._waiting: set[str] = set()     # asked for, not here yet when the check-out ended
        self.banner = text_label("", "error")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.refs = line_edit("Case references", placeholder="CAS-2026-00012, CAS-2026-00013")
        self.days = QSpinBox()
        self.days.setRange(1, 90)
        self.days.setSuffix(" days")
        self.days.setAccessibleName("Due back after")
        self.choose_button = QPushButton("C&hoose cases to check out…")
        self.choose_button.setProperty("primary", True)
        self.out_button = QPushButton("Check &out")
        self.in_button = QPushButton("Check &in everything…")
        self.in_one_button = QPushButton("Check in the &selected case…")
        self.mine_button = QPushButton("Take all &my open cases")
        self.rows: list = []
        self.table = read_only_table(COLUMNS, "Cases on this laptop", (200, 300))
        self.make_outcome_lines()
        choose = QHBoxLayout()
        choose.addWidget(self.choose_button)
        choose.addWidget(self.mine_button)
        choose.addStretch(1)
        ask = QHBoxLayout()
        ask.addWidget(text_label("Or by reference:"))
        ask.addWidget(self.refs, 1)
        ask.addWidget(text_label("due back after"))
        ask.addWidget(self.days)
        ask.addWidget(self.out_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.addWidget(text_label("This laptop", "heading"))
        intro = text_label("A laptop holds only the cases taken out on it, like a paper file. Choose them "
                           "while the hub can be reached; an office computer sends the cases at its next "
                           "sync. Checking in sends your work to the hub and then erases the cases from "
                           "this laptop.", "hint")
        intro.setWordWrap(True)
        column.addWidget(intro)
        column.addWidget(self.banner)
        column.addLayout(choose)
        column.addLayout(ask)
        column.addWidget(self.table, 1)
        column.addWidget(self.error)
        column.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.in_one_button)
        row.addWidget(self.in_button)
        column.addLayout(row)
        self.out_button.clicked.connect(self.check_out)
        self.refs.returnPressed.connect(self.check_out)
        self.in_button.clicked.connect(self.check_in)
        self.in_one_button.clicked.connect(self.check_in_selected)
        self.choose_button.clicked.connect(self.choose)
        self.table.setSelectionBehavior(self.table.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._selection)
        self.table.itemActivated.connect(lambda _item: self.open_selected())
        self.mine_button.clicked.connect(lambda: self._ask([checkout.MINE]))
        self.load()

    def load(self) -> None:
        try:
            self.days.setValue(checkout.due_days(self.session))
            rows = checkout.list_checkouts(self.session, device_only=True)
            late = checkout.past_due(self.session)
        except ConfideError as exc:
            rows, late = [], []
            self._failed(exc)
        self.banner.setVisible(bool(late))
        self.banner.setText(f"Past the due-back date: {', '.join(late)}. The cases on this laptop are "
                            "read-only until you check them in." if late else "")
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, c in enumerate(rows):
            for col, text in enumerate((c.case_ref, STATE_WORDS.get(c.state, c.state), uk_date(c.due_back))):
                self.table.setItem(r, col, QTableWidgetItem(text))
        self._anything_out = any(c.state == "out" for c in rows)
        arrived = [c.case_ref for c in rows if c.state == "out" and c.case_ref in self._waiting]
        if arrived:
            # They came with a later sync (the status bar's): the "asked for" line is out of date.
            self._waiting -= set(arrived)
            self.status.setText(f"On this laptop now: {', '.join(arrived)}.")
            self.status.show()
        self.in_button.setEnabled(self._anything_out)
        self._selection()

    def _selected(self):
        picked = self.table.selectionModel().selectedRows()
        return self.rows[picked[0].row()] if picked and picked[0].row() < len(self.rows) else None

    def _selection(self) -> None:
        chosen = self._selected()
        self.in_one_button.setEnabled(chosen is not None and chosen.state == "out" and not self.ops.busy)

    def open_selected(self) -> None:
        """Double-click or Enter on a case that is here opens it: the page listed the cases
        but the only way to one was back through Cases."""
        chosen = self._selected()
        if chosen is not None and chosen.state == "out":
            self.openRequested.emit("case", chosen.case_id)

    def choose(self) -> CheckoutDialog:
        """The caseworker's open cases, to tick (the office sends the list through the hub)."""
        dialog = CheckoutDialog(self.session, self.ops, self.days.value(), self)
        dialog.chosen.connect(lambda refs, days: self._ask(refs, days))
        dialog.open()
        self.checkout_dialog = dialog
        return dialog

    def check_in_selected(self) -> None:
        chosen = self._selected()
        if chosen is None or chosen.state != "out" or not messages.ask(
                self, f"Check in {chosen.case_ref}?",
                "Your work on it is sent to the hub first. Only when every office computer has applied it is "
                "the case erased from this laptop. The other cases stay.", confirm="Check in"):
            return
        session, case_id = self.session, chosen.case_id
        self.ops.run(lambda _p: checkout.check_in(session, [case_id], wait=60.0), on_done=self._in,
                     on_error=self._failed, changes=("sync", "checkout", "checkin"))

    def check_out(self) -> None:
        self.error.hide()
        self.status.hide()
        try:
            refs = checkout.parse_refs(self.refs.text())
        except ConfideError as exc:
            self._failed(exc)
            return
        self._ask(refs)

    def _ask(self, refs: list[str], days: int | None = None) -> None:
        self.error.hide()
        self.status.hide()
        session, days = self.session, days or self.days.value()
        # The wait can be long (an office computer must sync): say what is happening.
        asked = "your open cases" if refs == [checkout.MINE] else ", ".join(refs)
        self.status.setText(f"Asking an office computer for {asked}… (up to {WAIT_SECONDS:.0f} seconds)")
        self.status.show()
        self.ops.run(lambda _p: checkout.check_out(session, refs, days, wait=WAIT_SECONDS),
                     on_done=self._out, on_error=self._failed, changes=("sync", "checkout"))

    def _out(self, result: checkout.CheckoutResult) -> None:
        words = []
        if result.out or result.waiting:
            self.refs.clear()          # asked for: the request is on the hub already
        if result.out:
            words.append(f"On this laptop now: {', '.join(result.out)}.")
        self._waiting = set(result.waiting)
        if result.waiting:
            words.append(f"Asked for {', '.join(result.waiting)}: they arrive when an office computer syncs.")
        self.status.setText(" ".join(words))
        self.status.setVisible(bool(words))
        if result.refused:
            self.error.setText(" ".join(result.refused))
            self.error.show()
        self.load()

    def _failed(self, exc: Exception) -> None:
        self.status.hide()             # not "Asking…" beside the reason it stopped
        OutcomeLines._failed(self, exc)

    def check_in(self) -> None:
        if not messages.ask(self, "Check in every case?",
                            "Your work is sent to the hub first. Only when every office computer has applied it are the "
                            "cases erased from this laptop.", confirm="Check in"):
            return
        session = self.session
        self.ops.run(lambda _p: checkout.check_in(session, wait=60.0), on_done=self._in, on_error=self._failed,
                     changes=("sync", "checkout", "checkin"))

    def _in(self, result: checkout.CheckinResult) -> None:
        if not result.returned:
            self._done("Checked in: nothing was out.")
            return
        gone = "It is" if len(result.returned) == 1 else "They are"
        self._done(f"Checked in: {', '.join(result.returned)}. {gone} no longer on this laptop.")

    def set_busy(self, busy: bool) -> None:
        self.out_button.setEnabled(not busy)
        self.mine_button.setEnabled(not busy)
        self.choose_button.setEnabled(not busy)
        # A check-in that stopped (a conflict, the hub gone) leaves the cases here: it can be
        # tried again as soon as the task ends.
        self.in_button.setEnabled(not busy and self._anything_out)
        chosen = self._selected()
        self.in_one_button.setEnabled(not busy and chosen is not None and chosen.state == "out")

    def clear(self) -> None:
        self.rows = []
        self.table.setRowCount(0)
