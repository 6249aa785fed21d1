"""Review of a subject access request before its pack is made: everything gathered, by section,
each with a box for "in the pack". Items that need the manager's decision (other families'
notes, safeguarding, a parent's case) stand out until decided. Words are redacted from the
item's text on the right; suggested names of other people can be accepted in one go after
checking the list.

Loading gathers every record about the subject and reads every name in the database (for
the suggestions), so it runs on the worker. Each decision and redaction is saved on the
worker too, then applied here without gathering again.
"""

from collections import Counter

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.security.session import Session
from app.services.documents import documents as docs
from app.services.sar import review as sar_review
from app.services.sar.gather import SECTIONS, SarItem
from app.services.sar.register import Sar
from app.services.sar.review import Review
from ui import theme
from ui.dialogs.document_viewer import DocumentViewer
from ui.dialogs.redact_dialogs import RedactDialog, SuggestionsDialog
from ui.formatting import describe_error, uk_datetime
from ui.names import full_name, staff_names
from ui.operations import Operations
from ui.throttle import throttled
from ui.widgets.forms import text_label
from ui.widgets.sar_item_panel import SarItemPanel

KeyRole = Qt.ItemDataRole.UserRole + 1
FILL_ROWS = 200     # rows added per turn of the event loop


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
DECIDE_BACKGROUND = QColor("#fff4e0")


