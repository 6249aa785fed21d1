"""Choose the cases to take out on this laptop: the caseworker's open cases as an office
computer listed them, with boxes to tick (cases already here, or out on another laptop,
cannot be ticked), how long they stay out, and references typed by hand for anything else.
The list comes from the office through the hub (docs/sync.md §14): asked for on opening when
there is none yet, and again on "Ask the office again"."""

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import SupportLevel
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.team.laptop import checkout
from ui.formatting import describe_error, uk_datetime
from ui.operations import Operations
from ui.widgets.forms import line_edit, text_label
from ui.widgets.screen_fit import fit_window

LIST_WAIT = 20.0
CASE_ROLE = Qt.ItemDataRole.UserRole


def _level(value: str) -> str:
    try:
        return SupportLevel(value).label
    except ValueError:
        return value


class CheckoutDialog(QDialog):
    chosen = Signal(list, int)    # references, days until due back

    def __init__(self, session: Session, ops: Operations, days: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.current: checkout.CaseList | None = None
        self.setWindowTitle("Check out cases")
        self.listed = text_label("", "hint")
        self.listed.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Your open cases: tick those to take out")
        self.empty = text_label("", "hint")
        self.empty.setWordWrap(True)
        self.again = QPushButton("&Ask the office again")
        self.again.setAutoDefault(False)
        self.days = QSpinBox()
        self.days.setRange(1, 90)
        self.days.setSuffix(" days")
        self.days.setValue(days)
        self.days.setAccessibleName("Due back after")
        self.refs = line_edit("Other case references", placeholder="CAS-2026-00012, CAS-2026-00013")
        self.error = text_label("", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Check &out the ticked cases", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setProperty("primary", True)
        self.ok.setDefault(True)
        self.buttons.rejected.connect(self.reject)
        self.ok.clicked.connect(self.choose)
        self.again.clicked.connect(self.ask_again)
        top = QHBoxLayout()
        top.addWidget(self.listed, 1)
        top.addWidget(self.again)
        due = QHBoxLayout()
        due.addWidget(text_label("Due back after"))
        due.addWidget(self.days)
        due.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(text_label("Tick the cases to take on this laptop. An office computer sends them "
                                    "when it next syncs; they stay until you check them in.", "hint"))
        column.addLayout(top)
        column.addWidget(self.list, 1)
        column.addWidget(self.empty)
        column.addWidget(text_label("Or type other references (a colleague's case you cover):", "hint"))
        column.addWidget(self.refs)
        column.addLayout(due)
        column.addWidget(self.error)
        column.addWidget(self.buttons)
        fit_window(self, QSize(720, 560))
        self.show_list(self._read())
        if self.current is not None and self.current.listed_at is None:
            self.ask_again()

    def _read(self) -> checkout.CaseList | None:
        try:
            return checkout.my_cases(self.session)
        except ConfideError as exc:
            self._failed(exc)
            return None

    def show_list(self, found: checkout.CaseList | None) -> None:
        self.current = found
        ticked = set(self.ticked())
        self.list.clear()
        if found is None:
            return
        for case in found.cases:
            where = " (on this laptop)" if case.here else f" (out on {case.out_on})" if case.out_on else ""
            item = QListWidgetItem(f"{case.label}{where}\n{_level(case.level)} · opened {uk_date(case.opened_on)}")
            item.setData(CASE_ROLE, case.ref)
            free = not case.here and not case.out_on
            item.setFlags((Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled) if free
                          else Qt.ItemFlag.NoItemFlags)
            item.setCheckState(Qt.CheckState.Checked if case.here or case.ref in ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        if found.listed_at:
            self.listed.setText(f"Your open cases, as the office listed them on {uk_datetime(found.listed_at)}.")
        else:
            self.listed.setText("No list from the office yet.")
        if found.asking and not found.cases:
            self.empty.setText("Asking an office computer for your list of cases… It comes when an office "
                               "computer syncs; you can type references below meanwhile.")
        elif not found.cases:
            self.empty.setText("You have no open cases in the office.")
        self.empty.setVisible(not found.cases)
        self.list.setVisible(bool(found.cases))

    def ticked(self) -> list[str]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsEnabled and item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(CASE_ROLE))
        return out

    def ask_again(self) -> None:
        if self.ops.busy:
            return
        self.error.hide()
        self.again.setEnabled(False)
        self.listed.setText(f"Asking an office computer for your list… (up to {LIST_WAIT:.0f} seconds)")
        session = self.session
        self.ops.run(lambda _p: checkout.refresh_list(session, wait=LIST_WAIT), on_done=self._listed,
                     on_error=self._failed, changes=("sync", "checkout"))

    def _listed(self, found: checkout.CaseList) -> None:
        self.again.setEnabled(True)
        self.show_list(found)

    def _failed(self, exc: Exception) -> None:
        self.again.setEnabled(True)
        self.error.setText(describe_error(exc))
        self.error.show()
        if self.current is not None and not self.current.listed_at:
            self.listed.setText("No list from the office yet.")

    def choose(self) -> None:
        self.error.hide()
        refs = self.ticked()
        if self.refs.text().strip():
            try:
                refs += [r for r in checkout.parse_refs(self.refs.text()) if r not in refs]
            except ConfideError as exc:
                self._failed(exc)
                return
        if not refs:
            self._failed(ConfideError("Tick at least one case, or type its reference."))
            return
        self.chosen.emit(refs, self.days.value())
        self.accept()

    def reject(self) -> None:
        if self.ops.busy:
            return      # the list is being asked for: it ends within the wait
        super().reject()
