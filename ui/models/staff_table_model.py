"""The staff register as a table (after Vorta's archive model): named columns, custom roles,
and a whole reset on reload. It holds StaffMember rows handed to it; it never fetches."""

from collections.abc import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.staff import StaffMember
from ui.formatting import uk_datetime

NAME, USERNAME, ROLE, ACTIVE, LAST_UNLOCK = range(5)
HEADERS = {NAME: "Name", USERNAME: "User name", ROLE: "Role", ACTIVE: "Status",
           LAST_UNLOCK: "Last unlock"}

MemberRole = Qt.ItemDataRole.UserRole + 1   # the StaffMember itself
SortRole = Qt.ItemDataRole.UserRole + 2     # a value that sorts right (ISO time, not dd/mm)

_DISABLED_TEXT = QColor("#5f6b7a")

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class StaffTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[StaffMember] = []

    # --- contents ----------------------------------------------------------------------
    def set_members(self, members: Iterable[StaffMember]) -> None:
        self.beginResetModel()
        self._rows = list(members)
        self.endResetModel()

    def clear(self) -> None:
        """On lock: nothing from the register stays in memory behind the unlock screen."""
        self.set_members([])

    def member(self, row: int) -> StaffMember | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, username: str) -> int:
        return next((i for i, m in enumerate(self._rows) if m.username == username), -1)

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        member = self.member(index.row()) if index.isValid() else None
        if member is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(member, column)
        if role == SortRole:
            if column == LAST_UNLOCK:
                return member.last_unlock_at or ""
            return self._text(member, column).casefold()
        if role == MemberRole:
            return member
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return _DISABLED_TEXT
        if role == Qt.ItemDataRole.ToolTipRole and column == LAST_UNLOCK and member.last_unlock_at:
            return "Local time on this computer"
        return None

    @staticmethod
    def _text(member: StaffMember, column: int) -> str:
        if column == NAME:
            return member.full_name
        if column == USERNAME:
            return member.username
        if column == ROLE:
            return member.role.label
        if column == ACTIVE:
            return "Active" if member.active else "Disabled"
        if column == LAST_UNLOCK:
            return uk_datetime(member.last_unlock_at)
        return ""
