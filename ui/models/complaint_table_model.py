"""The data protection complaints register as a table: reference, received, from, channel,
the acknowledgement deadline and where the complaint stands."""

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.services.reports.complaints.rules import Complaint
from ui import theme
from ui.models.row_table_model import Column, RowRole, RowTableModel

ComplaintRole = RowRole
REFERENCE, RECEIVED, FROM, CHANNEL, DUE, STATUS = range(6)
_OVERDUE = QColor("#a11d1d")


class ComplaintTableModel(RowTableModel):
    EXTRA_ROLES = frozenset({Qt.ItemDataRole.ForegroundRole})

    def __init__(self, parent=None):
        self.today = date.today()
        super().__init__([
            Column("Reference", lambda c: c.reference),
            Column("Received", lambda c: f"{c.received_on:%d/%m/%Y}", sort=lambda c: c.received_on.isoformat()),
            Column("From", lambda c: c.complainant),
            Column("Channel", lambda c: c.channel_label),
            Column("Acknowledge by", lambda c: f"{c.ack_due_on:%d/%m/%Y}", sort=lambda c: c.ack_due_on.isoformat()),
            Column("Where it stands", lambda c: c.status_text(self.today), stretch=True),
        ], parent=parent)

    @property
    def complaints(self) -> list[Complaint]:
        return self.rows

    def set_complaints(self, complaints: list[Complaint], today: date | None = None) -> None:
        self.today = today or date.today()
        self.set_rows(complaints)

    def extra(self, c: Complaint, column: int, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS and c.state(self.today) == "ack_overdue":
            return theme.painted(_OVERDUE)
        return None


COLUMNS = [c.title for c in ComplaintTableModel().columns]
