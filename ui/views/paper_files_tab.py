"""The paper file register (R11): every file with where it is; files out past their return
date in red; add a file, take one out, check one back in, and each file's movements."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.domain.counting import plural
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import paper_files
from app.services.vault import staff
from ui.dialogs import messages
from ui.dialogs.opening import open_dialog
from ui.dialogs.register_dialogs import AddPaperFileDialog, CheckOutDialog
from ui.models import paper_file_model as cols
from ui.models.paper_file_model import PaperFileModel, SortRole
from ui.operations import Operations
from ui.refresh import Refresher
from ui.views.register_page import RegisterPage, register_column
from ui.widgets.forms import line_edit, text_label
from ui.widgets.page import button_row
from ui.widgets.record_table import ModelSorts, RecordTable

HISTORY_HEADERS = ["Taken by", "Out on", "Taken to", "Expected back", "Returned", "Checked in by"]


class _FileFilter(ModelSorts):
    """Free text over every column, and optionally only the files that are out; the model sorts
    itself (a proxy's sort asked each row's key n·log n times through Qt)."""

    out_only = False

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 (Qt's name)
        paper = self.sourceModel().file(row)
        if self.out_only and (paper is None or not paper.is_out):
            return False
        return super().filterAcceptsRow(row, parent)


class PaperFilesTab(RegisterPage):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(session, ops, parent)
        self.model = PaperFileModel(self)
        self.proxy = _FileFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = RecordTable(self.model, "Paper files", sort_column=cols.LABEL, proxy=self.proxy)
        self.table.set_actions(lambda paper: [("Check &in", self.check_in)] if paper.is_out
                               else [("Check &out…", self.check_out)])

        self.add_button = QPushButton("&Add file…")
        self.out_button = QPushButton("Check &out…")
        self.in_button = QPushButton("Check &in")
        self.out_button.setProperty("primary", True)
        self.find = line_edit("Find a paper file", placeholder="Find by label, case or person")
        self.find.setClearButtonEnabled(True)
        self.out_only = QCheckBox("Only files that are &out")
        self.summary = text_label("", "hint")

        self.history_title = text_label("Movements", "subheading")
        self.history = QTableWidget(0, len(HISTORY_HEADERS))
        self.history.setAccessibleName("Movements of the selected file")
        self.history.setHorizontalHeaderLabels(HISTORY_HEADERS)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history.setMaximumHeight(150)

        register_column(self, button_row(self.add_button, self.out_button, self.in_button,
                                         after=((self.find, 1), self.out_only)),
                        self.summary, self.error, (self.table, 1), self.history_title, self.history)

        self.add_button.clicked.connect(self.add)
        self.out_button.clicked.connect(self.check_out)
        self.in_button.clicked.connect(self.check_in)
        self.find.textChanged.connect(self.proxy.setFilterFixedString)
        self.out_only.toggled.connect(self._out_only)
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)
        self.table.doubleClicked.connect(lambda _i: self._open_selected())
        self.refresher = Refresher(self, session, ops, {"paper_files", "staff"}, self.reload,
                                   first_load_later=True)

    # --- contents ------------------------------------------------------------------------
    def fetch(self, today: date | None):
        return paper_files.list_files(self.session), {m.username: m.full_name for m in staff.list_staff(self.session)}

    def fill(self, found, today: date | None) -> None:
        files, names = found
        self.model.set_files(files, today, names)
        out = sum(f.is_out for f in files)
        overdue = self.model.overdue_count()
        self.summary.setText(f"{plural(len(files), 'file')}; {out} out"
                             + (f", {overdue} past the return date (in red)." if overdue else "."))

    def select(self, file_id: str) -> bool:
        row = self.model.row_of(file_id)
        if row < 0:
            return False
        proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not proxy_index.isValid():  # hidden by the filter: show everything again
            self.find.clear()
            self.out_only.setChecked(False)
            proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectRow(proxy_index.row())
        self.table.scrollTo(proxy_index)
        return True

    def show_file(self, file_id: str) -> None:
        """Select this file once the register is loaded (the dashboard opens it this way)."""
        self.show_record(file_id)

    def _out_only(self, on: bool) -> None:
        self.proxy.out_only = on
        self.proxy.invalidate()

    def selection_changed(self, *_args) -> None:
        paper = self.selected()
        busy = self.ops.busy
        self.out_button.setEnabled(paper is not None and not paper.is_out and not busy)
        self.in_button.setEnabled(paper is not None and paper.is_out and not busy)
        self.history.setRowCount(0)
        if paper is None:
            self.history_title.setText("Movements")
            return
        self.history_title.setText(f"Movements of {paper.label}")
        if busy or self.session.locked:
            return
        try:
            moves = paper_files.movements(self.session, paper.id)
        except ConfideError as exc:
            self._show_error(exc)
            return
        names = self.model.names
        for move in moves:
            row = self.history.rowCount()
            self.history.insertRow(row)
            for c, text in enumerate((names.get(move.checked_out_by, move.checked_out_by),
                                      uk_date(move.checked_out_on), move.taken_to or "", uk_date(move.expected_back),
                                      uk_date(move.returned_on) or "Still out",
                                      names.get(move.returned_by, move.returned_by or ""))):
                self.history.setItem(row, c, QTableWidgetItem(text))

    def _open_selected(self) -> None:
        paper = self.selected()
        if paper is not None and not paper.is_out:
            self.check_out()

    def clear(self) -> None:
        self.model.clear()
        self.history.setRowCount(0)
        self.summary.clear()
        self.refresher.stale = True

    def set_busy(self, busy: bool) -> None:
        self.add_button.setEnabled(not busy)
        if busy:
            self.out_button.setEnabled(False)
            self.in_button.setEnabled(False)
        else:
            paper = self.selected()
            self.out_button.setEnabled(paper is not None and not paper.is_out)
            self.in_button.setEnabled(paper is not None and paper.is_out)

    # --- actions -------------------------------------------------------------------------
    def add(self) -> AddPaperFileDialog:
        dialog = AddPaperFileDialog(self.session, self.ops, self)
        dialog.added.connect(self.select_after)
        return open_dialog(dialog)

    def check_out(self) -> CheckOutDialog | None:
        paper = self.selected()
        if paper is None or paper.is_out or self.ops.busy:
            return None
        try:
            colleagues = staff.list_staff(self.session)
        except ConfideError as exc:
            self._show_error(exc)
            return None
        self.select_after(paper)
        return open_dialog(CheckOutDialog(self.session, self.ops, paper, colleagues, self))

    def check_in(self) -> None:
        paper = self.selected()
        if paper is None or not paper.is_out:
            return
        who = self.model.names.get(paper.checked_out_by, paper.checked_out_by)
        if not messages.ask(self, "Check in", f"Check {paper.label} back in? It was out with {who}.",
                            confirm="Check in"):
            return
        self.select_after(paper)
        session, file_id = self.session, paper.id
        self.ops.run(lambda _p: paper_files.check_in(session, file_id), on_error=self._show_error,
                     changes={"paper_files"})
