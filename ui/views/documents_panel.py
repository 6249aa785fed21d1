"""Documents of a case or a person: the list, adding by file dialog or by dropping files on
it, reading a PDF or picture inside Confide, and "Save a copy…" (warned, audited) for the
rest (docs/documents.md). Used by the case's Documents tab and the person's page."""

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from app.domain.documents import MEDIA_TYPES, Document
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.documents import documents as docs
from ui.dialogs import files, messages
from ui.dialogs.document_dialogs import AddDocumentDialog
from ui.dialogs.document_viewer import DocumentViewer
from ui.dialogs.letter_dialog import LetterDialog
from ui.operations import Operations
from ui.views.case_tab import CaseTab
from ui.widgets.forms import text_label

DATE, TITLE, KIND, SOURCE, SIZE = range(5)
DocumentRole = Qt.ItemDataRole.UserRole + 1
AUDITED = ("Confide records in its audit trail that you saved a copy of this document (not where you "
           "saved it), as it does for every file that leaves the vault.")
FILTERS = "Documents (" + " ".join(f"*{s}" for s in sorted(MEDIA_TYPES)) + ");;All files (*)"


class DocumentTree(QTreeWidget):
    """The list; files dropped on it are offered for adding."""

    filesDropped = Signal(list)

    def __init__(self):
        super().__init__()
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def _paths(self, event) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = self._paths(event)
        if paths:
            event.acceptProposedAction()
            self.filesDropped.emit(paths)


