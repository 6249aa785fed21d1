"""What every register screen shares (paper files, staff register, complaints, subject access
requests): a table of records whose selection survives a reload, the record a dialog has just
made selected when the register reloads, opening the register at one record (the dashboard
does), and an error line.

A register supplies `fetch(today)` (the records, from the services), `fill(found, today)` (into
its model), `selection_changed()` (what shows the selected record) and `key_of(record)`.
"""

from datetime import date

from PySide6.QtWidgets import QCheckBox, QPushButton, QWidget

from app.errors import ConfideError
from app.security.session import Session
from ui.dialogs.opening import open_dialog
from ui.operations import Operations
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import button_row, column


def register_column(owner: QWidget, *parts) -> None:
    """A register as a tab of the Registers page: its parts one under another."""
    column(owner, (0, 12, 0, 0), 10, *parts)


class RegisterPage(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self._select_next: str | None = None
        self.error = text_label("", "error")
        self.error.hide()
        self.open_only: QCheckBox | None = None  # a filter that can hide the record asked for

    # --- what a register supplies ------------------------------------------------------------
    def fetch(self, today: date | None):
        raise NotImplementedError

    def fill(self, found, today: date | None) -> None:
        raise NotImplementedError

    def selection_changed(self, *_args) -> None:
        raise NotImplementedError

    @staticmethod
    def key_of(record) -> str:
        return record.id

    # --- shared ------------------------------------------------------------------------------
    def reload(self, today: date | None = None) -> None:
        selected = self.selected()
        keep = self._select_next or (self.key_of(selected) if selected is not None else None)
        self._select_next = None
        try:
            found = self.fetch(today)
        except ConfideError as exc:
            self._show_error(exc)
            return
        self.error.hide()
        self.fill(found, today)
        if keep:
            self.select(keep)
        self.selection_changed()

    def selected(self):
        return self.table.selected()

    def select(self, key: str) -> bool:
        return self.table.select(key)

    def show_record(self, key: str) -> bool:
        """Select this record once the register is loaded; when a filter hides it, the filter is
        turned off (which reloads) and the record selected then."""
        self._select_next = key
        if self.refresher.try_now() or self.refresher.stale:
            return True
        self._select_next = None
        if self.select(key):
            return True
        if self.open_only is not None and self.open_only.isChecked():
            self._select_next = key
            self.open_only.setChecked(False)
            return True
        return False

    def select_after(self, record) -> None:
        """The next reload selects this record (the one a dialog is changing or has made)."""
        self._select_next = self.key_of(record)

    def _show_error(self, exc: BaseException) -> None:
        show_error(self.error, exc)


class RequestRegister(RegisterPage):
    """The two registers of requests with statutory deadlines (complaints, subject access):
    a heading and its rule, Register… and "open only" above the table, the selected record in
    full below it."""

    def build(self, owner: QWidget, heading: str, rule: str, register_text: str, open_only_text: str,
              detail: QWidget) -> None:
        self.register_button = QPushButton(register_text)
        self.register_button.setProperty("primary", True)
        self.open_only = QCheckBox(open_only_text)
        # The register takes what height is left once the selected record is shown in full:
        # its next steps must always be in view.
        column(owner, (32, 24, 32, 16), 10, text_label(heading, "heading"), text_label(rule, "hint"),
               button_row(self.register_button, after=(self.open_only,)), self.error, (self.table, 1), detail)
        self.register_button.clicked.connect(lambda: self.register())
        self.open_only.toggled.connect(lambda _on: self.refresher.mark_stale())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.selection_changed())

    def fetch(self, today: date | None):
        return self.list_records(open_only=self.open_only.isChecked())

    def list_records(self, open_only: bool):
        raise NotImplementedError

    def register_dialog(self):
        raise NotImplementedError

    def register(self):
        if self.ops.busy:
            return None
        dialog = self.register_dialog()
        dialog.registered.connect(self.select_after)
        return open_dialog(dialog)
