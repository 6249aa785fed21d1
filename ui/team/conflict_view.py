"""Conflicts: a change made here that clashed with a colleague's change to the same field.
Side by side, field by field: what it was, mine, theirs (who and when), and for each field
keep mine, take theirs or type a value. Resolving writes an ordinary new change that the next
sync shares (docs/sync.md §8). Every control is reachable by Tab; nothing is lost by Esc.
"""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import ConfideError
from app.security.session import Session
from app.services.team import conflicts
from ui.formatting import describe_error, uk_datetime
from ui.operations import Operations
from ui.widgets.forms import text_label

TABLE_WORDS = {"person": "Person", "casefile": "Case", "note": "Note", "consent": "Consent",
               "enquiry": "Enquiry", "enquiry_topic": "Enquiry topics", "action": "Action",
               "staff": "Staff member"}


def _shown(value) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, dict) and "$hex" in value:
        return "(binary data)"
    if isinstance(value, list):          # a set of child rows, such as an enquiry's topics
        return ", ".join(str(v).replace("_", " ") for v in value) or "(none)"
    return str(value)


LONG_TEXT = 80


def _long(side) -> bool:
    return any(isinstance(v, str) and (len(v) > LONG_TEXT or "\n" in v) for v in (side.base, side.mine, side.theirs))


KEY_RULE = ("Settled by rule, not chosen: a manager's reset stands, otherwise the later passphrase. "
            "Resolve applies it now; the next sync does too.")


def _field_words(name: str) -> str:
    return name.replace("_", " ").capitalize()


