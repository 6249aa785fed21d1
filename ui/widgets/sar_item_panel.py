"""One gathered item of a SAR under review: whether it goes in the pack, its fields as
read-only text where words are selected for redaction, and the redactions already made."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.text import uk_date
from app.services.sar.gather import SarItem
from app.services.sar.review import REASON_LABELS, Redaction
from ui.widgets.forms import line_edit, text_label
from ui.widgets.redactable_text import RedactableText


class SarItemPanel(QWidget):
    decisionMade = Signal(bool, str)         # included, reason
    redactRequested = Signal(str, int, int)  # field, start, end (original text positions)
    removeRequested = Signal(str)            # redaction id
    readRequested = Signal(str)              # document id: read it before deciding

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.item: SarItem | None = None
        self.editors: dict[str, RedactableText] = {}
        self._last_editor: RedactableText | None = None

        self.title = text_label("Choose an item on the left.", "subheading")
        self.state = text_label("", "hint")
        self.advice = text_label("", "warning")
        self.advice.hide()
        self.include_button = QPushButton("&Include in the pack")
        self.exclude_button = QPushButton("&Leave out")
        self.reason = line_edit("Reason for the decision", placeholder="Reason (optional), e.g. serious harm")
        # A whole document is decided on what it says: its pages, not only its title and source.
        self.read_button = QPushButton("&Open the document…")
        self.read_button.hide()
        decide = QHBoxLayout()
        decide.addWidget(self.include_button)
        decide.addWidget(self.exclude_button)
        decide.addWidget(self.reason, 1)
        state_row = QHBoxLayout()   # beside the state, so the reason keeps its width
        state_row.addWidget(self.state, 1)
        state_row.addWidget(self.read_button)

        self.fields_box = QWidget()
        self.fields = QVBoxLayout(self.fields_box)
        self.fields.setContentsMargins(0, 0, 8, 0)
        self.fields.setSpacing(4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.fields_box)
        # The page's own background behind the fields, not the scroll area's grey.
        scroll.viewport().setAutoFillBackground(False)
        self.fields_box.setAutoFillBackground(False)

        self.redact_button = QPushButton("R&edact selection…")
        self.redact_button.setProperty("primary", True)
        self.redact_hint = text_label("Select words in a field, then Redact.", "hint")
        redact_row = QHBoxLayout()
        redact_row.addWidget(self.redact_button)
        redact_row.addWidget(self.redact_hint, 1)
        self.redactions = QListWidget()
        self.redactions.setAccessibleName("Redactions in this item")
        self.redactions.setMaximumHeight(110)
        self.redactions.setWordWrap(True)
        self.redactions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.remove_button = QPushButton("Re&move redaction")
        remove_row = QHBoxLayout()
        remove_row.addWidget(text_label("Redactions in this item", "hint"), 1)
        remove_row.addWidget(self.remove_button)

        column = QVBoxLayout(self)
        column.setContentsMargins(12, 0, 0, 0)
        column.setSpacing(8)
        column.addWidget(self.title)
        column.addLayout(state_row)
        column.addWidget(self.advice)
        column.addLayout(decide)
        column.addWidget(scroll, 1)
        column.addLayout(redact_row)
        column.addLayout(remove_row)
        column.addWidget(self.redactions)

        self.include_button.clicked.connect(lambda: self.decisionMade.emit(True, self.reason.text()))
        self.exclude_button.clicked.connect(lambda: self.decisionMade.emit(False, self.reason.text()))
        self.redact_button.clicked.connect(self._redact)
        self.read_button.clicked.connect(
            lambda: self.item is not None and self.readRequested.emit(self.item.key.split(":", 1)[1]))
        self.remove_button.clicked.connect(self._remove)
        self.redactions.itemSelectionChanged.connect(self._update_buttons)
        self.show_item(None, [], [])

    def show_item(self, item: SarItem | None, redactions: list[Redaction], suggestions: list) -> None:
        same = item is not None and self.item is not None and item.key == self.item.key
        self.item = item
        if not same:
            self._build_fields(item)
        self.title.setText(item.title if item else "Choose an item on the left.")
        self.advice.setText(item.advice if item else "")
        self.advice.setVisible(bool(item and item.advice))
        self.read_button.setVisible(bool(item and item.kind == "document"))
        self.set_marks(redactions, suggestions)
        self.update_state()

    def _build_fields(self, item: SarItem | None) -> None:
        while self.fields.count():
            widget = self.fields.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.editors, self._last_editor = {}, None
        if item is None:
            return
        for field in item.fields:
            self.fields.addWidget(text_label(field.label, "hint"))
            editor = RedactableText(field.name, field.label, field.text)
            editor.selectionChanged.connect(lambda e=editor: self._selected_in(e))
            self.editors[field.name] = editor
            self.fields.addWidget(editor)
        self.fields.addStretch(1)

    def set_marks(self, redactions: list[Redaction], suggestions: list) -> None:
        self.redactions.clear()
        for name, editor in self.editors.items():
            editor.set_marks([(r.start_at, r.end_at) for r in redactions if r.field == name],
                             [(s.start, s.end) for s in suggestions if s.field == name])
        labels = {f.name: f.label for f in self.item.fields} if self.item else {}
        for r in redactions:
            note = f" ({r.note})" if r.note else ""
            row = QListWidgetItem(f"“{r.redacted_text}” in {labels.get(r.field, r.field)}: "
                                  f"{REASON_LABELS.get(r.reason, r.reason)}{note}")
            row.setData(Qt.ItemDataRole.UserRole, r.id)
            self.redactions.addItem(row)
        self._update_buttons()

    def update_state(self) -> None:
        item = self.item
        if item is None:
            self.state.clear()
        elif item.firewalled and not item.decided:
            self.state.setText(f"{uk_date(item.on)} · Needs your decision: leave it out, or first record the "
                               "young person's agreement on the request.")
        elif item.needs_decision and not item.decided:
            self.state.setText(f"{uk_date(item.on)} · Needs your decision: include it, or leave it out.")
        else:
            self.state.setText(f"{uk_date(item.on)} · {'In the pack' if item.included else 'Left out'}"
                               f"{' (decided)' if item.decided else ''}")
        self._update_buttons()

    def _selected_in(self, editor: RedactableText) -> None:
        if editor.has_selection():
            self._last_editor = editor
            for other in self.editors.values():
                if other is not editor and other.has_selection():
                    cursor = other.textCursor()
                    cursor.clearSelection()
                    other.setTextCursor(cursor)
        self._update_buttons()

    def clear_selection(self) -> None:
        """After redacting: the black bar shows where the selection was."""
        for editor in self.editors.values():
            cursor = editor.textCursor()
            cursor.clearSelection()
            editor.setTextCursor(cursor)
        self._update_buttons()

    def selected_editor(self) -> RedactableText | None:
        editor = self._last_editor
        return editor if editor is not None and editor.has_selection() else None

    def _redact(self) -> None:
        editor = self.selected_editor()
        if editor is not None:
            start, end = editor.selected_span()
            self.redactRequested.emit(editor.field_name, start, end)

    def _remove(self) -> None:
        rows = self.redactions.selectedItems()
        if rows:
            self.removeRequested.emit(rows[0].data(Qt.ItemDataRole.UserRole))

    def _update_buttons(self) -> None:
        item = self.item
        # A young person's own record cannot be included without their agreement (the service refuses too).
        self.include_button.setEnabled(item is not None and not item.firewalled
                                       and not (item.decided and item.included))
        self.exclude_button.setEnabled(item is not None and not (item.decided and not item.included))
        self.redact_button.setEnabled(self.selected_editor() is not None)
        self.remove_button.setEnabled(bool(self.redactions.selectedItems()))

    def set_enabled_actions(self, enabled: bool) -> None:
        for button in (self.include_button, self.exclude_button, self.redact_button, self.remove_button):
            button.setEnabled(enabled)
        if enabled:
            self._update_buttons()

    def clear(self) -> None:
        self.show_item(None, [], [])