class SarReviewView(QWidget):
    backRequested = Signal()
    generateRequested = Signal(object)  # Sar

    def __init__(self, session: Session, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ops = session, ops
        self.request: Sar | None = None
        self.review: Review | None = None
        self.loading = False
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._filling = 0       # which load's rows are being added (a newer load stops the older)

        self.back_button = QPushButton("← &Back to requests")
        self.title = text_label("", "subheading")
        self.next_button = QPushButton("&Next to decide")
        self.suggest_button = QPushButton("Accept suggested re&dactions…")
        self.complete_button = QPushButton("Review &complete")
        self.generate_button = QPushButton("Generate &pack…")
        self.generate_button.setProperty("primary", True)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        for button in (self.next_button, self.suggest_button, self.complete_button, self.generate_button):
            top.addWidget(button)
        self.summary = text_label("", "hint")
        # Why the manager was brought here (a pack asked for before the review was complete).
        self.notice = text_label("", "error")
        self.notice.hide()
        self.error = text_label("", "error")
        self.error.hide()

        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Gathered items, by section")
        self.tree.setUniformRowHeights(True)
        self.panel = SarItemPanel()
        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(self.panel)
        splitter.setSizes([380, 600])
        splitter.setChildrenCollapsible(False)

        column = QVBoxLayout(self)
        column.setContentsMargins(32, 20, 32, 16)
        column.setSpacing(8)
        column.addLayout(top)
        column.addWidget(self.title)
        column.addWidget(self.summary)
        column.addWidget(self.notice)
        column.addWidget(self.error)
        column.addWidget(splitter, 1)

        self.back_button.clicked.connect(self.backRequested)
        self.next_button.clicked.connect(self.next_undecided)
        self.suggest_button.clicked.connect(lambda: self.accept_suggestions())
        self.complete_button.clicked.connect(lambda: self.complete())
        self.generate_button.clicked.connect(lambda: self.request and self.generateRequested.emit(self.request))
        self.tree.currentItemChanged.connect(lambda *_a: self._show_current())
        self.tree.itemChanged.connect(self._item_changed)
        self.panel.decisionMade.connect(lambda included, reason: self.decide(self.current_item(), included, reason))
        self.panel.redactRequested.connect(self.redact)
        self.panel.removeRequested.connect(self.remove_redaction)
        self.panel.readRequested.connect(self.read_document)
        self.viewer: DocumentViewer | None = None

    # --- loading -------------------------------------------------------------------------
    def load(self, request: Sar, reason: str = "") -> None:
        self.request, self.review, self.loading = request, None, True
        self._filling += 1
        self.notice.setText(reason)
        self.notice.setVisible(bool(reason))
        self.title.setText(f"Review {request.reference}: information about {request.subject_name}")
        self.summary.setText(f"Gathering everything held about {request.subject_name}…")
        self.error.hide()
        self.tree.clear()
        self._rows = {}
        self.panel.clear()
        self._update_buttons()
        session, sar_id = self.session, request.id
        self.ops.run(lambda progress: sar_review.load_review(session, sar_id, throttled(progress)),
                     on_done=self._loaded, on_error=self._failed)

    def _loaded(self, review: Review) -> None:
        self._filling += 1
        if self.session.locked or self.request is None:
            self.loading = False
            return
        self.review = review
        self.tree.blockSignals(True)
        self.tree.clear()
        self._rows = {}
        rows = []
        for key, title in SECTIONS:
            items = [i for i in review.items if i.section == key]
            if not items:
                continue
            section = QTreeWidgetItem([title])
            section.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = QFont(section.font(0))
            font.setBold(True)
            section.setFont(0, font)
            self.tree.addTopLevelItem(section)
            section.setExpanded(True)
            rows += [(section, item) for item in items]
        self.tree.blockSignals(False)
        first = next(iter(review.undecided()), None) or (review.items[0] if review.items else None)
        self._update_summary()      # what was gathered, while its rows are added (buttons wait)
        self._fill(self._filling, rows, 0, Counter(r.item_key for r in review.redactions),
                   first.key if first is not None else None)

    def _fill(self, filling: int, rows: list, start: int, redacted: Counter, first: str | None) -> None:
        """Adds FILL_ROWS rows, then the next ones in the next turn of the event loop: a busy
        request's 2,000 rows in one turn held the window (docs/architecture.md, "Long lists
        fill between events"). Until the last is added the review counts as loading (its
        buttons wait); a new load or a lock stops the filling."""
        if filling != self._filling or self.review is None:
            return
        end = min(start + FILL_ROWS, len(rows))
        self.tree.blockSignals(True)
        by_section: dict[int, tuple[QTreeWidgetItem, list]] = {}
        for section, item in rows[start:end]:
            row = QTreeWidgetItem()
            row.setData(0, KeyRole, item.key)
            row.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            self._rows[item.key] = row
            self._paint(item, redacted.get(item.key, 0))
            by_section.setdefault(id(section), (section, []))[1].append(row)
        # Made and painted before they join the tree, then added at once: one insertion for
        # the tree's model per section rather than one per item.
        for section, made in by_section.values():
            section.addChildren(made)
        self.tree.blockSignals(False)
        if first is not None and first in self._rows and self.tree.currentItem() is None:
            self.tree.setCurrentItem(self._rows[first])
        if end < len(rows):
            QTimer.singleShot(0, lambda: self._fill(filling, rows, end, redacted, first))
            return
        self.loading = False
        self._update_summary()

    def read_document(self, document_id: str) -> None:
        """The document inside Confide, from memory, as on the case's Documents tab (audited)."""
        session = self.session
        self.ops.run(lambda _p: docs.read_for_viewing(session, document_id), on_done=self._show_document,
                     on_error=self._failed)

    def _show_document(self, result) -> None:
        document, data = result
        self.viewer = DocumentViewer(document, data, self)
        del data
        self.viewer.open()

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self.error.setText(describe_error(exc))
        self.error.show()
        self._update_buttons()

    def _paint(self, item: SarItem, count: int | None = None) -> None:
        """The row says whether the item is in, and stands out while it needs a decision.
        `count`: its redactions, when the caller has counted them all at once."""
        row = self._rows.get(item.key)
        if row is None:     # not added yet: it is painted as it is added
            return
        waiting = item.needs_decision and not item.decided
        if count is None:
            count = sum(1 for r in self.review.redactions if r.item_key == item.key)
        when = f"{item.on[8:10]}/{item.on[5:7]}/{item.on[:4]} · " if len(item.on) >= 10 else ""
        text = f"{'Decide: ' if waiting else ''}{when}{item.title}{f'  [{count} redacted]' if count else ''}"
        was_blocked = self.tree.blockSignals(True)  # painting is not the person ticking the box
        row.setText(0, text)
        row.setCheckState(0, Qt.CheckState.Checked if item.included else Qt.CheckState.Unchecked)
        row.setBackground(0, QBrush(theme.painted(DECIDE_BACKGROUND, "background")) if waiting else QBrush())
        font = QFont(row.font(0))
        font.setBold(waiting)
        row.setFont(0, font)
        state = "In the pack" if item.included else "Left out of the pack"
        row.setToolTip(0, f"{item.title}\n{item.advice or state}")  # the full title, when the row is cut short
        self.tree.blockSignals(was_blocked)

    def _update_summary(self) -> None:
        review = self.review
        if review is None:
            return
        included = sum(i.included for i in review.items)
        waiting = len(review.undecided())
        done = (f"Review completed {uk_datetime(review.completed_at)} by {full_name(staff_names(self.session), review.completed_by)}." if review.completed_at
                else "When every item is right, choose 'Review complete'; the pack is made only after that.")
        self.summary.setText(
            f"{len(review.items)} items gathered, {included} in the pack, {_count(len(review.redactions), 'redaction')}. "
            + (f"{_count(waiting, 'item')} {'needs' if waiting == 1 else 'need'} your decision (highlighted)." if waiting
               else f"Every item that needed a decision has one. {done}"))
        self._update_buttons()

    def _changed(self) -> None:
        """A decision or redaction changed: the completed review no longer covers it."""
        if self.review is not None:
            self.review.completed_at = None

    def complete(self) -> bool:
        if self.review is None or self.ops.busy or self.review.undecided():
            return False
        session, sar_id = self.session, self.request.id

        def done(review: Review) -> None:
            if self.review is not None:
                self.review.completed_at, self.review.completed_by = review.completed_at, review.completed_by
            self.notice.hide()
            self._update_summary()

        self.ops.run(lambda _p: sar_review.complete_review(session, sar_id), on_done=done, on_error=self._failed,
                     changes={"sars", "sar_review"})
        return True

    # --- the current item ------------------------------------------------------------------
    def current_item(self) -> SarItem | None:
        row = self.tree.currentItem()
        key = row.data(0, KeyRole) if row is not None else None
        return next((i for i in self.review.items if i.key == key), None) if key and self.review else None

    def _show_current(self) -> None:
        item = self.current_item()
        if self.review is None or item is None:
            self.panel.show_item(None, [], [])
            return
        self.panel.show_item(item, [r for r in self.review.redactions if r.item_key == item.key],
                             [s for s in self.review.suggestions if s.item_key == item.key])

    def select(self, key: str) -> None:
        if key in self._rows:
            self.tree.setCurrentItem(self._rows[key])

    def next_undecided(self) -> None:
        waiting = self.review.undecided() if self.review else []
        if waiting:
            self.select(waiting[0].key)

    # --- decisions and redactions ------------------------------------------------------------
    def _item_changed(self, row: QTreeWidgetItem, _column: int) -> None:
        key = row.data(0, KeyRole)
        item = next((i for i in self.review.items if i.key == key), None) if key and self.review else None
        if item is not None:
            self.decide(item, row.checkState(0) == Qt.CheckState.Checked)

    def decide(self, item: SarItem | None, included: bool, reason: str = "") -> None:
        if item is None or self.request is None:
            return
        session, sar_id = self.session, self.request.id

        def done(_r) -> None:
            item.included, item.decided = included, True
            self._changed()
            self._paint(item)
            self._update_summary()
            if item is self.current_item():
                self.panel.update_state()

        def failed(exc: Exception) -> None:
            self._paint(item)  # the box goes back to what is recorded
            self._failed(exc)

        self.ops.run(lambda _p: sar_review.decide(session, sar_id, item.key, included, reason or None),
                     on_done=done, on_error=failed, changes={"sar_review"})

    def redact(self, field: str, start: int, end: int) -> RedactDialog | None:
        item = self.current_item()
        if item is None or self.ops.busy:
            return None
        dialog = RedactDialog(self.session, self.ops, self.request.id, item, field, start, end, self)
        dialog.redacted.connect(self._redacted)
        dialog.open()
        self.redact_dialog = dialog
        return dialog

    def _redacted(self, redaction) -> None:
        review = self.review
        review.redactions.append(redaction)
        review.suggestions = [s for s in review.suggestions if not (
            s.item_key == redaction.item_key and s.field == redaction.field
            and s.start < redaction.end_at and redaction.start_at < s.end)]
        self.panel.clear_selection()
        self._changed()
        self._after_redactions(redaction.item_key)

    def remove_redaction(self, redaction_id: str) -> None:
        session, sar_id, review = self.session, self.request.id, self.review
        found = next((r for r in review.redactions if r.id == redaction_id), None)
        if found is None:
            return

        def done(_r) -> None:
            review.redactions = [r for r in review.redactions if r.id != redaction_id]
            self._changed()
            self._after_redactions(found.item_key)

        self.ops.run(lambda _p: sar_review.remove_redaction(session, sar_id, redaction_id), on_done=done,
                     on_error=self._failed, changes={"sar_review"})

    def _after_redactions(self, item_key: str) -> None:
        item = next(i for i in self.review.items if i.key == item_key)
        self._paint(item)
        self._update_summary()
        if item is self.current_item():
            self._show_current()

    def accept_suggestions(self) -> SuggestionsDialog | None:
        if not self.review or not self.review.suggestions or self.ops.busy:
            return None
        dialog = SuggestionsDialog(self.session, self.ops, self.request.id, self.review, self)
        dialog.accepted_count.connect(lambda _n: self.load(self.request))
        dialog.open()
        return dialog

    # --- state -------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        ready = self.review is not None and not self.loading and not self.ops.busy
        count = len(self.review.suggestions) if self.review else 0
        self.suggest_button.setText(f"Accept suggested re&dactions ({count})…")
        self.suggest_button.setEnabled(ready and count > 0)
        self.next_button.setEnabled(ready and bool(self.review.undecided()))
        decided = ready and not self.review.undecided()
        completed = decided and bool(self.review.completed_at)
        self.complete_button.setEnabled(decided and not completed)
        self.complete_button.setToolTip("" if decided else "Decide every highlighted item first.")
        self.generate_button.setEnabled(completed)
        self.generate_button.setToolTip("" if completed else "Decide every highlighted item first." if not decided
                                        else "Choose 'Review complete' first.")

    def set_busy(self, busy: bool) -> None:
        self._update_buttons()
        self.panel.set_enabled_actions(not busy and self.review is not None)

    def clear(self) -> None:
        self.request = self.review = None
        self._filling += 1
        self.tree.clear()
        self._rows = {}
        self.panel.clear()
        self.summary.clear()
        self.notice.hide()
