"""Search: one box over people, cases and notes (Ctrl+F from anywhere). Results appear as you
type, grouped (people, cases, notes) with dates and the matched words in bold; Down moves
from the box into them; Enter or a double-click opens the person or the case (a note opens its
case, at the note). The service applies roles and the R4 firewall: a volunteer finds people only."""

from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.domain.counting import plural
from app.domain.records import SearchHit, snippet_parts
from app.domain.role_matrix import reads_casework
from app.domain.text import uk_date
from app.errors import ConfideError
from app.security.session import Session
from app.services.casework import search
from app.services.team import search_build
from ui.formatting import describe_error
from ui.operations import Operations
from ui.widgets.forms import line_edit, text_label
from ui.widgets.rich_text_delegate import HtmlRole, RichTextDelegate

HitRole = Qt.ItemDataRole.UserRole + 1
TYPING_PAUSE_MS = 250  # search once typing pauses, not on every key
KIND_LABELS = {"person": "Person", "case": "Case", "note": "Note", "document": "Document"}
GROUPS = (("person", "People"), ("case", "Cases"), ("note", "Notes"), ("document", "Documents and letters"))
DATE_WORDS = {"person": "added", "case": "opened", "note": "", "document": "dated"}


def hit_head(hit: SearchHit) -> str:
    if hit.kind == "note":
        return f"Note in case {hit.title}"
    if hit.kind == "case" and " " in hit.title:
        reference, names = hit.title.split(" ", 1)  # the index holds "reference client child"
        return f"Case {reference} · {names}"
    return f"{KIND_LABELS.get(hit.kind, hit.kind.title())}: {hit.title}"


def hit_date(hit: SearchHit) -> str:
    if not hit.on:
        return ""
    words = DATE_WORDS.get(hit.kind, "")
    return f"{words} {uk_date(hit.on)}".strip()


def hit_text(hit: SearchHit) -> str:
    """Plain words: what a screen reader says and what is copied."""
    when = hit_date(hit)
    head = f"{hit_head(hit)} · {when}" if when else hit_head(hit)
    return f"{head}\n{hit.plain_snippet}" if hit.snippet else head


def hit_html(hit: SearchHit) -> str:
    """The same with the heading and the matched words in bold."""
    when = hit_date(hit)
    html = f"<b>{escape(hit_head(hit))}</b>"
    if when:
        html += f" · {escape(when)}"  # in the row's own colour: readable when selected too
    if hit.snippet:
        # The match keeps its own dark colour: on a selected row the rest turns white, and white
        # on the pale yellow could not be read.
        body = "".join(f"<b style='background:#fff1b8; color:#102a43'>{escape(text)}</b>" if matched
                       else escape(text)
                       for text, matched in snippet_parts(hit.snippet))
        html += f"<br>{body}"
    return html


class SearchView(QWidget):
    openRequested = Signal(str, str)

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        volunteer = not reads_casework(session.user.role)
        what = "people" if volunteer else "people, cases and notes"
        self.box = line_edit("Search", placeholder=f"Search {what}: type a name, a reference or words from a note")
        self.box.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setWordWrap(True)
        self.results.setItemDelegate(RichTextDelegate(self.results))
        # Rows are laid out a batch per turn of the event loop: a hundred rows of rich text at
        # once held the window as each search was typed.
        self.results.setLayoutMode(QListView.LayoutMode.Batched)
        self.results.setBatchSize(20)
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
        self.box.installEventFilter(self)
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
        self._fill(hits)
        self._show_status(query, len(hits))
        return hits

    def _fill(self, hits: list[SearchHit]) -> None:
        """People, then cases, then notes, each under a heading that cannot be selected."""
        bold = QFont(self.results.font())
        bold.setBold(True)
        for kind, heading in GROUPS:
            group = [hit for hit in hits if hit.kind == kind]
            if not group:
                continue
            title = QListWidgetItem(f"{heading} ({len(group)})")
            title.setFlags(Qt.ItemFlag.NoItemFlags)
            title.setFont(bold)
            self.results.addItem(title)
            for hit in group:
                item = QListWidgetItem(hit_text(hit))
                item.setData(HitRole, hit)
                item.setData(HtmlRole, hit_html(hit))
                self.results.addItem(item)
        first = self.first_hit_row()
        if first >= 0:
            self.results.setCurrentRow(first)

    def first_hit_row(self) -> int:
        return next((i for i in range(self.results.count()) if self.results.item(i).data(HitRole)), -1)

    def hits_shown(self) -> list[SearchHit]:
        return [self.results.item(i).data(HitRole) for i in range(self.results.count())
                if self.results.item(i).data(HitRole) is not None]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Down in the box moves into the results, at the highlighted one."""
        if watched is self.box and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            if self.timer.isActive():
                self.run_search()
            if self.first_hit_row() >= 0:
                if self.results.currentItem() is None or self.results.currentItem().data(HitRole) is None:
                    self.results.setCurrentRow(self.first_hit_row())
                self.results.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    def _show_status(self, query: str, found: int | None = None) -> None:
        if found is None:
            text = ("Type at least two letters. Every word must match; the start of a word is "
                    "enough (“hart ell” finds Ellie Hartley).")
        elif found == 0:
            text = f"Nothing matches “{query}”."
        else:
            text = f"{plural(found, 'result')}. Enter opens the highlighted one."
        building = self._index_building()
        self.status.setText(f"{text}\n{building}" if building else text)

    def _index_building(self) -> str | None:
        """After joining a team the search index is built in the background: say so plainly."""
        if self.session.locked:
            return None
        try:
            progress = search_build.status(self.session)
        except ConfideError:
            return None
        return progress.sentence() if progress is not None else None

    def _enter(self) -> None:
        """Enter in the box: search now, or open the top result if the list is current."""
        if self.timer.isActive() or self.first_hit_row() < 0:
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
        elif hit.kind == "document":
            self.openRequested.emit("case", hit.case_id)     # the document is listed on its case
        else:
            self.openRequested.emit(hit.kind, hit.ref_id)

    def set_busy(self, busy: bool) -> None:
        self.box.setEnabled(not busy)

    def clear(self) -> None:
        self.timer.stop()
        self.box.clear()
        self.results.clear()
        self._show_status("")
