"""The staff list as a table (after Vorta's archive model): named columns, the member
itself in RowRole, and a whole reset on reload. It holds StaffMember rows handed to it."""

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.domain.staff import StaffMember
from ui import theme
from ui.formatting import uk_datetime
from ui.models.row_table_model import Column, RowRole, RowTableModel, SortRole  # noqa: F401 (SortRole: the views')

NAME, USERNAME, ROLE, ACTIVE, LAST_UNLOCK = range(5)
MemberRole = RowRole

_DISABLED_TEXT = QColor("#5f6b7a")


class StaffTableModel(RowTableModel):
    EXTRA_ROLES = frozenset({Qt.ItemDataRole.ForegroundRole})

    def __init__(self, parent=None):
        super().__init__([
            Column("Name", lambda m: m.full_name, stretch=True),
            Column("User name", lambda m: m.username),
            Column("Role", lambda m: m.role.label),
            Column("Status", lambda m: "Active" if m.active else "Disabled"),
            Column("Last unlock", lambda m: uk_datetime(m.last_unlock_at), sort=lambda m: m.last_unlock_at or "",
                   tip=lambda m: "Local time on this computer" if m.last_unlock_at else None),
        ], key=lambda m: m.username, parent=parent)

    def set_members(self, members: Iterable[StaffMember]) -> None:
        self.set_rows(members)

    def member(self, row: int) -> StaffMember | None:
        return self.row(row)

    def extra(self, member: StaffMember, column: int, role: int):
        if role == Qt.ItemDataRole.ForegroundRole and not member.active:
            return theme.painted(_DISABLED_TEXT)
        return None


HEADERS = {number: column.title for number, column in enumerate(StaffTableModel().columns)}
