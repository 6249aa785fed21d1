"""The staff register (R15) as a table: start date, confidentiality agreement, induction and
data protection training, with the cells behind a reminder highlighted (red when lapsed or
missing, amber when due soon) and the reminder's words in the tooltip."""

from collections.abc import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.staff import Role
from app.domain.text import uk_date
from app.services.registers import Reminder, StaffRegisterEntry

NAME, ROLE, STARTED, AGREEMENT, INDUCTION, TRAINING, TRAINING_DUE = range(7)
HEADERS = {NAME: "Name", ROLE: "Role", STARTED: "Started", AGREEMENT: "Agreement",
           INDUCTION: "Induction", TRAINING: "DP training", TRAINING_DUE: "Training due"}
HEADER_TIPS = {AGREEMENT: "Confidentiality agreement signed", TRAINING: "Data protection training, last done",
               TRAINING_DUE: "Data protection training lapses after a year"}

EntryRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
ReminderRole = Qt.ItemDataRole.UserRole + 3  # "overdue", "due_soon" or None for this cell

# Which cells a reminder is about.
CELLS = {"training_lapsed": (TRAINING, TRAINING_DUE), "training_due": (TRAINING, TRAINING_DUE),
         "agreement_missing": (AGREEMENT,), "induction_missing": (INDUCTION,)}
COLOURS = {"overdue": (QColor("#7f1414"), QColor("#fdecec")),
           "due_soon": (QColor("#6b3a00"), QColor("#fff4e0"))}
DATE_COLUMNS = {STARTED: "start_date", AGREEMENT: "agreement_signed_on", INDUCTION: "induction_on",
                TRAINING: "dp_training_on", TRAINING_DUE: "training_due_on"}
_DISABLED_TEXT = QColor("#5f6b7a")

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class StaffRegisterModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[StaffRegisterEntry] = []
        self._flags: dict[tuple[str, int], list[Reminder]] = {}

    def set_entries(self, entries: Iterable[StaffRegisterEntry], reminders: Iterable[Reminder] = ()) -> None:
        self.beginResetModel()
        self._rows = list(entries)
        self._flags = {}
        for reminder in reminders:
            for column in CELLS.get(reminder.kind, (NAME,)):
                self._flags.setdefault((reminder.target_id, column), []).append(reminder)
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries([])

    def entry(self, row: int) -> StaffRegisterEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, staff_id: str) -> int:
        return next((i for i, e in enumerate(self._rows) if e.staff_id == staff_id), -1)

    def reminders_for(self, staff_id: str) -> list[Reminder]:
        seen: list[Reminder] = []
        for (target, _column), found in self._flags.items():
            seen += [r for r in found if target == staff_id and r not in seen]
        return seen

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        column = index.column()
        flags = self._flags.get((entry.staff_id, column), [])
        severity = "overdue" if any(r.severity == "overdue" for r in flags) else ("due_soon" if flags else None)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = self._text(entry, column)
            return f"{text} ({flags[0].text})" if flags else text
        if role == SortRole:
            if column in DATE_COLUMNS:
                return getattr(entry, DATE_COLUMNS[column]) or ""
            return self._text(entry, column).casefold()
        if role == EntryRole:
            return entry
        if role == ReminderRole:
            return severity
        if severity and role == Qt.ItemDataRole.ForegroundRole:
            return COLOURS[severity][0]
        if severity and role == Qt.ItemDataRole.BackgroundRole:
            return COLOURS[severity][1]
        if role == Qt.ItemDataRole.ForegroundRole and not entry.active:
            return _DISABLED_TEXT
        if role == Qt.ItemDataRole.ToolTipRole and flags:
            return "\n".join(r.text for r in flags)
        return None

    @staticmethod
    def _text(entry: StaffRegisterEntry, column: int) -> str:
        if column == NAME:
            return entry.full_name + ("" if entry.active else " (disabled)")
        if column == ROLE:
            return Role(entry.role).label
        if column in DATE_COLUMNS:
            value = getattr(entry, DATE_COLUMNS[column])
            if value:
                return uk_date(value)
            return "Not recorded" if column != TRAINING_DUE else ""
        return ""
