"""The staff register (R15) as a table: start date, confidentiality agreement, induction and
data protection training, with the cells behind a reminder highlighted (red when lapsed or
missing, amber when due soon, each with an icon too, since colour is never the only signal) and
the reminder's words in the tooltip."""

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from app.domain.staff import Role
from app.domain.text import uk_date
from app.services.vault.registers import Reminder, StaffRegisterEntry
from ui import theme
from ui.models.row_table_model import Column, RowRole, RowTableModel, SortRole  # noqa: F401 (SortRole: the views')

NAME, ROLE, STARTED, AGREEMENT, INDUCTION, TRAINING, TRAINING_DUE = range(7)
EntryRole = RowRole
ReminderRole = Qt.ItemDataRole.UserRole + 3  # "overdue", "due_soon" or None for this cell

# Which cells a reminder is about.
CELLS = {"training_lapsed": (TRAINING, TRAINING_DUE), "training_due": (TRAINING, TRAINING_DUE),
         "agreement_missing": (AGREEMENT,), "induction_missing": (INDUCTION,)}
COLOURS = {"overdue": (QColor("#7f1414"), QColor("#fdecec")),
           "due_soon": (QColor("#6b3a00"), QColor("#fff4e0"))}
_DISABLED_TEXT = QColor("#5f6b7a")
_ICONS = {"overdue": QStyle.StandardPixmap.SP_MessageBoxWarning,
          "due_soon": QStyle.StandardPixmap.SP_MessageBoxInformation}


def _icon(severity: str) -> QIcon:
    return QApplication.style().standardIcon(_ICONS[severity])


def _date_column(title: str, attribute: str, header_tip: str = "", missing: str = "Not recorded") -> Column:
    return Column(title, lambda e: uk_date(getattr(e, attribute)) if getattr(e, attribute) else missing,
                  sort=lambda e: getattr(e, attribute) or "", header_tip=header_tip)


R = Qt.ItemDataRole


class StaffRegisterModel(RowTableModel):
    EXTRA_ROLES = frozenset({R.ForegroundRole, R.BackgroundRole, R.DecorationRole, R.ToolTipRole})

    def __init__(self, parent=None):
        self._flags: dict[tuple[str, int], list[Reminder]] = {}
        super().__init__([
            Column("Name", lambda e: e.full_name + ("" if e.active else " (disabled)")),
            Column("Role", lambda e: Role(e.role).label),
            _date_column("Started", "start_date"),
            _date_column("Agreement", "agreement_signed_on", "Confidentiality agreement signed"),
            _date_column("Induction", "induction_on"),
            _date_column("DP training", "dp_training_on", "Data protection training, last done"),
            _date_column("Training due", "training_due_on", "Data protection training lapses after a year", ""),
        ], key=lambda e: e.staff_id, parent=parent)

    def set_entries(self, entries: Iterable[StaffRegisterEntry], reminders: Iterable[Reminder] = ()) -> None:
        self._flags = {}
        for reminder in reminders:
            for column in CELLS.get(reminder.kind, (NAME,)):
                self._flags.setdefault((reminder.target_id, column), []).append(reminder)
        self.set_rows(entries)

    def entry(self, row: int) -> StaffRegisterEntry | None:
        return self.row(row)

    def reminders_for(self, staff_id: str) -> list[Reminder]:
        seen: list[Reminder] = []
        for (target, _column), found in self._flags.items():
            seen += [r for r in found if target == staff_id and r not in seen]
        return seen

    def _severity(self, flags: list[Reminder]) -> str | None:
        return "overdue" if any(r.severity == "overdue" for r in flags) else ("due_soon" if flags else None)

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        entry = self.row(index.row()) if index.isValid() else None
        if entry is not None and role in (Qt.ItemDataRole.AccessibleTextRole, ReminderRole):
            flags = self._flags.get((entry.staff_id, index.column()), [])
            if role == ReminderRole:
                return self._severity(flags)
            text = super().data(index, Qt.ItemDataRole.DisplayRole)
            return f"{text} ({flags[0].text})" if flags else text
        return super().data(index, role)

    def extra(self, entry: StaffRegisterEntry, column: int, role: int):
        flags = self._flags.get((entry.staff_id, column), [])
        severity = self._severity(flags)
        if severity and role == Qt.ItemDataRole.ForegroundRole:
            return theme.painted(COLOURS[severity][0])
        if severity and role == Qt.ItemDataRole.BackgroundRole:
            return theme.painted(COLOURS[severity][1], "background")
        if severity and role == Qt.ItemDataRole.DecorationRole:
            # Colour is never the only signal (WCAG 1.4.1): a warning for lapsed, a note for due.
            return _icon(severity)
        if role == Qt.ItemDataRole.ForegroundRole and not entry.active:
            return theme.painted(_DISABLED_TEXT)
        if role == Qt.ItemDataRole.ToolTipRole and flags:
            return "\n".join(r.text for r in flags)
        return None


HEADERS = {number: column.title for number, column in enumerate(StaffRegisterModel().columns)}
HEADER_TIPS = {number: column.header_tip for number, column in enumerate(StaffRegisterModel().columns)
               if column.header_tip}
