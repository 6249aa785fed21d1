"""The data protection complaints register as a table: reference, received, from, channel,
the acknowledgement deadline and where the complaint stands."""

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.services.complaints.rules import Complaint

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
ComplaintRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ["Reference", "Received", "From", "Channel", "Acknowledge by", "Where it stands"]
REFERENCE, RECEIVED, FROM, CHANNEL, DUE, STATUS = range(len(COLUMNS))


class ComplaintTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.complaints: list[Complaint] = []
        self.today = date.today()

    def set_complaints(self, complaints: list[Complaint], today: date | None = None) -> None:
        self.beginResetModel()
        self.complaints, self.today = list(complaints), today or date.today()
        self.endResetModel()

    def clear(self) -> None:
        self.set_complaints([])

    def row_of(self, complaint_id: str) -> int:
        return next((i for i, c in enumerate(self.complaints) if c.id == complaint_id), -1)

    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.complaints)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.complaints):
            return None
        c = self.complaints[index.row()]
        if role == ComplaintRole:
            return c
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {REFERENCE: c.reference, RECEIVED: f"{c.received_on:%d/%m/%Y}", FROM: c.complainant,
                    CHANNEL: c.channel_label, DUE: f"{c.ack_due_on:%d/%m/%Y}",
                    STATUS: c.status_text(self.today)}[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == STATUS and c.state(self.today) == "ack_overdue":
            from PySide6.QtGui import QColor

            return QColor("#a11d1d")
        return None