class DocumentsPanel(CaseTab):
    """`show_case(case)` or `show_person(person_id, name)` chooses what it lists."""

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(session, ops, "No documents yet. Add one with the button, or drop files here.",
                         parent=parent)
        self.person_id: str | None = None
        self.person_name = ""
        self.add_button = self.button("Add &document…", primary=True)
        self.letter_button = self.button("&Write letter…")
        self.open_button = self.button("&Open")
        self.copy_button = self.button("Save a cop&y…")
        self.tree = DocumentTree()
        self.tree.setAccessibleName("Documents, newest first")
        self.tree.setHeaderLabels(["Date", "Title", "Kind", "From", "Size"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.basis = text_label("", "hint")
        self.basis.setAccessibleName("Consent the document came or went under")
        self.set_list(self.tree)
        # Below the list: above it, its line or two came and went with the selection and moved
        # every row under the pointer between the two clicks of a double-click.
        self.column.insertWidget(self.column.indexOf(self.tree) + 1, self.basis)
        self.empty.setAcceptDrops(False)
        self.setAcceptDrops(True)
        self.add_button.clicked.connect(self.choose_file)
        self.letter_button.clicked.connect(self.write_letter)
        self.open_button.clicked.connect(self.open_selected)
        self.copy_button.clicked.connect(self.save_copy)
        self.tree.itemActivated.connect(lambda _i, _c: self.open_selected())
        self.tree.currentItemChanged.connect(lambda *_: self.update_buttons())
        self.tree.filesDropped.connect(self.add_files)
        self.viewer: DocumentViewer | None = None
        self.dialog: AddDocumentDialog | None = None
        self.letter: LetterDialog | None = None
        self._select_id: str | None = None   # a document just added or written: shown selected

    # The empty state has no list to drop on: the panel takes drops too.
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        self.tree.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.tree.dropEvent(event)

    # --- contents --------------------------------------------------------------------------
    def show_case(self, case) -> None:
        self.fill(case, self.read(self.session, case))

    @staticmethod
    def read(session: Session, case) -> list[Document] | ConfideError:
        """The case's documents; on the worker when the case view loads."""
        try:
            return docs.documents_for_case(session, case.id)
        except ConfideError as exc:
            return exc

    def fill(self, case, found: list[Document] | ConfideError) -> None:
        self.case, self.person_id = case, None
        self._fill(lambda: found)

    def show_person(self, person_id: str, name: str) -> None:
        self.case, self.person_id, self.person_name = None, person_id, name
        self._fill(lambda: docs.documents_for_person(self.session, person_id))

    def reload(self) -> None:
        if self.case is not None:
            self.show_case(self.case)
        elif self.person_id is not None:
            self.show_person(self.person_id, self.person_name)

    def _fill(self, read) -> None:
        keep = self._select_id or getattr(self.selected(), "id", None)
        try:
            found = read()
        except ConfideError as exc:
            found = exc
        if isinstance(found, ConfideError):
            self.show_error(found)
            return
        self.tree.clear()
        for document in found:
            item = QTreeWidgetItem([uk_date(document.document_date), document.title, document.kind_label,
                                    document.source, document.size_label])
            item.setData(0, DocumentRole, document)
            item.setToolTip(TITLE, document.file_name)
            self.tree.addTopLevelItem(item)
            if document.id == keep:
                self.tree.setCurrentItem(item)
        if self.tree.currentItem() is None and found:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.show_rows(len(found))
        self.update_buttons()

    def selected(self) -> Document | None:
        item = self.tree.currentItem()
        return item.data(0, DocumentRole) if item is not None else None

    def update_buttons(self) -> None:
        document = self.selected()
        idle = not self.ops.busy
        self.add_button.setEnabled(idle and (self.case is not None or self.person_id is not None))
        self.letter_button.setEnabled(idle and self.case is not None)
        self.letter_button.setVisible(self.person_id is None)
        self.open_button.setEnabled(idle and document is not None and document.viewable)
        self.copy_button.setEnabled(idle and document is not None)
        self.basis.setText(document.basis if document is not None else "")
        self.basis.setVisible(bool(document is not None and document.basis))

    # --- adding ----------------------------------------------------------------------------
    def choose_file(self) -> AddDocumentDialog | None:
        path = files.open_path(self, "Add a document", files.documents_folder(), FILTERS)
        return self.add_files([path]) if path else None

    def add_files(self, paths: list[Path]) -> AddDocumentDialog | None:
        """One dialog per file, in turn: each needs its own title, kind and source."""
        paths = [p for p in paths if p.is_file()]
        if not paths or (self.case is None and self.person_id is None):
            return None
        first, rest = paths[0], paths[1:]
        dialog = AddDocumentDialog(self.session, self.ops, first,
                                   case_id=self.case.id if self.case else None,
                                   case_reference=self.case.reference if self.case else "",
                                   person_id=self.person_id, person_name=self.person_name, parent=self)
        dialog.accepted.connect(lambda: self._select_new(dialog.saved))
        if rest:
            dialog.finished.connect(lambda _r: self.add_files(rest))
        self.dialog = dialog
        dialog.open()
        return dialog

    def write_letter(self) -> LetterDialog | None:
        if self.case is None:
            return None
        self.letter = letter = LetterDialog(self.session, self.ops, self.case, self)
        letter.accepted.connect(lambda: self._select_new(letter.sent.document if letter.sent else None))
        letter.open()
        return letter

    def _select_new(self, document: Document | None) -> None:
        """What was just added is what the caseworker looks at next: selected, with the consent
        it came or went under shown beneath the list."""
        if document is None:
            return
        self._select_id = document.id
        try:
            self.reload()
        finally:
            self._select_id = None

    # --- reading ---------------------------------------------------------------------------
    def open_selected(self) -> None:
        document = self.selected()
        if document is None:
            return
        if not document.viewable:
            self.save_copy()
            return
        session, document_id = self.session, document.id
        self.ops.run(lambda _p: docs.read_for_viewing(session, document_id), on_done=self._show,
                     on_error=self.show_error)

    def _show(self, result) -> None:
        document, data = result
        self.viewer = DocumentViewer(document, data, self)
        del data
        self.viewer.open()

    def save_copy(self) -> None:
        document = self.selected()
        if document is None:
            return
        if not messages.ask(self, "Save a copy", f"{docs.NOT_ENCRYPTED_WARNING}\n\n{AUDITED}\n\nSave a copy of "
                            f"“{document.title}”?", confirm="Choose where…"):
            return
        path = files.save_path(self, "Save a copy (not encrypted)", files.documents_folder() / document.file_name,
                               "All files (*)")
        if path is None:
            return
        session, document_id = self.session, document.id
        self.ops.run(lambda _p: docs.save_copy(session, document_id, path),
                     on_done=lambda _w: messages.inform(self, "Copy saved", f"Saved to {path}. It is not "
                                                        "encrypted: delete it when you have finished with it."),
                     on_error=self.show_error)

    def clear(self) -> None:
        super().clear()
        self.person_id = None
        self.tree.clear()
