"""A case's notes, newest first: the list on the left, the chosen note in full on the right,
and adding, changing (R8, earlier versions kept) and reading a note's history.

A busy case has hundreds of notes: the newest FIRST_NOTES are listed at once and the rest
added MORE_NOTES at a time between events, so the window answers while a long list fills."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.choices import NoteType
from app.domain.counting import plural
from app.domain.records import Case, Note
from app.domain.role_matrix import manages
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import notes
from ui.dialogs.note_dialogs import NoteDialog, NoteHistoryDialog
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import text_label

NoteRole = Qt.ItemDataRole.UserRole + 1
PREVIEW_CHARS = 110
FIRST_NOTES, MORE_NOTES = 30, 60


def note_heading(note: Note, names: dict[str, str] | None = None) -> str:
    edited = " · edited" if note.version > 1 else ""
    author = (names or {}).get(note.author, note.author)
    return (f"{uk_date(note.occurred_on)} · {NoteType(note.note_type).label} · {note.minutes_spent} min · "
            f"{author}{edited}")


def preview(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= PREVIEW_CHARS else line[:PREVIEW_CHARS - 1] + "…"


CONFLICT_MARK = "⚠ In conflict · "
CONFLICT_WORDS = (". You and a colleague both changed this note: it shows their version until someone "
                  "chooses on the Conflicts page.")


class CaseNotesTab(QWidget):
    def __init__(self, session: Session, ops: Operations, names: dict[str, str] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.names = names if names is not None else {}  # staff user name -> full name (shared)
        self.case: Case | None = None
        self.conflicted: set[str] = set()   # notes with a conflict waiting (the case view sets it)
        self._select_next: str | None = None  # the note just saved, once the list reloads
        self._unlisted: list[Note] = []  # older notes still to be added to the list
        self.loaded = False   # the notes have been read and listed at least once
        self._filler = QTimer(self)
        self._filler.setSingleShot(True)
        self._filler.setInterval(0)
        self._filler.timeout.connect(lambda: self._list_more(MORE_NOTES))
        self.add_button = QPushButton("&Add note…")
        self.add_button.setProperty("primary", True)
        self.edit_button = QPushButton("&Edit note…")
        self.history_button = QPushButton("Histor&y…")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.history_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.count = text_label("", "hint")
        buttons.addWidget(self.count)

        self.list = QListWidget()
        self.list.setAccessibleName("Notes, newest first")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        # Laid out MORE_NOTES items a turn: in one pass, each batch added measured every note
        # listed so far again (word-wrapped text), and a reload after a save did it afresh.
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(MORE_NOTES)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("The chosen note")
        self.meta = text_label("", "hint")
        self.meta.setWordWrap(True)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(8, 0, 0, 0)
        right_column.addWidget(self.meta)
        right_column.addWidget(self.text, 1)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.empty = text_label("No notes yet. Add one after each contact: what was asked, what was advised, "
                                "what happens next.", "hint")
        self.error = text_label("", "error")
        self.error.hide()

        column = QVBoxLayout(self)
        column.setContentsMargins(4, 12, 4, 4)
        column.addLayout(buttons)
        column.addWidget(self.error)
        column.addWidget(self.empty)
        column.addWidget(splitter, 100)
        column.addStretch(1)  # when there are no notes, the lines above stay at their height
        self.splitter = splitter

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.history_button.clicked.connect(self.history)
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.list.itemActivated.connect(lambda _i: self.edit())

    # --- contents --------------------------------------------------------------------------
    def show_case(self, case: Case, select: str | None = None) -> None:
        self.fill(case, self.read(self.session, case), select)

    @staticmethod
    def read(session: Session, case: Case) -> list[Note] | ConfideError:
        """The case's notes; on the worker when the case view loads (no widget is touched)."""
        try:
            return notes.notes_for_case(session, case.id)
        except ConfideError as exc:
            return exc

    def fill(self, case: Case, found: list[Note] | ConfideError, select: str | None = None) -> None:
        """What read() returned, shown (on the window's thread)."""
        self.case = case
        keep = select or self._select_next or getattr(self.selected(), "id", None)
        self._select_next = None
        self.error.hide()
        if isinstance(found, ConfideError):
            self.error.setText(describe_error(found))
            self.error.show()
            return
        self.list.clear()
        self.loaded = True
        self._unlisted = list(found)
        self._list_more(FIRST_NOTES)
        self.count.setText(plural(len(found), 'note'))
        self.empty.setVisible(not found)
        self.splitter.setVisible(bool(found))
        self.select(keep) if keep else self.list.setCurrentRow(0)
        self._show_selected()

    def _list_more(self, count: int) -> None:
        batch, self._unlisted = self._unlisted[:count], self._unlisted[count:]
        for note in batch:
            mark = CONFLICT_MARK if note.id in self.conflicted else ""
            item = QListWidgetItem(f"{mark}{note_heading(note, self.names)}\n{preview(note.body)}")
            item.setData(NoteRole, note)
            self.list.addItem(item)
        if self._unlisted:
            self._filler.start()
        else:
            self._filler.stop()

    @property
    def listing(self) -> bool:
        """Older notes are still being added to the list."""
        return bool(self._unlisted)

    def select(self, note_id: str) -> bool:
        for row in range(self.list.count()):
            if self.list.item(row).data(NoteRole).id == note_id:
                self.list.setCurrentRow(row)
                return True
        waiting = next((i for i, note in enumerate(self._unlisted) if note.id == note_id), -1)
        if waiting >= 0:   # an older note asked for (a search result): list down to it now
            self._list_more(waiting + 1)
            self.list.setCurrentRow(self.list.count() - 1)
            return True
        if not self.loaded:   # the case is still being read: chosen once its notes are listed
            self._select_next = note_id
            return True
        self.list.setCurrentRow(0)
        return False

    def selected(self) -> Note | None:
        item = self.list.currentItem()
        return item.data(NoteRole) if item is not None else None

    def _show_selected(self) -> None:
        note = self.selected()
        self.text.setPlainText(note.body if note else "")
        heading = note_heading(note, self.names) if note else ""
        if note is not None and note.id in self.conflicted:
            heading = CONFLICT_MARK + heading + CONFLICT_WORDS
        self.meta.setText(heading)
        may_edit = note is not None and (note.author == self.session.user.username
                                         or manages(self.session.user.role))
        self.edit_button.setEnabled(may_edit and not self.ops.busy)
        reason = "" if note is None or may_edit else "Only the note's author or the manager can correct it."
        self.edit_button.setToolTip(reason)
        self.edit_button.setAccessibleDescription(reason)
        self.history_button.setEnabled(note is not None)

    # --- changing --------------------------------------------------------------------------
    def add(self) -> NoteDialog | None:
        return self._open_dialog(None)

    def edit(self) -> NoteDialog | None:
        note = self.selected()
        return self._open_dialog(note) if note is not None and self.edit_button.isEnabled() else None

    def _open_dialog(self, note: Note | None) -> NoteDialog | None:
        if self.case is None:
            return None
        dialog = NoteDialog(self.session, self.ops, self.case.id, self.case.reference, note, self)
        dialog.accepted.connect(lambda: self._select_after_save(dialog))
        dialog.open()
        return dialog

    def _select_after_save(self, dialog: NoteDialog) -> None:
        # The list reloads when the change is broadcast, just after this.
        if dialog.saved_note is not None:
            self._select_next = dialog.saved_note.id

    def history(self) -> NoteHistoryDialog | None:
        note = self.selected()
        if note is None:
            return None
        try:
            revisions = notes.history(self.session, note.id)
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return None
        dialog = NoteHistoryDialog(note, revisions, self, names=self.names)
        dialog.open()
        return dialog

    def set_busy(self, busy: bool) -> None:
        self.add_button.setEnabled(not busy)
        if busy:
            self.edit_button.setEnabled(False)
        else:
            self._show_selected()

    def clear(self) -> None:
        self.case = None
        self.loaded = False
        self._unlisted = []
        self._filler.stop()
        self.list.clear()
        self.text.clear()
        self.meta.clear()
