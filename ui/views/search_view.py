"""Search: one box over people, cases and notes (Ctrl+F from anywhere). Results appear as you
type; Enter or a double-click opens the person or the case (a note opens its case, at the
note). The service applies roles and the R4 firewall: a volunteer finds people only."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain.counting import plural
from app.domain.records import SearchHit
from app.domain.staff import Role
from app.errors import ConfideError
from app.security.session import Session
from app.services import search
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import line_edit, text_label

HitRole = Qt.ItemDataRole.UserRole + 1
TYPING_PAUSE_MS = 250  # search once typing pauses, not on every key
KIND_LABELS = {"person": "Person", "case": "Case", "note": "Note"}


def hit_text(hit: SearchHit) -> str:
    if hit.kind == "note":
        head = f"Note in case {hit.title}"
    elif hit.kind == "case" and " " in hit.title:
        reference, names = hit.title.split(" ", 1)  # the index holds "reference client child"
        head = f"Case {reference} · {names}"
    else:
        head = f"{KIND_LABELS.get(hit.kind, hit.kind.title())}: {hit.title}"
    return f"{head}\n{hit.snippet}" if hit.snippet else head


class SearchView(QWidget):
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        volunteer = session.user.role == Role.VOLUNTEER
        what = "people" if volunteer else "people, cases and notes"
        self.box = line_edit("Search", placeholder=f"Search {what}: type a name, a reference or words from a note")
        self.box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.status = text_label("", "hint")
        self.error = text_label("", "error")
        self.error.hide()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 24, 32, 24)
        column.setSpacing(10)
        column.addWidget(text_label("Search", "heading"))
        column.addWidget(self.box)
        column.addWidget(self.status)
        column.addWidget(self.error)
        column.addWidget(self.results, 1)

        self.box.textEdited.connect(lambda _t: self.timer.start())
        self.box.returnPressed.connect(self._enter)
        self.timer.timeout.connect(self.run_search)
        self.results.itemActivated.connect(self._activated)
        self._show_status("")

    def focus_box(self) -> None:
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def run_search(self, text: str | None = None) -> list[SearchHit]:
        if text is not None:
            self.box.setText(text)
        self.timer.stop()
        self.results.clear()
        self.error.hide()
        query = self.box.text().strip()
        if len(query) < 2 or self.session.locked:
            self._show_status(query)
            return []
        try:
            hits = search.search(self.session, query)
        except ConfideError as exc:
            self.error.setText(describe_error(exc))
            self.error.show()
            return []
        for hit in hits:
            item = QListWidgetItem(hit_text(hit))
            item.setData(HitRole, hit)
            self.results.addItem(item)
        if hits:
            self.results.setCurrentRow(0)
        self._show_status(query, len(hits))
        return hits

    def _show_status(self, query: str, found: int | None = None) -> None:
        if found is None:
            self.status.setText("Type at least two letters. Every word must match; the start of a word is "
                                "enough (“hart ell” finds Ellie Hartley).")
        elif found == 0:
            self.status.setText(f"Nothing matches “{query}”.")
        else:
            self.status.setText(f"{plural(found, 'result')}. Enter opens the highlighted one.")

    def _enter(self) -> None:
        """Enter in the box: search now, or open the top result if the list is current."""
        if self.timer.isActive() or not self.results.count():
            self.run_search()
            self.results.setFocus()
        else:
            self._activated(self.results.currentItem())

    def _activated(self, item: QListWidgetItem | None) -> None:
        hit = item.data(HitRole) if item is not None else None
        if hit is None:
            return
        if hit.kind == "note":
            self.openRequested.emit("note", hit.ref_id)
        else:
            self.openRequested.emit(hit.kind, hit.ref_id)

    def set_busy(self, busy: bool) -> None:
        self.box.setEnabled(not busy)

    def clear(self) -> None:
        self.timer.stop()
        self.box.clear()
        self.results.clear()
        self._show_status("")
