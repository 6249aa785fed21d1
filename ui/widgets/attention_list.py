"""A dashboard section's items: a RecordList whose lines carry their detail beneath and are
coloured by how urgent they are (overdue, due soon, for information)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from ui import theme
from ui.widgets.record_list import RecordList

SeverityRole = Qt.ItemDataRole.UserRole + 2  # overdue, due_soon, info

# Text colours that keep WCAG AA contrast on white; the words say it too, not colour alone.
SEVERITY = {
    "overdue": ("Overdue", QColor("#a61b1b")),
    "due_soon": ("Due soon", QColor("#8a4b00")),
    "info": ("", QColor("#1f2933")),
}


class AttentionList(RecordList):
    def __init__(self, accessible_name: str, max_rows: int = 6, parent: QWidget | None = None):
        # Two-line items need more air between them than a record list's.
        super().__init__(accessible_name, "", max_rows=max_rows, spacing=3, parent=parent)
        self.list.setObjectName("attentionList")

    def set_items(self, items, empty_text: str) -> None:
        """items: dashboard Items (text, target_type, target_id, severity, detail)."""
        self.list.clear()
        for entry in items:
            words, colour = SEVERITY.get(entry.severity, SEVERITY["info"])
            text = entry.text + (f"\n{entry.detail}" if entry.detail else "")
            target = (entry.target_type, entry.target_id or "") if entry.target_type else None
            row = self.add_item(text, target)
            row.setData(SeverityRole, entry.severity)
            row.setForeground(QBrush(theme.painted(colour)))
            row.setToolTip(f"{words + ' · ' if words else ''}Press Enter or double-click to open")
            row.setData(Qt.ItemDataRole.AccessibleTextRole, f"{words}: {text}" if words else text)
        self.rows_shown(empty_text)

    def severity(self, row: int) -> str:
        return self.list.item(row).data(SeverityRole)

    def clear(self) -> None:
        self.set_items([], "")
