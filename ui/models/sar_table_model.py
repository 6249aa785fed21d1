"""The subject access request register as a table: reference, subject, received, due, status
and timeliness, the last coloured (and worded: colour is never the only signal), requester."""

from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.domain.counting import plural
from app.domain.text import uk_date
from app.services.sar.register import Sar
from ui.models.row_table_model import Column, RowRole, RowTableModel, SortRole  # noqa: F401 (SortRole: the views')

REFERENCE, SUBJECT, RECEIVED, DUE, STATUS, TIMELINESS, REQUESTER = range(7)
SarRole = RowRole
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
CLOCK_TIP = ("The one-month clock starts when identity is confirmed, and stands still while "
             "clarification is awaited.")


def due_words(request: Sar) -> str:
    """The due date; while clarification is awaited, that the clock is stopped and the date it
    had reached ("Not started" is only for a request whose identity is still awaited)."""
    if request.due_on:
        return uk_date(request.due_on)
    stood = request.due_before_pause()
    return f"Clock stopped (was {stood:%d/%m/%Y})" if stood else ""


def timeliness_words(state: str) -> str:
    return TIMELINESS_STYLE.get(state, (state,))[0]


def requester_text(request: Sar) -> str:
    if request.requester_kind == "subject":
        return "The subject"
    return f"{request.requester_name} ({KIND_LABELS.get(request.requester_kind, request.requester_kind)})"


R = Qt.ItemDataRole


class SarTableModel(RowTableModel):
    EXTRA_ROLES = frozenset({TimelinessRole, R.ForegroundRole, R.BackgroundRole})

    def __init__(self, parent=None, today: date | None = None):
        self.today = today or date.today()
        self._states: dict[str, str] = {}
        super().__init__([
            Column("Reference", lambda r: r.reference),
            Column("Subject", lambda r: r.subject_name),
            Column("Received", lambda r: uk_date(r.received_on), sort=lambda r: r.received_on or "9999"),
            Column("Due", lambda r: due_words(r) or "Not started", sort=lambda r: r.due_on or "9999",
                   tip=lambda r: None if r.due_on else CLOCK_TIP),
            Column("Status", lambda r: STATUS_LABELS.get(r.status, r.status)),
            Column("Timeliness", self._timeliness),
            Column("Requester", requester_text, stretch=True),  # a representative's name can be long
        ], parent=parent)

    def set_requests(self, requests: Iterable[Sar], today: date | None = None) -> None:
        self.today = today or date.today()
        requests = list(requests)
        self._states = {r.id: r.timeliness(self.today) for r in requests}
        self.set_rows(requests)

    def request(self, row: int) -> Sar | None:
        return self.row(row)

    def row_of(self, sar_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if sar_id in (r.id, r.reference)), -1)

    def _state(self, request: Sar) -> str:
        return self._states.get(request.id) or request.timeliness(self.today)

    def _timeliness(self, request: Sar) -> str:
        state = self._state(request)
        if state in ("due_soon", "overdue") and request.due_on:
            left = (date.fromisoformat(request.due_on) - self.today).days
            return f"{timeliness_words(state)} ({plural(abs(left), 'day')}{' left' if left >= 0 else ' late'})"
        return timeliness_words(state)

    def extra(self, request: Sar, column: int, role: int):
        state = self._state(request)
        if role == TimelinessRole:
            return state
        if column == TIMELINESS and state in TIMELINESS_STYLE:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(TIMELINESS_STYLE[state][1])
            if role == Qt.ItemDataRole.BackgroundRole:
                return QColor(TIMELINESS_STYLE[state][2])
        return None


HEADERS = {number: column.title for number, column in enumerate(SarTableModel().columns)}
