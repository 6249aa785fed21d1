"""A dashboard section's items: one line each with its detail beneath, coloured by how
urgent it is (overdue, due soon, for information). Enter or double-click opens the record
behind the item."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
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

TargetRole = Qt.ItemDataRole.UserRole + 1    # (kind, id)
SeverityRole = Qt.ItemDataRole.UserRole + 2  # overdue, due_soon, info

# Text colours that keep WCAG AA contrast on white; the words say it too, not colour alone.
SEVERITY = {
    "overdue": ("Overdue", QColor("#a61b1b")),
    "due_soon": ("Due soon", QColor("#8a4b00")),
    "info": ("", QColor("#1f2933")),
}


class AttentionList(QWidget):
    openRequested = Signal(str, str)  # kind, id

    def __init__(self, accessible_name: str, max_rows: int = 6, parent: QWidget | None = None):
        super().__init__(parent)
        self.max_rows = max_rows
        self.list = QListWidget()
        self.list.setAccessibleName(accessible_name)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        # Long lines wrap (no sideways scrolling); the list is as tall as its rows, up to
        # max_rows, measured again when its width changes (as RecordList does).
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSpacing(3)  # two-line items need air between them
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setObjectName("attentionList")
        self.empty = text_label("", "hint")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list)
        column.addWidget(self.empty)
        self.list.itemActivated.connect(self._activated)
        self.set_items([], "")

    def set_items(self, items, empty_text: str) -> None:
        """items: dashboard Items (text, target_type, target_id, severity, detail)."""
        self.list.clear()
        for entry in items:
            words, colour = SEVERITY.get(entry.severity, SEVERITY["info"])
            text = entry.text + (f"\n{entry.detail}" if entry.detail else "")
            row = QListWidgetItem(text)
            row.setData(TargetRole, (entry.target_type, entry.target_id))
            row.setData(SeverityRole, entry.severity)
            row.setForeground(QBrush(colour))
            row.setToolTip(f"{words + ' · ' if words else ''}Press Enter or double-click to open")
            row.setData(Qt.ItemDataRole.AccessibleTextRole, f"{words}: {text}" if words else text)
            self.list.addItem(row)
        self.empty.setText(empty_text)
        self.empty.setVisible(not items)
        self.list.setVisible(bool(items))
        self._fit()
        QTimer.singleShot(0, self, self._fit)  # again at its real width, once laid out

    def _fit(self) -> None:
        if not self.list.count():
            return
        rows = min(self.list.count(), self.max_rows)
        self.list.doItemsLayout()
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

    def severity(self, row: int) -> str:
        return self.list.item(row).data(SeverityRole)

    def activate(self, row: int) -> None:
        self._activated(self.list.item(row))

    def _activated(self, item: QListWidgetItem | None) -> None:
        target = item.data(TargetRole) if item is not None else None
        if target and target[0]:
            self.openRequested.emit(target[0], target[1] or "")

    def clear(self) -> None:
        self.set_items([], "")