class FieldRow:
    """One field's three columns and its choice."""

    def __init__(self, side: conflicts.FieldSide, grid: QGridLayout, row: int, parent: QWidget):
        self.side = side
        name = QLabel(_field_words(side.field) + (" ⚠" if side.conflicting else ""))
        name.setToolTip("Changed on both computers" if side.conflicting else "Changed on one side only")
        base, mine, theirs = (QLabel(_shown(v)) for v in (side.base, side.mine, side.theirs))
        for label in (base, mine, theirs):
            label.setWordWrap(True)
            label.setMinimumWidth(100)
            label.setTextInteractionFlags(label.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mine = QRadioButton("Mine")
        self.theirs = QRadioButton("Theirs")
        self.edit = QRadioButton("Edit:")
        start = _shown(side.mine) if side.mine is not None else ""
        if _long(side):
            # A note's text is merged by hand here: it needs room and more than one line.
            self.value = QPlainTextEdit(start)
            self.value.setFixedHeight(self.value.fontMetrics().lineSpacing() * 6 + 12)
            self.value.setTabChangesFocus(True)
            self.value.setMinimumWidth(260)
        else:
            self.value = QLineEdit(start)
        self.value.setAccessibleName(f"Edited value for {_field_words(side.field)}")
        self.value.setEnabled(False)
        self.value.setMinimumWidth(180)
        for button in (self.mine, self.theirs, self.edit):
            button.setAccessibleName(f"{button.text().rstrip(':')} for {_field_words(side.field)}")
        self.group = QButtonGroup(parent)
        for button in (self.mine, self.theirs, self.edit):
            self.group.addButton(button)
        self.mine.setChecked(True)
        self.edit.toggled.connect(self.value.setEnabled)
        if not side.conflicting:
            # Changed on one side only: it merges by itself, and resolving leaves it as it is.
            for button in (self.mine, self.theirs, self.edit):
                button.setEnabled(False)
                button.setToolTip("Merged by itself: only one side changed it")
        elif not side.editable:
            # A person's key: never chosen nor typed here; the rule keeps one (docs/sync.md §12).
            for button in (self.mine, self.theirs, self.edit):
                button.setEnabled(False)
                button.setToolTip(KEY_RULE)
            self.value.hide()
            self.note = QLabel(KEY_RULE)
            self.note.setWordWrap(True)
        elif isinstance(side.mine, list) or isinstance(side.theirs, list):
            self.edit.setEnabled(False)     # a set is chosen whole; correct the record afterwards
        # The typed value sits under the three choices so the row fits a 1366-wide screen.
        choice = QVBoxLayout()
        radios = QHBoxLayout()
        for w in (self.mine, self.theirs, self.edit):
            radios.addWidget(w)
        radios.addStretch(1)
        choice.addLayout(radios)
        choice.addWidget(self.value)
        if not side.editable:
            choice.addWidget(self.note)
        for col, widget in enumerate((name, base, mine, theirs)):
            grid.addWidget(widget, row, col)
        grid.addLayout(choice, row, 4)

    def choice(self):
        if self.edit.isChecked():
            text = self.value.toPlainText() if isinstance(self.value, QPlainTextEdit) else self.value.text()
            return ("edit", text)
        return "theirs" if self.theirs.isChecked() else "mine"


class ConflictView(QWidget):
    resolved = Signal()

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.rows: list[FieldRow] = []
        self.current: conflicts.ConflictDetail | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Conflicts waiting")
        self.list.setMaximumWidth(340)
        self.list.setWordWrap(True)
        self.heading = text_label("", "subheading")
        self.who = text_label("", "hint")
        self.who.setWordWrap(True)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.body = QWidget()
        self._new_grid()
        self.all_mine = QPushButton("Keep &mine for every field")
        self.all_theirs = QPushButton("Take &theirs for every field")
        self.resolve_button = QPushButton("&Resolve")
        self.resolve_button.setProperty("primary", True)
        self.error = text_label("", "error")
        self.error.hide()
        self.empty = text_label("No conflicts wait on this computer.", "hint")

        detail = QVBoxLayout()
        detail.addWidget(self.heading)
        detail.addWidget(self.who)
        detail.addWidget(self.scroll, 1)
        detail.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_mine)
        buttons.addWidget(self.all_theirs)
        buttons.addStretch(1)
        buttons.addWidget(self.resolve_button)
        detail.addLayout(buttons)
        body = QHBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.list)
        body.addLayout(detail, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.addWidget(text_label("Conflicts", "heading"))
        column.addWidget(text_label("You and a colleague changed the same thing on different computers. "
                                    "Choose, field by field, what the record should say; your choice is "
                                    "shared at the next sync.", "hint"))
        column.addWidget(self.empty)
        column.addWidget(self.body, 1)
        self.filler = QWidget()
        column.addWidget(self.filler, 1)

        self.list.currentRowChanged.connect(self._show_row)
        self.all_mine.clicked.connect(lambda: self._set_all("mine"))
        self.all_theirs.clicked.connect(lambda: self._set_all("theirs"))
        self.resolve_button.clicked.connect(self.resolve)
        self.load()

    def _shown_ids(self) -> list:
        return [self.list.item(i).data(256) for i in range(self.list.count())]

    def load(self) -> None:
        try:
            items = conflicts.list_conflicts(self.session)
        except ConfideError as exc:
            self._failed(exc)
            items = []
        if items and [c.id for c in items] == self._shown_ids():
            # The sync timer and the hub's watcher reload this page while someone is choosing:
            # the same conflicts keep the choices and the typed value (a changed one has a new id).
            return
        keep = self.current.summary.id if self.current is not None else None
        self.list.clear()
        for c in items:
            # The record in its place (what, when, by whom, which case), then the fields.
            item = QListWidgetItem(f"{c.context or TABLE_WORDS.get(c.table, c.table)}\n"
                                   f"Changed on both: {', '.join(map(_field_words, c.fields))}")
            item.setToolTip(item.text())
            item.setData(256, c.id)
            self.list.addItem(item)
        self.empty.setVisible(not items)
        self.body.setVisible(bool(items))
        self.filler.setVisible(not items)
        for w in (self.all_mine, self.all_theirs, self.resolve_button):
            w.setEnabled(bool(items))
        if items:
            ids = [c.id for c in items]
            self.list.setCurrentRow(ids.index(keep) if keep in ids else 0)
        else:
            self._clear_detail()

    def _clear_detail(self) -> None:
        self.current = None
        self.heading.setText("")
        self.who.setText("")
        self._new_grid()
        self.rows = []

    def _new_grid(self) -> None:
        # A fresh grid each time: the scroll area deletes the old one with every widget in it.
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.scroll.setWidget(self.grid_host)

    def _show_row(self, row: int) -> None:
        self._clear_detail()
        self.error.hide()
        if row < 0:
            return
        try:
            self.current = conflicts.conflict_detail(self.session, self.list.item(row).data(256))
        except ConfideError as exc:
            self._failed(exc)
            return
        s = self.current.summary
        kind = "the same record was made on both computers" if s.kind == "duplicate" else "changed on both computers"
        self.heading.setText(f"{s.context or TABLE_WORDS.get(s.table, s.table)}: {kind}")
        self.who.setText(f"Mine: {s.mine_by or 'this computer'}, {uk_datetime(s.mine_at, '-')}.   "
                         f"Theirs: {s.theirs_by or 'a colleague'}, {uk_datetime(s.theirs_at, '-')}.")
        for col, title in enumerate(("Field", "Before", "Mine", "Theirs", "Keep")):
            self.grid.addWidget(text_label(title, "subheading"), 0, col)
            self.grid.setColumnStretch(col, 0 if col in (0, 4) else 1)
        for i, side in enumerate(self.current.fields, start=1):
            self.rows.append(FieldRow(side, self.grid, i, self.grid_host))
        self.grid.setRowStretch(len(self.rows) + 1, 1)

    def _set_all(self, which: str) -> None:
        for row in self.rows:
            (row.mine if which == "mine" else row.theirs).setChecked(True)

    def resolve(self) -> None:
        if self.current is None:
            return
        conflict_id = self.current.summary.id
        choices = {row.side.field: row.choice() for row in self.rows if row.side.conflicting}
        session = self.session
        self.ops.run(lambda _p: conflicts.resolve_conflict(session, conflict_id, choices=choices),
                     on_done=lambda _r: self._done(), on_error=self._failed, changes=("sync", "records"))

    def _done(self) -> None:
        self.load()
        self.resolved.emit()

    def _failed(self, exc: Exception) -> None:
        self.error.setText(describe_error(exc))
        self.error.show()

    def set_busy(self, busy: bool) -> None:
        self.resolve_button.setEnabled(not busy and self.current is not None)

    def clear(self) -> None:
        self.list.clear()
        self._clear_detail()
