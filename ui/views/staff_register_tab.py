"""The staff register (R15): each colleague's start, confidentiality agreement, induction and
data protection training, lapsed or missing items highlighted, and the dates edited."""

from datetime import date

from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.vault import registers
from app.services.vault.registers import StaffRegisterEntry
from ui.dialogs.register_dialogs import StaffRecordDialog
from ui.formatting import describe_error
from ui.models import staff_register_model as cols
from ui.models.staff_register_model import StaffRegisterModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.widgets.forms import text_label
from ui.widgets.record_table import RecordTable


class StaffRegisterTab(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._select_next: str | None = None
        self.model = StaffRegisterModel(self)
        self.table = RecordTable(self.model, "Staff register", sort_column=cols.NAME)
        self.table.set_actions(lambda _entry: [("&Edit dates…", self.edit)])

        self.edit_button = QPushButton("&Edit dates…")
        self.edit_button.setProperty("primary", True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        self.summary = text_label("", "hint")
        self.reminders = text_label("", "warning")
        self.reminders.hide()
        self.error = text_label("", "error")
        self.error.hide()
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 12, 0, 0)
        column.setSpacing(10)
        column.addLayout(buttons)
        column.addWidget(self.summary)
        column.addWidget(self.error)
        column.addWidget(self.table, 1)
        column.addWidget(self.reminders)

        self.edit_button.clicked.connect(self.edit)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.refresher = Refresher(self, session, ops, {"staff", "staff_register"}, self.reload)

    def reload(self, today: date | None = None) -> None:
        keep = self._select_next or getattr(self.selected(), "staff_id", None)
        self._select_next = None
        try:
            entries = registers.staff_register(self.session)
            reminders = registers.staff_reminders(self.session, today)
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return
        self.error.hide()
        self.model.set_entries(entries, reminders)
        lapsed = len({r.target_id for r in reminders})
        self.summary.setText(f"{sum(e.active for e in entries)} active colleagues. "
                             + (f"{lapsed} need attention (highlighted; point at a cell for why)."
                                if lapsed else "Everyone's training and agreements are up to date."))
        if keep:
            self.select(keep)
        self._selection_changed()

    def select(self, staff_id: str) -> bool:
        return self.table.select(staff_id)

    def show_staff(self, staff_id: str) -> None:
        self._select_next = staff_id
        if not self.refresher.try_now() and not self.refresher.stale:
            self._select_next = None
            self.select(staff_id)

    def selected(self) -> StaffRegisterEntry | None:
        return self.table.selected()

    def _selection_changed(self, *_args) -> None:
        entry = self.selected()
        self.edit_button.setEnabled(entry is not None and not self.ops.busy)
        found = self.model.reminders_for(entry.staff_id) if entry else []
        self.reminders.setText("\n".join(r.text for r in found))
        self.reminders.setVisible(bool(found))

    def edit(self) -> StaffRecordDialog | None:
        entry = self.selected()
        if entry is None or self.ops.busy:
            return None
        self._select_next = entry.staff_id
        dialog = StaffRecordDialog(self.session, self.ops, entry, self)
        dialog.open()
        return dialog

    def clear(self) -> None:
        self.model.clear()
        self.summary.clear()
        self.reminders.hide()
        self.refresher.stale = True

    def set_busy(self, busy: bool) -> None:
        self.edit_button.setEnabled(not busy and self.selected() is not None)
