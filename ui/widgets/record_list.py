"""A short list of records (cases, people, enquiries, a dashboard section's items) that opens
the one activated (Enter or double-click), with a sentence in its place when there is nothing
to list. Long lines wrap; the list is as tall as its rows, up to max_rows."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.forms import text_label

TargetRole = Qt.ItemDataRole.UserRole + 1  # (kind, id) to open, or None


class RecordList(QWidget):
    openRequested = Signal(str, str)  # kind, id

    def __init__(self, accessible_name: str, empty_text: str, max_rows: int = 8, spacing: int = 2,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.max_rows = max_rows
        self.list = QListWidget()
        self.list.setAccessibleName(accessible_name)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        # Long lines wrap (no sideways scrolling); the height is measured again whenever the
        # width changes.
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSpacing(spacing)  # a little air between records
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.empty = text_label(empty_text, "hint")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list)
        column.addWidget(self.empty)
        # Enter and double-click both emit activated.
        self.list.itemActivated.connect(self._activated)
        self.set_rows([])

    def set_rows(self, rows: list[tuple[str, str | None, str | None]], empty_text: str | None = None) -> None:
        """rows: (text, kind, id); kind None for a line that opens nothing."""
        self.list.clear()
        for text, kind, record_id in rows:
            item = self.add_item(text, (kind, record_id) if kind and record_id else None)
            item.setToolTip(text + ("\n\nEnter or double-click opens it." if kind and record_id else ""))
        self.rows_shown(empty_text)

    def add_item(self, text: str, target: tuple[str, str] | None) -> QListWidgetItem:
        """target: (kind, id) that Enter or double-click opens, or None."""
        item = QListWidgetItem(text)
        item.setData(TargetRole, target)
        self.list.addItem(item)
        return item

    def rows_shown(self, empty_text: str | None) -> None:
        """After the rows are added: the sentence in place of none, and the height."""
        if empty_text is not None:
            self.empty.setText(empty_text)
        rows = self.list.count()
        self.empty.setVisible(not rows)
        self.list.setVisible(bool(rows))
        self._fit()
        # Again once laid out at its real width (not at all if the list is gone by then).
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        if not self.list.count():
            return
        rows = min(self.list.count(), self.max_rows)
        self.list.doItemsLayout()
        # The bottom of the last row to show, in the list's own coordinates (not scrolled).
        last = self.list.visualRect(self.list.model().index(rows - 1, 0))
        bottom = last.bottom() + 1 + self.list.verticalScrollBar().value() + self.list.spacing()
        self.list.setFixedHeight(max(bottom + 2 * self.list.frameWidth(), 24))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()

    def count(self) -> int:
        return self.list.count()

    def text(self, row: int) -> str:
        return self.list.item(row).text()

    def activate(self, row: int) -> None:
        self._activated(self.list.item(row))

    def _activated(self, item: QListWidgetItem | None) -> None:
        target = item.data(TargetRole) if item is not None else None
        if target:
            self.openRequested.emit(*target)

    def clear(self) -> None:
        self.set_rows([])
