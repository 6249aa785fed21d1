"""The subject access request register as a table: reference, subject, requester, received,
due, status and timeliness, the last coloured (and worded: colour is never the only signal)."""

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.counting import plural
from app.domain.text import uk_date
from app.services.sar import Sar

REFERENCE, SUBJECT, RECEIVED, DUE, STATUS, TIMELINESS, REQUESTER = range(7)
# The requester last: a representative's name can be long, and it takes the width left.
HEADERS = {REFERENCE: "Reference", SUBJECT: "Subject", RECEIVED: "Received", DUE: "Due", STATUS: "Status",
           TIMELINESS: "Timeliness", REQUESTER: "Requester"}

SarRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
TimelinessRole = Qt.ItemDataRole.UserRole + 3

STATUS_LABELS = {"new": "New", "awaiting_id": "Awaiting identity", "awaiting_clarification": "Awaiting clarification",
                 "in_review": "In review", "extended": "Extended", "sent": "Sent", "withdrawn": "Withdrawn"}
KIND_LABELS = {"subject": "the person themselves", "parent": "parent", "representative": "representative"}
# (words, text colour, background): AA contrast on the background.
TIMELINESS_STYLE = {
    "on_track": ("On track", "#14532d", "#e8f5ec"),
    "due_soon": ("Due soon", "#6b3a00", "#fff4e0"),
    "overdue": ("Overdue", "#7f1414", "#fdecec"),
    "waiting": ("Clock paused", "#3e4c59", "#eef0f2"),
    "sent_on_time": ("Sent on time", "#14532d", "#e8f5ec"),
    "sent_late": ("Sent late", "#7f1414", "#fdecec"),
    "withdrawn": ("Withdrawn", "#3e4c59", "#eef0f2"),
}

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def timeliness_words(state: str) -> str:
    return TIMELINESS_STYLE.get(state, (state,))[0]


class SarTableModel(QAbstractTableModel):
    def __init__(self, parent=None, today: date | None = None):
        super().__init__(parent)
        self._rows: list[Sar] = []
        self._states: list[str] = []
        self.today = today or date.today()

    def set_requests(self, requests: Iterable[Sar], today: date | None = None) -> None:
        self.beginResetModel()
        self.today = today or date.today()
        self._rows = list(requests)
        self._states = [r.timeliness(self.today) for r in self._rows]
        self.endResetModel()

    def clear(self) -> None:
        self.set_requests([])

    def request(self, row: int) -> Sar | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, sar_id: str) -> int:
        return next((i for i, r in enumerate(self._rows) if sar_id in (r.id, r.reference)), -1)

    # --- QAbstractTableModel -------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        request = self.request(index.row()) if index.isValid() else None
        if request is None:
            return None
        column, state = index.column(), self._states[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(request, column, state)
        if role == SortRole:
            if column in (RECEIVED, DUE):
                return (request.received_on if column == RECEIVED else request.due_on) or "9999"
            return self._text(request, column, state).casefold()
        if role == SarRole:
            return request
        if role == TimelinessRole:
            return state
        if column == TIMELINESS and state in TIMELINESS_STYLE:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(TIMELINESS_STYLE[state][1])
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(TIMELINESS_STYLE[state][2])
        if role == Qt.ItemDataRole.ToolTipRole and column == DUE and not request.due_on:
            return ("The one-month clock starts when identity is confirmed, and stands still while "
                    "clarification is awaited.")
        return None

    def _text(self, request: Sar, column: int, state: str) -> str:
        if column == REFERENCE:
            return request.reference
        if column == SUBJECT:
            return request.subject_name
        if column == REQUESTER:
            if request.requester_kind == "subject":
                return "The subject"
            return f"{request.requester_name} ({KIND_LABELS.get(request.requester_kind, request.requester_kind)})"
        if column == RECEIVED:
            return uk_date(request.received_on)
        if column == DUE:
            return uk_date(request.due_on) or "Not started"
        if column == STATUS:
            return STATUS_LABELS.get(request.status, request.status)
        if column == TIMELINESS:
            if state in ("due_soon", "overdue") and request.due_on:
                left = (date.fromisoformat(request.due_on) - self.today).days
                return f"{timeliness_words(state)} ({plural(abs(left), 'day')}" \
                       f"{' left' if left >= 0 else ' late'})"
            return timeliness_words(state)
        return ""
