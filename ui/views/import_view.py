"""Import from a previous system (manager; docs/lifecycle.md "Importing"): choose the folder of
CSV files, check how each file's columns map to Confide's fields (guessed from their names,
then the saved mapping), run the dry run, which names every row it would reject and why, and
import, all or nothing, only once a dry run with this mapping rejected nothing. The files are
read where they are, never copied."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.lifecycle.importer import run as importer
from app.services.lifecycle.importer.check import headers_of
from app.services.lifecycle.importer.fields import FIELDS, KINDS
from ui.dialogs.files import documents_folder, folder_path
from ui.operations import Operations
from ui.widgets.card import card
from ui.widgets.forms import show_error, text_label
from ui.widgets.page import STRETCH, add, button_row, card_grid, row, scroll_page

NOT_MAPPED = "(not in this file)"
TOPICS = {"people", "enquiries", "cases", "notes", "consent", "retention"}


class ImportView(QWidget):
    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.files: dict[str, Path] = {}
        self.combos: dict[str, dict[str, QComboBox]] = {}
        self.checked_mapping: dict | None = None     # the mapping of the last clean dry run
        self.error = text_label("", "error")
        self.error.hide()

        self.folder = QLineEdit()
        self.folder.setAccessibleName("Folder of CSV files")
        self.folder.setPlaceholderText("the folder holding people.csv, enquiries.csv, cases.csv, notes.csv, consents.csv")
        self.browse_button = QPushButton("&Choose folder…")
        self.found = text_label("", "hint")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("How each file's columns map")
        self.tabs.setFixedHeight(330)
        self.check_button = QPushButton("Check the files (&dry run)")
        self.import_button = QPushButton("&Import everything")
        self.import_button.setProperty("primary", True)
        self.save_button = QPushButton("&Save this mapping")
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setAccessibleName("What the dry run found")
        self.result.setMinimumHeight(300)

        files_card, files_body = card("1. The previous system's export")
        add(files_body, row((self.folder, 1), self.browse_button), self.found)
        mapping_card, mapping_body = card("2. Which column holds what")
        add(mapping_body, text_label("Guessed from the column names, then your saved mapping. Fields marked * are "
                                     "needed.", "hint"), (self.tabs, 1), button_row(self.save_button))
        result_card, result_body = card("3. Check, then import")
        add(result_body, text_label("The dry run names every row that would be rejected and why. The import "
                                    "brings in everything or nothing, and keeps each record's old reference.",
                                    "hint"), button_row(self.check_button, self.import_button), (self.result, 1))
        # Mapping and result side by side: the dry run's answer is in view beside what it checked.
        grid = card_grid()
        grid.addWidget(mapping_card, 0, 0)
        grid.addWidget(result_card, 0, 1)
        add(scroll_page(self, (32, 24, 32, 24), spacing=12), text_label("Import from a previous system", "heading"),
            self.error, files_card, grid, STRETCH)

        self.browse_button.clicked.connect(self.choose_folder)
        self.folder.editingFinished.connect(lambda: self.load_folder(Path(self.folder.text().strip())))
        self.check_button.clicked.connect(self.dry_run)
        self.import_button.clicked.connect(self.run_import)
        self.save_button.clicked.connect(self.save_mapping)
        self._update_buttons()

    # --- the files and their mapping ---------------------------------------------------------
    def choose_folder(self) -> None:
        chosen = folder_path(self, "Choose the folder of CSV files", documents_folder())
        if chosen is not None:
            self.folder.setText(str(chosen))
            self.load_folder(chosen)

    def load_folder(self, folder: Path) -> None:
        self.files = {k: folder / f"{k}.csv" for k in KINDS if (folder / f"{k}.csv").is_file()}
        self.tabs.clear()
        self.combos = {}
        self.checked_mapping = None
        self.result.clear()
        if not self.files:
            self.found.setText("No people.csv, enquiries.csv, cases.csv, notes.csv or consents.csv in that folder.")
            self._update_buttons()
            return
        try:
            guessed = importer.mapping_for(self.session, self.files)
            headers = {k: headers_of(p) for k, p in self.files.items()}
        except ConfideError as exc:
            show_error(self.error, exc)
            self.tabs.setEnabled(False)
            return
        self.error.hide()
        self.found.setText("Found: " + ", ".join(p.name for p in self.files.values()) + ".")
        for kind, path in self.files.items():
            page = QWidget()
            form = QFormLayout(page)
            holder = QScrollArea()      # a file's fields scroll inside the tab: the page stays short
            holder.setWidgetResizable(True)
            holder.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            holder.setWidget(page)
            self.combos[kind] = {}
            for f in FIELDS[kind]:
                combo = QComboBox()
                combo.setAccessibleName(f"{path.name}: {f.label}")
                # Narrow enough for the tab: a long column name is elided, not scrolled to.
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(14)
                combo.addItem(NOT_MAPPED, "")
                for h in headers[kind]:
                    combo.addItem(h, h)
                combo.setCurrentIndex(max(0, combo.findData(guessed[kind].get(f.name, ""))))
                combo.currentIndexChanged.connect(lambda _i: self._mapping_changed())
                form.addRow(f.label + (" *" if f.required else ""), combo)
                self.combos[kind][f.name] = combo
            self.tabs.addTab(holder, path.name)
        self._update_buttons()

    def mapping(self) -> dict[str, dict[str, str]]:
        return {kind: {name: combo.currentData() for name, combo in fields.items() if combo.currentData()}
                for kind, fields in self.combos.items()}

    def _mapping_changed(self) -> None:
        self.checked_mapping = None
        self._update_buttons()

    # --- actions -------------------------------------------------------------------------
    def dry_run(self) -> None:
        if not self.files or self.ops.busy:
            return
        session, files, mapping = self.session, dict(self.files), self.mapping()
        self.result.setPlainText("Checking every row…")
        self.ops.run(lambda _p: importer.dry_run(session, files, mapping),
                     on_done=lambda plan: self._checked(plan, mapping), on_error=self._failed)

    def _checked(self, plan, mapping) -> None:
        counts = ", ".join(f"{n:,} {k}" for k, n in plan.counts().items() if k in self.files)
        if plan.ok:
            self.checked_mapping = mapping
            self.result.setPlainText(f"No row would be rejected: {counts} ready to import.")
        else:
            self.checked_mapping = None
            lines = [f"{len(plan.rejections):,} rows would be rejected; nothing can be imported until they are put "
                     f"right in the files (or the mapping). Would import: {counts}.", ""]
            lines += [r.sentence() for r in plan.rejections]
            self.result.setPlainText("\n".join(lines))
        self._update_buttons()

    def run_import(self) -> None:
        if self.checked_mapping is None or self.ops.busy:
            return
        session, files, mapping = self.session, dict(self.files), self.checked_mapping

        def work(_p):
            done = importer.import_files(session, files, mapping)
            importer.save_mapping(session, mapping)
            return done
        self.result.setPlainText("Importing…")
        self.ops.run(work, on_done=self._imported, on_error=self._failed, changes=TOPICS)

    def _imported(self, counts) -> None:
        self.checked_mapping = None
        self.result.setPlainText("Imported " + ", ".join(f"{n:,} {k}" for k, n in counts.items() if k in self.files)
                                 + ". The mapping was saved for next time.")
        self._update_buttons()

    def save_mapping(self) -> None:
        if not self.combos or self.ops.busy:
            return
        session, mapping = self.session, self.mapping()
        self.ops.run(lambda _p: importer.save_mapping(session, mapping),
                     on_done=lambda _r: self.found.setText(self.found.text().split(" Mapping")[0]
                                                           + " Mapping saved."), on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.result.setPlainText("")
        show_error(self.error, exc)
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = not self.ops.busy
        self.check_button.setEnabled(idle and bool(self.files))
        self.save_button.setEnabled(idle and bool(self.combos))
        # An empty tab bar is a stop on Tab that a screen reader can only call "tab list, blank".
        self.tabs.setEnabled(self.tabs.count() > 0)
        self.import_button.setEnabled(idle and self.checked_mapping is not None and self.checked_mapping == self.mapping())

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()

    def clear(self) -> None:
        self.tabs.clear()
        self.combos = {}
        self.files = {}
        self.checked_mapping = None
        self.result.clear()
        self.folder.clear()
        self.found.setText("")
        self.tabs.setEnabled(False)
