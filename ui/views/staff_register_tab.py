"""The staff register (R15): each colleague's start, confidentiality agreement, induction and
data protection training, lapsed or missing items highlighted, and the dates edited."""

from datetime import date

from PySide6.QtWidgets import QPushButton, QWidget

from app.security.session import Session
from app.services.vault import registers
from app.services.vault.registers import StaffRegisterEntry
from ui.dialogs.opening import open_dialog
from ui.dialogs.register_dialogs import StaffRecordDialog
from ui.models import staff_register_model as cols
from ui.models.staff_register_model import StaffRegisterModel
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.register_page import RegisterPage, register_column
from ui.widgets.forms import text_label
from ui.widgets.page import button_row
from ui.widgets.record_table import RecordTable


class StaffRegisterTab(RegisterPage):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(session, ops, parent)
        self.model = StaffRegisterModel(self)
        self.table = RecordTable(self.model, "Staff register", sort_column=cols.NAME)
        self.table.set_actions(lambda _entry: [("&Edit dates…", self.edit)])

        self.edit_button = QPushButton("&Edit dates…")
        self.edit_button.setProperty("primary", True)
        self.summary = text_label("", "hint")
        self.reminders = text_label("", "warning")
        self.reminders.hide()
        register_column(self, button_row(self.edit_button), self.summary, self.error, (self.table, 1),
                        self.reminders)

        self.edit_button.clicked.connect(self.edit)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)
        self.refresher = Refresher(self, session, ops, {"staff", "staff_register"}, self.reload)

    @staticmethod
    def key_of(record: StaffRegisterEntry) -> str:
        return record.staff_id

    def fetch(self, today: date | None):
        return registers.staff_register(self.session), registers.staff_reminders(self.session, today)

    def fill(self, found, today: date | None) -> None:
        entries, reminders = found
        self.model.set_entries(entries, reminders)
        lapsed = len({r.target_id for r in reminders})
        self.summary.setText(f"{sum(e.active for e in entries)} active colleagues. "
                             + (f"{lapsed} need attention (highlighted; point at a cell for why)."
                                if lapsed else "Everyone's training and agreements are up to date."))

    def show_staff(self, staff_id: str) -> None:
        self.show_record(staff_id)

    def selection_changed(self, *_args) -> None:
        entry = self.selected()
        self.edit_button.setEnabled(entry is not None and not self.ops.busy)
        found = self.model.reminders_for(entry.staff_id) if entry else []
        self.reminders.setText("\n".join(r.text for r in found))
        self.reminders.setVisible(bool(found))

    def edit(self) -> StaffRecordDialog | None:
        entry = self.selected()
        if entry is None or self.ops.busy:
            return None
        self.select_after(entry)
        return open_dialog(StaffRecordDialog(self.session, self.ops, entry, self))

    def clear(self) -> None:
        self.model.clear()
        self.summary.clear()
        self.reminders.hide()
        self.refresher.stale = True

    def set_busy(self, busy: bool) -> None:
        self.edit_button.setEnabled(not busy and self.selected() is not None)
